"""Constraints and scoping of the sites app."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from sites.models import Closure, Site
from tests.factories import ClosureFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("capacity", [0, 51])
def test_it_keeps_capacity_between_1_and_50_in_the_database(capacity):
    with pytest.raises(IntegrityError):
        SiteFactory(capacity=capacity)


@pytest.mark.parametrize("capacity", [0, 51])
def test_it_explains_a_capacity_out_of_range(capacity):
    with pytest.raises(ValidationError) as error:
        SiteFactory.build(capacity=capacity, partner=None).full_clean()
    assert "capacity" in error.value.message_dict


def test_it_refuses_a_closure_ending_before_it_starts():
    with pytest.raises(IntegrityError):
        ClosureFactory(starts_on=date(2026, 12, 2), ends_on=date(2026, 12, 1))


def test_it_finds_the_closures_that_apply_at_a_site(site, other_site):
    everywhere = ClosureFactory(name="Winter break")
    here = ClosureFactory(name="Fair", site=site)
    ClosureFactory(name="Elsewhere", site=other_site)
    assert set(Closure.objects.for_site(site)) == {everywhere, here}


def test_it_scopes_sites_by_role(users, site, other_site):
    for role in ("admin", "staff", "counselor"):
        assert set(Site.objects.visible_to(users[role])) == {site, other_site}
    assert list(Site.objects.visible_to(users["teacher"])) == [site]
    assert list(Site.objects.visible_to(users["other_teacher"])) == [other_site]
    assert not Site.objects.visible_to(users["teaching_artist"]).exists()
