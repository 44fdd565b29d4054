"""factory_boy factories that build valid objects by default."""

from datetime import date
from decimal import Decimal
from functools import cache

import factory
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from artworx import roles
from sites.models import Closure, Partner, Site
from students.models import Enrollment, Guardian, Student, SupportProfile
from students.services import guardian_consent_set

# The authenticator-app secret of every test user who holds a second factor (base32, RFC 6238).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@cache
def role_group_id(name: str) -> int:
    """The id of a role's group, read once per process: the migrations write the groups, and a test that
    empties the database writes them back with the same ids (tests/database.py)."""
    return Group.objects.values_list("pk", flat=True).get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@artworx.example")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(role_group_id(extracted))
        self.role_given = extracted  # for second_factor, next

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Roles that must use a second factor hold an authenticator app unless `second_factor=False`."""
        if not create or extracted is False:
            return
        # A subclass's own `role` runs after this: TeacherFactory's, whose role needs none.
        if extracted or getattr(self, "role_given", None) in settings.ARTWORX_MFA_REQUIRED_ROLES:
            TOTP.activate(self, TOTP_SECRET)


class TeacherFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(role_group_id(extracted or roles.TEACHER))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = Partner.Kind.COMMUNITY


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Storefront {n}")
    address = "1 Main St, Los Angeles"
    capacity = 50
    partner = factory.SubFactory(PartnerFactory)

    @factory.post_generation
    def teachers(self, create, extracted, **kwargs):
        if create and extracted:
            self.teachers.set(extracted)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    name = "Holiday"
    starts_on = date(2026, 11, 26)
    ends_on = date(2026, 11, 27)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = date(2009, 5, 17)
    district_id = factory.Sequence(lambda n: f"D{n:07d}")
    grade = 11
    prior_credits = Decimal("120.0")
    support_profile = factory.RelatedFactory(
        "tests.factories.SupportProfileFactory", factory_related_name="student"
    )


class SupportProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportProfile

    student = factory.SubFactory(StudentFactory, support_profile=None)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian
        skip_postgeneration_save = True

    student = factory.SubFactory(StudentFactory)
    name = factory.Faker("name")
    relationship = Guardian.Relationship.PARENT
    phone = "(213) 555-0100"

    @factory.post_generation
    def consents_to_messages(self, create, extracted, **kwargs):
        """consents_to_messages=True: consent recorded on every channel the guardian can be reached by."""
        if create and extracted:
            for channel, reachable in (("sms", self.phone), ("email", self.email)):
                if reachable:
                    guardian_consent_set(guardian=self, channel=channel, granted=True, method="paper")


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An open enrollment; the teacher is assigned to the site."""

    class Meta:
        model = Enrollment
        skip_postgeneration_save = True

    student = factory.SubFactory(StudentFactory)
    site = factory.SubFactory(SiteFactory)
    teacher = factory.SubFactory(TeacherFactory)
    started_on = date(2026, 9, 1)

    @factory.post_generation
    def assign_teacher(self, create, extracted, **kwargs):
        # One query when the teacher already teaches there: an add writes the site's history even then.
        if create and not self.site.teachers.contains(self.teacher):
            self.site.teachers.add(self.teacher)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Program"

    name = factory.Sequence(lambda n: f"Photography {n}")
    discipline = "photography"
    level = 1


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort at a site meeting Monday and Wednesday; sessions are not generated by the factory."""

    class Meta:
        model = "programs.Cohort"
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    site = factory.SubFactory(SiteFactory)
    term_starts_on = date(2026, 9, 14)
    term_ends_on = date(2026, 12, 18)
    meeting_days = "0,2"
    starts_at = factory.LazyFunction(lambda: __import__("datetime").time(15, 30))
    duration_minutes = 90

    @factory.post_generation
    def teaching_artists(self, create, extracted, **kwargs):
        if create and extracted:
            self.teaching_artists.set(extracted)


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral just received from a youth centre."""

    class Meta:
        model = "students.Referral"

    source = factory.SubFactory(PartnerFactory, kind=Partner.Kind.YOUTH_CENTRE)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = date(2008, 3, 9)
    phone = "(323) 555-0142"
    last_school = "Roosevelt High School"
    received_on = date(2026, 11, 2)
    credits_held = factory.LazyFunction(lambda: {"english": "20", "math": "10"})
    credits_total = Decimal(30)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "students.WaitlistEntry"

    student = factory.SubFactory(StudentFactory)
    site = factory.SubFactory(SiteFactory)
    added_on = date(2026, 11, 2)
