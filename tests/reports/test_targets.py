"""Targets read as a person would say them."""

import pytest

from reports.models import Target


@pytest.mark.parametrize(
    ("direction", "percent", "wording"),
    [
        ("at_least", 100, "all (100 %)"),
        ("at_least", 95, "at least 95 %"),
        ("at_most", 10, "at most 10 %"),
        ("at_most", 0, "none (0 %)"),
    ],
)
def test_a_target_reads_as_a_person_would_say_it(direction, percent, wording):
    assert Target(key=Target.Key.ATTENDANCE, direction=direction, percent=percent).wording == wording
