"""`Cache-Control: no-store` on every page and download; static files and the service worker keep theirs.

The URL matrix (test_url_matrix.py) checks the header on every named URL for every role; these check
the downloads, the admin console, the error pages and what must stay cacheable.
"""

import pytest
from django.test import Client
from django.urls import reverse

from artworx.exports import EXPORTS, FORMATS


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_download_says_no_store(world, fmt):
    client = Client()
    client.force_login(world.users["admin"])
    for name in EXPORTS:
        response = client.get(reverse("export", kwargs={"name": name, "fmt": fmt}))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name
        assert response["Pragma"] == "no-cache"


@pytest.mark.django_db
def test_a_refused_download_a_404_and_the_admin_say_no_store(world):
    client = Client()
    client.force_login(world.users["admin"])
    refused = client.get(reverse("export", kwargs={"name": "contracts", "fmt": "csv"}), {"due_within": "-1"})
    missing = client.get("/no-such-page/")
    admin = client.get(reverse("admin:students_student_changelist"))
    assert (refused.status_code, missing.status_code, admin.status_code) == (400, 404, 200)
    for response in (refused, missing, admin):
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_static_files_and_the_service_worker_stay_cacheable(client):
    static = client.get("/static/css/artworx.css")
    worker = client.get(reverse("service_worker"))
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    assert "no-store" not in worker["Cache-Control"] and "no-cache" in worker["Cache-Control"]
