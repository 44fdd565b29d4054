"""The demo data command."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from alumni.models import Alumnus, CheckIn
from devtools.management.commands import seed_demo
from programs.models import Cohort, Credential, Participation, Pathway, Placement, PlacementHours, Session
from programs.selectors import attendance_figures
from sites.models import Site
from students.models import AgreementVersion, Contract, Enrollment, Referral, Student, WaitlistEntry

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module's tests inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(DEBUG=True):
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    before = Student.objects.count()
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert Student.objects.count() == before


def test_it_loads_demo_data_that_keeps_every_rule_and_only_once(demo_loaded, settings):
    settings.DEBUG = True
    call_command("seed_demo")  # a second time: nothing more
    assert Site.objects.count() == 3
    assert 75 <= Student.objects.filter(enrollments__ended_on__isnull=True).count() <= 90
    for site in Site.objects.all():
        assert Enrollment.objects.open().filter(site=site).count() <= site.capacity
    graduates = Enrollment.objects.filter(exit_reason="graduated").count()
    assert graduates == Alumnus.objects.count() >= 20
    assert len({a.graduated_on.year for a in Alumnus.objects.all()}) == 3
    assert CheckIn.objects.filter(reached=False).exists() and CheckIn.objects.filter(reached=True).exists()
    assert Enrollment.objects.filter(exit_reason="transferred").count() == 1
    contracts = set(Contract.objects.values_list("status", flat=True))
    assert contracts == {"draft", "awaiting_signatures", "active", "completed", "expired"}
    # Agreements in every state: on paper (before e-signatures), a draft, out for signatures with none
    # and with some signed, and signed by everyone through the services.
    versions = AgreementVersion.objects
    assert versions.filter(on_paper=True).exists() and versions.filter(status="draft").exists()
    assert versions.filter(status="sent", signatures__isnull=True).exists()
    assert versions.filter(status="sent", signatures__isnull=False).exists()
    assert versions.filter(status="signed", on_paper=False, signatures__role="teacher").exists()
    assert Cohort.objects.filter(venue__isnull=False).exists()
    assert Session.objects.filter(status="logged").count() > 30
    assert Session.objects.filter(status="scheduled", date__lt=date.today()).exists()
    figures = attendance_figures(Participation.objects.values_list("pk", flat=True)).values()
    assert any(f.chronically_absent for f in figures)
    assert any(f.absent_in_a_row for f in figures)
    # Referrals in every funnel stage; two youths wait for a seat at the full Watts site.
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    waiting = WaitlistEntry.objects.waiting()
    assert waiting.count() == 2 and {e.site.name for e in waiting} == {"Watts Community Classroom"}
    # Two CTE pathways with certifications, credentials earned and placements with hours.
    pathways = Pathway.objects.filter(name__in=["Stagecraft Technical Theatre", "Video Production"])
    assert pathways.count() == 2
    for pathway in pathways:
        assert pathway.certifications.count() == 2
        assert Credential.objects.filter(certification__pathways=pathway).exists()
    assert set(Placement.objects.values_list("kind", flat=True)) == {
        "internship",
        "dual_enrollment",
        "master_class",
    }
    assert PlacementHours.objects.filter(signed_off_by__isnull=True).exclude(supervisor_approval="").exists()


def test_the_demo_reads_like_a_real_program(demo_loaded):
    names = list(Student.objects.values_list("first_name", "last_name"))
    assert len(names) == len(set(names)), "no two students share a name"
    topics = dict(seed_demo.TOPICS)
    for session in Session.objects.filter(status="logged").select_related("cohort__program"):
        assert session.topic in topics[session.cohort.program.discipline], (session.topic, session.cohort)
