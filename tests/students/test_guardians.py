"""Mobile numbers in E.164 on every path that writes them, and consent per guardian and channel."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from artworx.phones import phone_parse
from students.models import Channel, Guardian, GuardianConsent, Student
from students.roster import roster_import_apply, roster_import_create
from students.services import guardian_consent_set
from tests.factories import EnrollmentFactory, GuardianFactory, StudentFactory

pytestmark = pytest.mark.django_db

BAD_NUMBERS = [
    ("(323) 555-CALL", "phone_letters"),
    ("555-0199", "phone_invalid"),
    ("+52 55 1234 5678", "phone_foreign"),
    ("+44 20 7946 0958", "phone_foreign"),
    ("not a number", "phone_letters"),
]


@pytest.mark.parametrize(("value", "code"), BAD_NUMBERS)
def test_it_refuses_bad_numbers_with_a_reason(value, code):
    with pytest.raises(ValidationError) as refused:
        phone_parse(value)
    assert refused.value.code == code


def test_it_stores_e164_and_shows_the_national_format():
    guardian = GuardianFactory(phone="323.555.0199")
    guardian.refresh_from_db()
    assert guardian.phone.as_e164 == "+13235550199"
    assert Guardian.objects.filter(phone="+13235550199").exists()
    assert str(guardian.phone) == "(323) 555-0199"


@pytest.mark.parametrize(("value", "code"), BAD_NUMBERS)
def test_the_guardian_form_refuses_bad_numbers_and_writes_nothing(as_role, student, value, code):
    url = reverse("students:guardian_create", args=[student.pk])
    response = as_role("staff").post(url, {"name": "Rosa Cruz", "relationship": "parent", "phone": value})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not Guardian.objects.exists()


def test_the_admin_refuses_a_foreign_number(as_role, student):
    url = reverse("admin:students_guardian_add")
    response = as_role("admin").post(
        url,
        {
            "student": student.pk,
            "name": "Rosa Cruz",
            "relationship": "parent",
            "phone": "+52 55 1234 5678",
            "language": "es",
            "consent_method": "form",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Guardian.objects.exists()


def test_the_admin_records_consent_through_the_service(as_role, users, student):
    response = as_role("admin").post(
        reverse("admin:students_guardian_add"),
        {
            "student": student.pk,
            "name": "Rosa Cruz",
            "relationship": "parent",
            "phone": "(213) 555-0123",
            "language": "es",
            "accepts_texts": "on",
            "consent_method": "paper",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    consent = GuardianConsent.objects.get()
    assert (consent.channel, consent.granted, consent.method, consent.recorded_by) == (
        "sms",
        True,
        "paper",
        users["admin"],
    )
    assert Guardian.objects.get().sms_opt_in


def test_the_roster_import_refuses_a_bad_phone_and_writes_nothing(users, site, teacher):
    header = "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on,phone\n"
    good = f"770001,Ana,Ruiz,2009-04-01,11,{site.name},teacher,2026-11-02,(323) 555-0199"
    bad = f"770002,Luz,Ruiz,2009-04-01,11,{site.name},teacher,2026-11-02,323-CALL-NOW"
    imported = roster_import_create(
        name="r.csv", content=(header + good + "\n" + bad + "\n").encode(), by=users["staff"]
    )
    reasons = {r["line"]: " ".join(r["errors"]) for r in imported.results}
    assert reasons[2] == ""
    assert "digits only" in reasons[3]
    assert not Student.objects.filter(district_id__in=["770001", "770002"]).exists()


def test_the_roster_import_stores_numbers_in_e164(users, site, teacher):
    header = "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on,phone\n"
    line = f"770001,Ana,Ruiz,2009-04-01,11,{site.name},teacher,2026-11-02,(323) 555-0199\n"
    imported = roster_import_create(name="r.csv", content=(header + line).encode(), by=users["staff"])
    roster_import_apply(roster_import_id=imported.pk)
    assert Student.objects.get(district_id="770001").phone.as_e164 == "+13235550199"


def test_consent_is_recorded_with_who_when_and_how():
    guardian = GuardianFactory()
    assert guardian_consent_set(guardian=guardian, channel=Channel.SMS, granted=True, method="phone")
    guardian.refresh_from_db()
    assert guardian.sms_opt_in and not guardian.email_opt_in
    assert GuardianConsent.objects.get().method == "phone"


def test_a_repeated_opt_out_changes_nothing_and_writes_no_history():
    guardian = GuardianFactory(consents_to_messages=True)
    assert guardian_consent_set(guardian=guardian, channel=Channel.SMS, granted=False, method="text")
    assert not guardian_consent_set(guardian=guardian, channel=Channel.SMS, granted=False, method="text")
    assert list(guardian.consents.values_list("granted", flat=True)) == [False, True]


def test_consent_to_texts_needs_a_mobile_number():
    guardian = GuardianFactory(phone="", email="g@example.org")
    with pytest.raises(ValidationError) as refused:
        guardian_consent_set(guardian=guardian, channel=Channel.SMS, granted=True, method="form")
    assert refused.value.code == "no_phone"
    assert not GuardianConsent.objects.exists()


def test_the_guardian_form_records_each_channel_and_the_page_shows_the_history(as_role, users, student):
    client = as_role("staff")
    url = reverse("students:guardian_create", args=[student.pk])
    response = client.post(
        url,
        {
            "name": "Rosa Cruz",
            "relationship": "parent",
            "phone": "(213) 555-0123",
            "email": "rosa@example.org",
            "language": "es",
            "accepts_texts": "on",
            "consent_method": "paper",
        },
    )
    assert response.status_code == 302
    guardian = Guardian.objects.get()
    assert (guardian.sms_opt_in, guardian.email_opt_in) == (True, False)
    edit = reverse("students:guardian_update", args=[student.pk, guardian.pk])
    client.post(
        edit,
        {
            "name": "Rosa Cruz",
            "relationship": "parent",
            "phone": "",
            "email": "rosa@example.org",
            "language": "es",
            "accepts_email": "on",
            "consent_method": "phone",
        },
    )
    guardian.refresh_from_db()
    assert (guardian.sms_opt_in, guardian.email_opt_in, guardian.phone) == (False, True, "")
    assert [(c.channel, c.granted, c.method) for c in guardian.consents.order_by("pk")] == [
        ("sms", True, "paper"),
        ("sms", False, "phone"),
        ("email", True, "phone"),
    ]
    page = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert "data-consent-history" in page and "On a paper form" in page


def test_the_migration_converts_readable_numbers_and_keeps_the_rest_to_correct():
    migration = importlib.import_module("students.migrations.0012_phones_and_consent")
    assert migration._e164("(323) 555-0199") == "+13235550199"
    assert migration._e164("323.555.0199 ") == "+13235550199"
    for unreadable in ("555", "call mom", "+52 55 1234 5678", "1-800-FLOWERS"):
        assert migration._e164(unreadable) is None


def test_the_student_page_says_a_number_must_be_corrected(as_role):
    enrollment = EnrollmentFactory()
    GuardianFactory(
        student=enrollment.student, phone="", phone_as_entered="ask at front desk", email="x@example.org"
    )
    page = as_role("staff").get(reverse("students:detail", args=[enrollment.student.pk])).content.decode()
    assert "ask at front desk" in page


def test_a_student_phone_is_validated_too():
    student = StudentFactory.build(phone="+44 20 7946 0958")
    with pytest.raises(ValidationError) as refused:
        student.full_clean(exclude=["district_id"])
    assert "phone" in refused.value.message_dict
