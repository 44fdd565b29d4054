"""Every query parameter a page or a download reads, sent hostile values: never a 500; a download
answers 400 or a file that opens.

The parameters are not listed by hand: a first request to each URL records every key the view looks
up in `request.GET` (its forms and FilterSets read each of their fields when bound), so a parameter
added to a filter or read by a new view is fuzzed without touching this file. Keys no view reads are
sent too, since the query string is the visitor's to write.
"""

import csv
import io

import pytest
from django.core.handlers import wsgi
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from artworx.exports import EXPORTS
from tests.security.url_table import GET, URLS

# A sweep of the whole application for one property: untraced when coverage is measured (README, "Coverage").
pytestmark = pytest.mark.untraced

HOSTILE = [
    "3000000",
    "99999999999999999999",  # past a 64-bit integer: OverflowError on SQLite, numeric on PostgreSQL
    "2147483648",  # one past PostgreSQL's integer
    "-1",
    "0",
    "²",  # str.isdigit() is true, int() refuses it
    "١٢",  # Arabic-Indic digits: int() reads 12
    "",
    "\x00",  # PostgreSQL refuses NUL in text
    "a\x00b",
    "a'b",
    "x" * 5000,
    "0000-00-00",
    "99999-12-31",
    "1e309",
    "NaN",
    ["1", "2"],  # the same key twice
]
# Keys no view reads: ignored whatever they hold.
UNKNOWN = {f"zz{index}": value for index, value in enumerate(HOSTILE) if isinstance(value, str)}
ROLES_IN_ORDER = ("admin", "staff", "counselor", "teacher", "other_teacher", "teaching_artist")
PROBE = {"__probe": "1"}  # a non-empty query string binds the forms, which then read every field


class RecordingQueryDict(QueryDict):
    """A request's GET that notes every key a view looks up."""

    read: set[str] = set()

    def __getitem__(self, key):
        RecordingQueryDict.read.add(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        RecordingQueryDict.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        RecordingQueryDict.read.add(key)
        return super().__contains__(key)


def targets(world) -> list[tuple[str, str, str]]:
    """(label, url, role) for every GET URL some role opens with 200, and every download."""
    found = []
    for name, row in URLS.items():
        if row.method != GET or name == "export":
            continue
        role = next((r for r in ROLES_IN_ORDER if row.expected[r] == 200), None)
        if role is None:
            continue  # anonymous-only pages answer signed-in roles with a redirect
        found.append((name, reverse(name, kwargs=row.kwargs(world)), role))
    for export in sorted(EXPORTS):
        # The first role the table lets have the download (the administrator sees every column).
        found.append((f"export {export}", reverse("export", kwargs={"name": export, "fmt": "csv"}), "admin"))
    return found


def parameters_read(client: Client, url: str, monkeypatch) -> set[str]:
    """The keys of the query string the view at `url` looks up."""
    RecordingQueryDict.read = set()
    monkeypatch.setattr(wsgi, "QueryDict", RecordingQueryDict)
    try:
        client.get(url, PROBE)
    finally:
        monkeypatch.undo()
    return RecordingQueryDict.read - set(PROBE)


def check_download(response) -> str | None:
    """What is wrong with a download's answer to a hostile query string, if anything."""
    if response.status_code == 400:
        return None
    if response.status_code != 200 or not response["Content-Type"].startswith("text/csv"):
        return f"{response.status_code} {response['Content-Type']}"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    return None if rows and rows[0] else "an empty file"


@pytest.mark.django_db
def test_no_query_string_answers_a_500_and_downloads_answer_400_or_a_file(world, monkeypatch, capsys):
    clients = {}
    wrong, checks, parameters = [], 0, 0
    for label, url, role in targets(world):
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(world.users[role])
        client = clients[role]
        known = sorted(parameters_read(client, url, monkeypatch))
        parameters += len(known)
        queries = [{key: value} for key in known for value in HOSTILE] + [UNKNOWN]
        for query in queries:
            response = client.get(url, query)
            checks += 1
            problem = None
            if response.status_code >= 500:
                problem = str(response.status_code)
            elif label.startswith("export "):
                problem = check_download(response)
            if problem:
                wrong.append(f"{label} as {role} ?{str(query)[:60]}: {problem}")
    with capsys.disabled():
        print(
            f"\nQuery fuzz: {len(targets(world))} URLs and downloads, {parameters} parameters read, "
            f"{len(HOSTILE)} hostile values each, plus {len(UNKNOWN)} unknown keys per URL: {checks} requests"
        )
    assert wrong == [], "\n".join(wrong)
    # The recording works: the lists' filters were found without a hand-written list.
    assert parameters >= 30


@pytest.mark.django_db
def test_the_parameters_of_each_list_are_discovered_from_its_filters(world, monkeypatch):
    client = Client()
    client.force_login(world.users["admin"])
    assert {"q", "site", "teacher", "status", "pace", "due_within", "page"} <= parameters_read(
        client, reverse("students:contract_list"), monkeypatch
    )
    contracts = reverse("export", kwargs={"name": "contracts", "fmt": "csv"})
    assert {"due_within", "pace"} <= parameters_read(client, contracts, monkeypatch)


WARNING = "Ignored a filter value that is not valid"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "export", "query", "label"),
    [
        ("students:contract_list", "contracts", {"due_within": "3000000"}, "Due within (days)"),
        ("alumni:list", "alumni", {"year": "0"}, "Graduation year"),
        ("students:referral_list", "referrals", {"source": "²"}, "Referred by"),
        ("students:referral_list", "referrals", {"counselor": "99999999999999999999"}, "Counselor"),
    ],
)
def test_a_refused_filter_value_is_named_on_the_page_and_refuses_the_download(
    world, page, export, query, label
):
    client = Client()
    client.force_login(world.users["staff"])
    response = client.get(reverse(page), query)
    assert response.status_code == 200
    assert f"{WARNING}: {label}." in response.content.decode()
    # The page still lists, as if the filter were absent.
    assert len(response.context["page"].object_list) == len(
        client.get(reverse(page)).context["page"].object_list
    )
    download = client.get(reverse("export", kwargs={"name": export, "fmt": "csv"}), query)
    assert download.status_code == 400
    assert label in download.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["programs:attendance_alerts", "programs:unlogged_sessions"])
def test_a_site_that_is_not_a_number_is_ignored_with_a_message(world, name):
    client = Client()
    client.force_login(world.users["staff"])
    response = client.get(reverse(name), {"site": "²"})
    assert response.status_code == 200
    assert f"{WARNING}: Site." in response.content.decode()
    assert response.context["site"] is None
    chosen = client.get(reverse(name), {"site": world.site.pk})
    assert chosen.context["site"] == world.site
    assert WARNING not in chosen.content.decode()


@pytest.mark.django_db
def test_a_valid_filter_value_gives_no_message_and_filters_the_download(world):
    client = Client()
    client.force_login(world.users["staff"])
    response = client.get(reverse("students:contract_list"), {"due_within": "365"})
    assert response.status_code == 200
    assert WARNING not in response.content.decode()
    download = client.get(reverse("export", kwargs={"name": "contracts", "fmt": "csv"}), {"due_within": "0"})
    assert download.status_code == 200
