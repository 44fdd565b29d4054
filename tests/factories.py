"""factory_boy factories that build valid objects by default."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from artworx import roles
from sites.models import Closure, Partner, Site
from students.models import Enrollment, Guardian, Student, SupportProfile


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
            self.groups.add(Group.objects.get(name=extracted))


class TeacherFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or roles.TEACHER))


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

    student = factory.SubFactory(StudentFactory)
    name = factory.Faker("name")
    relationship = Guardian.Relationship.PARENT
    phone = "(213) 555-0100"


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
        if create:
            self.site.teachers.add(self.teacher)
