"""What families are told: same-day absences, runs, contract dates; one text a day, in their language."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from families.models import FamilyNotice, Message
from families.notices import family_notice_add, family_notices_compose
from families.reminders import absence_notices, contract_notices, family_notices
from notifications.services import notifications_deliver_pending
from programs.models import Attendance, Participation, Session
from students.models import Contract, SupportProfile
from students.services import guardian_consent_set
from tests.factories import CohortFactory, EnrollmentFactory, GuardianFactory

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 11, 30)
AFTERNOON = datetime(2026, 11, 30, 17, 0, tzinfo=LA)
SENTINEL = "SENTINEL-NOTE-7731"


@pytest.fixture
def family(teacher, site):
    enrollment = EnrollmentFactory(
        site=site, teacher=teacher, student__preferred_name="Nico", student__first_name="Nicolás"
    )
    student = enrollment.student
    cohort = CohortFactory(site=site, program__name="Fotografía 1")
    participation = Participation.objects.create(cohort=cohort, student=student, joined_on=date(2026, 9, 14))
    spanish = GuardianFactory(
        student=student, phone="(213) 555-0123", language="es", consents_to_messages=True
    )
    english = GuardianFactory(
        student=student, phone="(213) 555-0124", language="en", consents_to_messages=True
    )
    GuardianFactory(student=student, phone="(213) 555-0125", language="en")  # no consent
    return student, participation, spanish, english


def log(participation, day, mark="U", starts=time(15)):
    session, _created = Session.objects.get_or_create(
        cohort=participation.cohort,
        date=day,
        starts_at=starts,
        defaults={"duration_minutes": 60, "status": Session.Status.LOGGED},
    )
    Attendance.objects.create(session=session, participation=participation, mark=mark)
    return session


def contract_due(student, due_on: date) -> Contract:
    """An active contract signed on paper: what the notices read is its due date."""
    enrollment = student.enrollments.get()
    return Contract.objects.create(
        student=student,
        site=enrollment.site,
        teacher=enrollment.teacher,
        started_on=date(2026, 8, 1),
        length_days=80,
        status=Contract.Status.ACTIVE,
        due_on=due_on,
    )


def texts(guardian=None):
    queryset = Message.objects.filter(kind=Message.Kind.NOTICE)
    return list(queryset.filter(guardian=guardian) if guardian else queryset)


@time_machine.travel(AFTERNOON, tick=False)
def test_the_same_day_absence_goes_once_per_guardian_only_with_consent_in_their_language(family):
    _student, participation, spanish, english = family
    log(participation, MONDAY)
    for _ in range(3):
        family_notices(now=AFTERNOON)
    assert len(texts()) == 2
    [es], [en] = texts(spanish), texts(english)
    assert "Nico no estuvo en Fotografía 1 hoy." in es.body
    assert "Nico was not at Fotografía 1 today." in en.body
    assert es.notification.not_before is None


@time_machine.travel(AFTERNOON, tick=False)
def test_an_excused_absence_is_told_only_with_the_setting(family, settings):
    _student, participation, spanish, _english = family
    log(participation, MONDAY, mark="E")
    family_notices(now=AFTERNOON)
    assert texts() == []
    settings.ARTWORX_FAMILY_TEXT_EXCUSED = True
    family_notices(now=AFTERNOON)
    assert len(texts(spanish)) == 1


@time_machine.travel(AFTERNOON, tick=False)
def test_a_present_student_gets_no_text(family):
    log(family[1], MONDAY, mark="P")
    family_notices(now=AFTERNOON)
    assert texts() == []


def test_everything_due_is_merged_into_one_text_a_day_and_a_later_absence_waits(family):
    student, participation, spanish, _english = family
    contract_due(student, MONDAY)
    with time_machine.travel(AFTERNOON, tick=False):
        log(participation, MONDAY)
        family_notices(now=AFTERNOON)
        [text] = texts(spanish)
        assert "hoy" in text.body and "contrato" in text.body
        log(participation, MONDAY, starts=time(17, 30))  # a second session's absence, logged later
        family_notices(now=AFTERNOON + timedelta(hours=1))
        assert len(texts(spanish)) == 1
    tuesday = datetime(2026, 12, 1, 9, 0, tzinfo=LA)
    with time_machine.travel(tuesday, tick=False):
        family_notices(now=tuesday)
    assert len(texts(spanish)) == 2
    assert "lunes" in texts(spanish)[0].body  # newest first: told on Tuesday about Monday


def test_a_roll_logged_in_the_evening_is_texted_at_eight(family):
    _student, participation, spanish, _english = family
    evening = datetime(2026, 11, 30, 20, 30, tzinfo=LA)
    with time_machine.travel(evening, tick=False):
        log(participation, MONDAY, starts=time(18))
        family_notices(now=evening)
        [text] = texts(spanish)
        assert text.notification.not_before == datetime(2026, 12, 1, 8, 0, tzinfo=LA)
        assert "lunes" in text.body and "hoy" not in text.body
        assert notifications_deliver_pending() == (0, 0)
    assert text.notification.status == "pending"


@time_machine.travel(AFTERNOON, tick=False)
def test_a_text_never_names_a_support_flag_or_note(family):
    student, participation, spanish, english = family
    profile = SupportProfile.objects.get(student=student)
    for flag in SupportProfile.FLAGS:
        setattr(profile, flag, True)
    profile.private_notes = SENTINEL
    profile.save()
    for day in (MONDAY - timedelta(days=3), MONDAY - timedelta(days=2), MONDAY):
        log(participation, day)
    family_notices(now=AFTERNOON)
    bodies = " ".join(m.body for m in texts()).lower()
    assert texts(spanish) and texts(english)
    assert SENTINEL.lower() not in bodies
    words = {
        "probation",
        "libertad",
        "pregnant",
        "embaraz",
        "detention",
        "expelled",
        "mental",
        "substance",
        "foster",
        "homeless",
        "iep",
        "504",
        "english learner",
        "credits",
        "créditos",
    }
    assert not [word for word in words if word in bodies]


@time_machine.travel(AFTERNOON, tick=False)
def test_three_absences_in_a_row_are_told(family):
    _student, participation, _spanish, english = family
    for day in (MONDAY - timedelta(days=4), MONDAY - timedelta(days=3), MONDAY):
        log(participation, day)
    family_notices(now=AFTERNOON)
    [text] = texts(english)
    assert "Nico has missed 3 sessions in a row." in text.body


@time_machine.travel(AFTERNOON, tick=False)
def test_a_contract_due_in_five_school_days_is_told(family):
    student, _participation, _spanish, english = family
    contract_due(student, date(2026, 12, 7))  # Tue 1, Wed 2, Thu 3, Fri 4, Mon 7: the fifth school day
    with time_machine.travel(AFTERNOON, tick=False):
        family_notices(now=AFTERNOON)
    [text] = texts(english)
    assert "in 5 school days" in text.body and "Monday 7 December" in text.body


@time_machine.travel(AFTERNOON, tick=False)
def test_other_code_queues_a_new_kind_of_notice_with_a_link(family):
    student, _participation, spanish, _english = family
    told = family_notice_add(
        student=student,
        kind="signature",
        occasion="agreement-9-v2",
        details={"link": "https://a.example/s/x"},
    )
    assert told == 2
    family_notice_add(student=student, kind="signature", occasion="agreement-9-v2", details={"link": "x"})
    assert FamilyNotice.objects.count() == 2
    family_notices_compose(now=AFTERNOON)
    assert "https://a.example/s/x" in texts(spanish)[0].body


def test_an_unknown_detail_is_refused(family):
    with pytest.raises(ValidationError) as refused:
        family_notice_add(student=family[0], kind="signature", occasion="x", details={"flags": "probation"})
    assert refused.value.code == "unknown_details"
    assert not FamilyNotice.objects.exists()


def test_the_sweep_keeps_its_query_count_as_absences_grow(
    family, site, teacher, django_assert_max_num_queries
):
    """Reading what is due is constant; each guardian's text is a few writes of its own."""
    _student, participation, *_ = family
    with time_machine.travel(AFTERNOON, tick=False):
        log(participation, MONDAY)
        with django_assert_max_num_queries(12) as few:
            absence_notices(now=AFTERNOON)
            contract_notices(now=AFTERNOON)
        for n in range(5):
            enrollment = EnrollmentFactory(site=site, teacher=teacher)
            p = Participation.objects.create(
                cohort=participation.cohort, student=enrollment.student, joined_on=MONDAY
            )
            GuardianFactory(
                student=enrollment.student, phone=f"(213) 555-02{n:02d}", consents_to_messages=True
            )
            log(p, MONDAY)
        with django_assert_max_num_queries(len(few.captured_queries)):
            notices = absence_notices(now=AFTERNOON) + contract_notices(now=AFTERNOON)
    assert len(notices) == 2 + 5


# A family that reads email, not texts ---------------------------------------------------------------


@pytest.fixture
def reads_email(family):
    student = family[0]
    return GuardianFactory(
        student=student, phone="", email="abuela@example.org", language="es", consents_to_messages=True
    )


@time_machine.travel(AFTERNOON, tick=False)
def test_a_family_that_reads_email_gets_the_days_notices_in_one_email(
    family, reads_email, mailoutbox, as_role
):
    _student, participation, *_ = family
    log(participation, MONDAY)
    for _ in range(2):
        family_notices(now=AFTERNOON)
    [message] = texts(reads_email)
    assert message.channel == "email" and message.phone == ""
    assert "Nico no estuvo en Fotografía 1 hoy." in message.body and "ALTO" not in message.body
    notifications_deliver_pending()
    [email] = mailoutbox
    assert email.to == ["abuela@example.org"]
    assert email.subject == "artworx: noticias sobre Nico"
    assert "Nico no estuvo en Fotografía 1 hoy." in email.body
    page = as_role("teacher").get(f"/students/{message.student_id}/").content.decode()
    assert 'data-message-status="sent"' in page  # the thread shows the email's status from the outbox


@time_machine.travel(AFTERNOON, tick=False)
def test_contract_dates_and_signing_links_reach_an_email_family_only_in_their_own_emails(family, reads_email):
    student, *_ = family
    contract_due(student, date(2026, 12, 7))
    family_notice_add(student=student, kind="signature", occasion="agreement-1", details={"link": "x"})
    family_notices(now=AFTERNOON)
    assert not FamilyNotice.objects.filter(guardian=reads_email).exists()
    assert texts(reads_email) == []
    assert len(texts()) == 2  # the two guardians who take texts


@time_machine.travel(AFTERNOON, tick=False)
def test_a_guardian_who_takes_texts_and_email_gets_the_text_only(family):
    _student, participation, spanish, _english = family
    spanish.email = "rosa@example.org"
    spanish.save()
    guardian_consent_set(guardian=spanish, channel="email", granted=True, method="paper")
    log(participation, MONDAY)
    family_notices(now=AFTERNOON)
    assert [m.channel for m in texts(spanish)] == ["sms"]


@time_machine.travel(AFTERNOON, tick=False)
def test_an_email_family_who_withdraws_consent_before_it_goes_gets_nothing(family, reads_email, mailoutbox):
    _student, participation, *_ = family
    log(participation, MONDAY)
    family_notices(now=AFTERNOON)
    [message] = texts(reads_email)
    guardian_consent_set(guardian=reads_email, channel="email", granted=False, method="phone")
    notifications_deliver_pending()
    assert mailoutbox == []
    message.refresh_from_db()
    assert message.shown_status == Message.Status.FAILED
