"""100 HTTP requests for a site's last seat, all in flight at once against a running server (PostgreSQL).

End to end, through the view, the form and the service: gunicorn serves the app in a child process
(two workers of 16 threads: at most 32 requests inside the app, and so 32 database connections, at
once), and 100 client threads, released together by one barrier, each post an enrollment form for
a different student into the site's last seat. All 100 connections are open at the same moment;
the server queues what it cannot yet serve, as in production.
"""

import threading
import time
from collections import Counter

import pytest
from django.urls import reverse

from students.models import Enrollment
from tests.factories import EnrollmentFactory, SiteFactory, StudentFactory, TeacherFactory
from tests.faults.conftest import Browser, database_url, session_for, start_web

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
REQUESTS = 100
THREADS = 16
CSRF = "k" * 32  # any well-formed secret: the form's header must only match the cookie


def test_100_enrollment_requests_in_flight_for_the_last_seat_enroll_exactly_one(processes, users, figures):
    teachers = TeacherFactory.create_batch(3)
    site = SiteFactory(capacity=50, teachers=teachers)
    for n in range(49):
        EnrollmentFactory(site=site, teacher=teachers[n % 2])
    students = StudentFactory.create_batch(REQUESTS)
    port = start_web(
        processes,
        threads=THREADS,
        DEBUG="true",
        DATABASE_URL=database_url(),
        ARTWORX_RUN_TASKS_INLINE="false",
    )
    session_key = session_for(users["staff"])
    form = {"site": site.pk, "teacher": teachers[2].pk, "on": "2026-11-09"}
    barrier = threading.Barrier(REQUESTS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def enroll(student):
        browser = Browser(port, session_key=session_key)
        browser.cookies["csrftoken"] = CSRF
        barrier.wait()
        status, body, _ = browser.post(reverse("students:enroll", args=[student.pk]), form, timeout=120)
        with lock:
            results.append((status, body))

    threads = [threading.Thread(target=enroll, args=(student,)) for student in students]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    seconds = time.monotonic() - started

    statuses = Counter(status for status, _ in results)
    assert statuses == {302: 1, 200: REQUESTS - 1}
    refusals = [body for status, body in results if status == 200]
    assert all("is full: all 50 seats are taken" in body for body in refusals)
    assert Enrollment.objects.open().filter(site=site).count() == 50
    assert Enrollment.objects.filter(student__in=students).count() == 1
    figures.append(
        f"last seat over HTTP: {REQUESTS} enrollment posts in flight at once against gunicorn "
        f"(2 workers × {THREADS} threads) in {seconds:.1f} s: 1 enrolled (302), "
        f"{REQUESTS - 1} shown the form with the site-full message (200)"
    )
