"""Need to know inside mixed containers: a teacher sees their own students only, wherever they appear.

Every student's names carry a sentinel with the student's id ("zqname-<id>-"). The demo holds a
partner-venue cohort mixing students of two sites; the fixture adds a student transferred from
`teacher`'s site to `other_teacher`'s while still in a cohort at the old site. Then each teacher of
every site and each teaching artist crawls the application as a person would — every link from
the home page, every cohort they can open, every download — and no page may name a student outside
their scope. The permission tests below pin each list that mixes sites.
"""

import re
from datetime import timedelta

import pytest
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from artworx import roles
from artworx.exports import EXPORTS
from artworx.models import User
from programs.models import Cohort, Participation
from students.models import Enrollment, ExitReason, Student
from students.services import enrollment_transfer
from tests.security.crawl import crawl

# A sweep of the whole application for one property: untraced when coverage is measured (README, "Coverage").
pytestmark = pytest.mark.untraced

NAME = re.compile(r"zqname-(\d+)-")


def sentinel(part: str):
    return Concat(Value("zqname-"), Cast("pk", CharField()), Value(f"-{part}"))


@pytest.fixture(scope="module")
def scoped(world, django_db_blocker):
    """Name sentinels on every student, and a transfer that leaves a cohort seat at the old site."""
    with django_db_blocker.unblock():
        Student.objects.update(
            first_name=sentinel("f"), last_name=sentinel("l"), preferred_name=sentinel("p")
        )
        moved = (
            Participation.objects.enrolled()
            .filter(cohort__site=world.site, student__enrollments__site=world.site)
            .filter(student__enrollments__ended_on__isnull=True)
            .exclude(student=world.student)
            .select_related("student")
            .first()
            .student
        )
        other_site = world.users["other_teacher"].teaching_sites.first()
        enrollment_transfer(
            enrollment=moved.enrollments.get(ended_on__isnull=True),
            site=other_site,
            teacher=world.users["other_teacher"],
            on=timezone.localdate() - timedelta(days=1),
        )
        venue = (
            Cohort.objects.filter(venue__isnull=False, term_ends_on__gte=timezone.localdate())
            .order_by("pk")
            .first()
        )
        sites = set(
            Enrollment.objects.open()
            .filter(student__participations__cohort=venue, student__participations__status="enrolled")
            .values_list("site", flat=True)
        )
        assert len(sites) >= 2, "the demo's partner-venue cohort mixes students of several sites"
    return {"moved": moved, "venue": venue}


def allowed_students(user: User) -> set[int]:
    """Who `user` may see by rule 13, written from the enrollments, not from the code under test.

    A teacher: students enrolled now at a site they teach at, and the alumni of those sites (the
    alumni pages follow graduates). A teaching artist: the participants of their cohorts.
    """
    allowed = set()
    if roles.is_teacher(user):
        allowed |= set(
            Enrollment.objects.filter(ended_on__isnull=True, site__teachers=user).values_list(
                "student", flat=True
            )
        )
        allowed |= set(
            Enrollment.objects.filter(exit_reason=ExitReason.GRADUATED, site__teachers=user).values_list(
                "student", flat=True
            )
        )
    if roles.is_teaching_artist(user):
        allowed |= set(
            Participation.objects.filter(cohort__teaching_artists=user).values_list("student", flat=True)
        )
    return allowed


def crawl_as(client: Client, user: User) -> dict[str, str]:
    """The pages reachable from home, plus every cohort the user can open and every download, as text."""
    seeds = ["/", reverse("programs:cohort_list"), reverse("programs:attendance_alerts")]
    seeds += [
        reverse("programs:cohort_detail", kwargs={"pk": pk})
        for pk in Cohort.objects.visible_to(user).values_list("pk", flat=True)
    ]
    seeds += [reverse("export", kwargs={"name": name, "fmt": "csv"}) for name in EXPORTS]
    return {url: page.text for url, page in crawl(client, seeds, skip=("/admin/",)).items()}


def named(pages: dict[str, str]) -> dict[int, str]:
    """Student id → the first page that names them."""
    found = {}
    for url, text in pages.items():
        for pk in NAME.findall(text):
            found.setdefault(int(pk), url)
    return found


TEACHERS = ["teacher", "teacher2", "teacher3", "teacher4", "teacher5"]  # every site's teachers in the demo
ARTISTS = ["artist", "artist2", "artist3"]
CRAWLED = {}


@pytest.mark.django_db
@pytest.mark.parametrize("username", TEACHERS + ARTISTS)
def test_a_crawl_names_no_student_outside_the_viewers_scope(scoped, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    pages = crawl_as(client, user)
    seen = named(pages)
    allowed = allowed_students(user)
    outside = {pk: url for pk, url in seen.items() if pk not in allowed}
    assert outside == {}
    assert seen, "the crawl reached pages that name the viewer's own students"
    CRAWLED[username] = (len(pages), len(seen))


@pytest.mark.django_db
def test_the_crawls_reached_the_mixed_cohort_and_the_moved_student(scoped):
    moved = scoped["moved"]
    teacher3 = User.objects.get(username="teacher3")
    client = Client()
    client.force_login(teacher3)
    pages = crawl_as(client, teacher3)
    assert moved.pk in named(pages), "the new site's teacher finds the transferred student"
    venue_page = pages[reverse("programs:cohort_detail", kwargs={"pk": scoped["venue"].pk})]
    assert "students of other sites" in venue_page


def test_the_crawl_figures(capsys):
    with capsys.disabled():
        for who, (pages, students) in CRAWLED.items():
            print(f"\nScope crawl, {who}: {pages} pages, {students} students named, none outside scope")
