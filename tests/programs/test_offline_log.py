"""Saves sent from a phone that was offline: applied once by key, refused when overtaken."""

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from artworx import roles
from programs.models import Attendance, Session, SessionLogSubmission
from programs.services import session_log_attendance
from tests.factories import CohortFactory, UserFactory

pytestmark = pytest.mark.django_db


def save(session, marks, by, **extra):
    return session_log_attendance(session=session, marks=marks, topic="Collage", by=by, **extra)


def test_a_save_delivered_twice_is_applied_once(session, all_present, users):
    key = uuid.uuid4()
    save(session, all_present, users["teaching_artist"], revision=0, submission_key=key)
    changed = dict.fromkeys(all_present, "U")
    save(session, changed, users["teaching_artist"], revision=0, submission_key=key)
    session.refresh_from_db()
    assert session.log_revision == 1
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"P"}
    assert SessionLogSubmission.objects.get().submitted_by == users["teaching_artist"]


def test_a_save_from_a_page_opened_before_anothers_save_is_refused(session, all_present, users):
    save(session, all_present, users["staff"], revision=0)
    with pytest.raises(ValidationError) as refused:
        save(session, dict.fromkeys(all_present, "U"), users["teaching_artist"], revision=0)
    assert refused.value.code == "log_changed"
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"P"}
    assert not SessionLogSubmission.objects.exists()


def test_a_page_opened_after_the_last_save_may_correct_it(session, all_present, users):
    save(session, all_present, users["staff"], revision=0)
    save(session, dict.fromkeys(all_present, "T"), users["teaching_artist"], revision=1)
    session.refresh_from_db()
    assert session.log_revision == 2
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"T"}


def test_a_key_cannot_be_replayed_on_another_session(session, all_present, users, cohort):
    key = uuid.uuid4()
    save(session, all_present, users["teaching_artist"], submission_key=key)
    other = Session.objects.create(
        cohort=cohort, date=session.date, starts_at=session.starts_at.replace(hour=10), duration_minutes=60
    )
    with pytest.raises(ValidationError) as refused:
        save(other, all_present, users["teaching_artist"], submission_key=key)
    assert refused.value.code == "submission_key_reused"
    assert not other.attendance.exists()


# The page and the phone's later delivery (Accept: application/json) --------------------------------


def post(client, session, participants, mark="P", accept_json=False, **extra):
    data = {**{f"mark-{p.pk}": mark for p in participants}, "topic": "Collage", **extra}
    headers = {"Accept": "application/json"} if accept_json else {}
    return client.post(reverse("programs:session_log", args=[session.pk]), data, headers=headers)


def test_the_log_page_carries_its_revision_and_a_fresh_key(as_role, session, participants):
    client = as_role("teaching_artist")
    first = client.get(reverse("programs:session_log", args=[session.pk]))
    second = client.get(reverse("programs:session_log", args=[session.pk]))
    assert first.context["form"]["revision"].value() == 0
    assert first.context["form"]["submission"].value() != second.context["form"]["submission"].value()


def test_a_delayed_delivery_is_saved_and_answered_in_json(as_role, session, participants):
    key = str(uuid.uuid4())
    client = as_role("teaching_artist")
    for _ in range(2):  # the phone never heard the first answer and sends again
        response = post(client, session, participants, accept_json=True, revision=0, submission=key)
        assert response.status_code == 200
        assert json.loads(response.content) == {
            "status": "saved",
            "message": f"Attendance saved for {session.cohort.program}.",
            "revision": 1,
        }
    assert Attendance.objects.count() == 3
    assert SessionLogSubmission.objects.count() == 1


def test_a_kept_log_sent_later_leaves_no_message_for_the_next_page(as_role, session, participants):
    client = as_role("teaching_artist")
    url = reverse("programs:session_log", args=[session.pk])
    data = {**{f"mark-{p.pk}": "P" for p in participants}, "topic": "Collage", "submission": uuid.uuid4()}
    response = client.post(url, data, headers={"Accept": "application/json", "X-Artworx-Kept": "1"})
    assert response.status_code == 200
    assert "Attendance saved" not in client.get(reverse("programs:my_sessions")).content.decode()
    assert Attendance.objects.count() == 3


def test_an_overtaken_delivery_answers_409_and_changes_nothing(as_role, session, participants, users):
    save(session, {p.pk: "U" for p in participants}, users["staff"])
    response = post(
        as_role("teaching_artist"),
        session,
        participants,
        accept_json=True,
        revision=0,
        submission=uuid.uuid4(),
    )
    assert response.status_code == 409
    assert "Someone else saved this log" in json.loads(response.content)["message"]
    assert set(Attendance.objects.values_list("mark", flat=True)) == {"U"}


def test_a_refused_delivery_answers_400_with_the_reason(as_role, session, participants):
    response = post(as_role("teaching_artist"), session, participants[:2], accept_json=True, revision=0)
    assert response.status_code == 400
    assert "Choose a mark for" in json.loads(response.content)["message"]
    assert not Attendance.objects.exists()


def test_an_overtaken_page_shows_the_other_save_to_decide_on(as_role, session, participants, users):
    save(session, {p.pk: "U" for p in participants}, users["staff"])
    response = post(as_role("teaching_artist"), session, participants, revision=0)
    assert response.status_code == 200
    assert "Someone else saved this log" in response.content.decode()
    form = response.context["form"]
    assert form["revision"].value() == 1  # saving again from here is a decision, and goes through
    assert {form[f"mark-{p.pk}"].value() for p in participants} == {"U"}


@pytest.mark.parametrize("bad", [{"revision": "-1"}, {"revision": "many"}, {"submission": "not-a-key"}])
def test_bad_revision_or_key_is_refused_without_writing(as_role, session, participants, bad):
    response = post(as_role("teaching_artist"), session, participants, **bad)
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_another_artists_delivery_is_not_found(client, session, participants):
    stranger = UserFactory(role=roles.TEACHING_ARTIST)
    CohortFactory(site=session.cohort.site, teaching_artists=[stranger])
    client.force_login(stranger)
    response = post(client, session, participants, accept_json=True, submission=uuid.uuid4())
    assert response.status_code == 404
    assert not Attendance.objects.exists()


# The installable app --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "teaching_artist", "staff"])
def test_the_service_worker_and_manifest_are_served_to_everyone(as_role, role):
    client = as_role(role)
    worker = client.get(reverse("service_worker"))
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert "no-cache" in worker["Cache-Control"]
    manifest = client.get(reverse("web_app_manifest"))
    assert manifest.status_code == 200 and manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["display"] == "standalone"


def test_the_manifest_speaks_the_readers_language(client):
    client.cookies["django_language"] = "es"
    manifest = client.get(reverse("web_app_manifest")).json()
    assert manifest["lang"] == "es"


def test_the_service_worker_and_manifest_refuse_writes(client):
    assert client.post(reverse("service_worker")).status_code == 405
    assert client.post(reverse("web_app_manifest")).status_code == 405


def test_administrators_trace_saves_by_key_in_the_console(as_role, session, all_present, users):
    key = uuid.uuid4()
    save(session, all_present, users["teaching_artist"], submission_key=key)
    client = as_role("admin")
    listing = client.get(reverse("admin:programs_sessionlogsubmission_changelist"), {"q": str(key)})
    assert listing.status_code == 200 and str(key) in listing.content.decode()
    assert client.get(reverse("admin:programs_sessionlogsubmission_add")).status_code == 403
