"""A row lock held too long becomes a clear "try again" page, not a worker waiting for ever."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_it_sets_a_lock_timeout_no_jit_and_the_price_of_random_reads_on_every_connection():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "10s"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_it_answers_a_request_stuck_behind_a_lock_with_a_busy_page(as_role, site, teacher):
    client = as_role("staff")
    locked, release = threading.Event(), threading.Event()

    def hold_the_site_row():
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM sites_site WHERE id = %s FOR UPDATE", [site.pk])
            locked.set()
            release.wait(30)
            cursor.execute("ROLLBACK")
        connection.close()

    holder = threading.Thread(target=hold_the_site_row)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")  # the setting's 10 s, shortened for the test
        response = client.post(
            reverse("sites:update", args=[site.pk]),
            {"name": "Renamed while locked", "capacity": 40, "teachers": [teacher.pk], "address": "x"},
        )
    finally:
        release.set()
        holder.join(30)
    assert response.status_code == 503
    assert "Someone else is changing the same record" in response.content.decode()
    site.refresh_from_db()
    assert site.name != "Renamed while locked"
