"""Many counts in one round trip (artworx.scalars): single values, several over one pass, and a small
table's rows."""

import pytest
from django.db.models import Count, Q, Sum

from artworx.scalars import rows, scalars, total, totals
from sites.models import Site
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_it_answers_each_part_and_several_counts_over_one_pass():
    for capacity in (10, 20, 50):
        SiteFactory(capacity=capacity)
    sites = Site.objects.all()
    found = scalars(
        seats=total(sites, Sum("capacity")),
        sizes=totals(sites, all=Count("pk"), large=Count("pk", filter=Q(capacity__gte=20))),
    )
    capacities = list(Site.objects.values_list("capacity", flat=True))
    assert found == {
        "seats": sum(capacities),
        "sizes": {"all": len(capacities), "large": sum(c >= 20 for c in capacities)},
    }


def test_over_no_rows_the_counts_are_zero():
    nothing = Site.objects.filter(capacity__lt=0)
    assert scalars(sizes=totals(nothing, all=Count("pk"), large=Count("pk"))) == {
        "sizes": {"all": 0, "large": 0}
    }


def test_a_small_tables_rows_come_with_the_counts():
    for name, capacity in (("North", 10), ("South", 50)):
        SiteFactory(name=name, capacity=capacity)
    found = scalars(
        seats=total(Site.objects.all(), Sum("capacity")),
        sites=rows(Site.objects.all(), name="name", capacity="capacity"),
    )
    assert found["seats"] == 60
    assert sorted(found["sites"], key=lambda row: row["name"]) == [
        {"name": "North", "capacity": 10},
        {"name": "South", "capacity": 50},
    ]


def test_no_rows_are_an_empty_list():
    assert scalars(sites=rows(Site.objects.filter(capacity__lt=0), name="name")) == {"sites": []}
