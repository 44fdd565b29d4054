"""The demo data command."""

import pytest
from django.core.management import CommandError, call_command

from sites.models import Site
from students.models import Enrollment, Student

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Student.objects.exists()


def test_it_loads_demo_data_that_keeps_every_rule_and_only_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Site.objects.count() == 3
    assert 75 <= Student.objects.count() <= 90
    for site in Site.objects.all():
        assert Enrollment.objects.open().filter(site=site).count() <= site.capacity
    assert Enrollment.objects.filter(exit_reason="graduated").count() == 2
    assert Enrollment.objects.filter(exit_reason="transferred").count() == 1
