"""A Celery worker killed with SIGKILL mid-delivery of the daily digests: every person still gets their
digest, and none twice except in the one window SECURITY.md documents (killed after the mail server
took the message, before the row was marked sent); never a second digest the same day otherwise.

Real workers in child processes on this test's database and a throwaway redis-server. The email
backend (tests.faults.mailbox) holds each send at a gate file, so the test kills the worker's whole
process group (SIGKILL) while it holds claimed rows. The claim timeout is shortened with
ARTWORX_NOTIFICATION_STUCK_SECONDS so the sweep takes the rows back within the test.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from artworx import roles
from notifications.models import DigestSchedule, Notification
from sites.models import Site
from tests.factories import SiteFactory, UserFactory
from tests.faults.conftest import database_url, logs_of, start_worker, wait_until
from tests.faults.mailbox import delivered
from tests.faults.test_redis_down import CONTRACTS, overdue_contracts, publish_sweep

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
STUCK_SECONDS = 3
CONCURRENCY = 2
LEADS = 2  # more sites, each with its lead and teacher: 2 + 2 * LEADS digests in all


@pytest.mark.parametrize(
    ("gate_at", "duplicates"),
    [
        ("before", 0),  # killed before the mail server had the message: each is sent once
        ("after", CONCURRENCY),  # killed after it, before the row was marked sent: the documented window
    ],
)
def test_a_worker_killed_mid_delivery_loses_no_digest(
    gate_at, duplicates, redis_server, processes, tmp_path, site, teacher, users, figures
):
    staff = users["staff"]
    # The teacher and the site's lead have open items (expired contracts), and so do more program
    # staff (each the lead of a site with one): one digest each, their hour (midnight) come.
    Site.objects.filter(pk=site.pk).update(lead=staff)
    overdue_contracts(site, teacher, CONTRACTS)
    people = [teacher, staff]
    for n in range(LEADS):
        lead = UserFactory(username=f"lead-{n}", role=roles.PROGRAM_STAFF)
        other_teacher = UserFactory(username=f"teacher-{n}", role=roles.TEACHER)
        overdue_contracts(SiteFactory(lead=lead, teachers=[other_teacher]), other_teacher, 1)
        people += [lead, other_teacher]
    for person in people:
        DigestSchedule.objects.create(user=person, hour=0)
    maildir, gate = tmp_path / "mail", tmp_path / "gate"
    maildir.mkdir()
    env = {
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "EMAIL_BACKEND": "tests.faults.mailbox.EmailBackend",
        "ARTWORX_TEST_MAILDIR": maildir,
        "ARTWORX_NOTIFICATION_STUCK_SECONDS": STUCK_SECONDS,
    }
    doomed = start_worker(
        processes,
        name="doomed",
        concurrency=CONCURRENCY,
        ARTWORX_TEST_MAIL_GATE=gate,
        ARTWORX_TEST_MAIL_GATE_AT=gate_at,
        **env,
    )
    publish_sweep(redis_server.url)
    emails = Notification.objects.filter(by_email=True)
    sending = emails.filter(status=Notification.Status.SENDING)
    wait_until(
        lambda: sending.count() == CONCURRENCY and len(list(maildir.glob("waiting-*"))) == CONCURRENCY,
        what="the worker to hold claimed rows at the mail step",
        seen=logs_of(doomed),
    )
    claimed = set(sending.values_list("pk", flat=True))
    processes.kill(doomed)  # SIGKILL to the worker and its pool processes at once
    killed_at = timezone.now()
    assert set(sending.values_list("pk", flat=True)) == claimed  # left in "sending" by the dead worker
    assert len(delivered(maildir)) == duplicates

    rescuer = start_worker(processes, name="rescuer", **env)
    # The rows the dead worker held come back after the claim timeout: sweep once it has passed.
    wait_until(
        lambda: timezone.now() - killed_at > timedelta(seconds=STUCK_SECONDS + 1), what="the claim timeout"
    )
    publish_sweep(redis_server.url)
    total = len(people)
    wait_until(
        lambda: (
            not emails.exclude(status=Notification.Status.SENT).exists()
            and len(delivered(maildir)) >= total + duplicates
        ),
        seconds=120,
        what="every reminder to be delivered after the kill",
        seen=logs_of(doomed, rescuer),
    )
    recovery = (timezone.now() - killed_at).total_seconds()
    publish_sweep(redis_server.url)  # one more sweep: nothing is left to send
    sweeps_run = lambda: rescuer.log_path.read_text().count("Reminder sweep:")  # noqa: E731
    wait_until(lambda: sweeps_run() >= 2, what="the last sweep to run", seen=logs_of(rescuer))
    sent = Counter(delivered(maildir))
    assert emails.count() == total
    assert emails.filter(status=Notification.Status.SENT).count() == total  # exactly once in the outbox
    assert sum(sent.values()) == total + duplicates
    assert set(sent) == {person.email for person in people}  # everyone got their digest
    # Only the rows held at the kill were tried twice; every other row was sent on its first claim.
    attempts = dict(emails.values_list("pk", "attempts"))
    assert {pk for pk, n in attempts.items() if n == 2} == claimed
    assert {n for pk, n in attempts.items() if pk not in claimed} == {1}
    figures.append(
        f"worker SIGKILLed ({gate_at} the mail step) holding {len(claimed)} claimed rows of {total}: "
        f"all {total} sent {recovery:.1f} s after the kill (claim timeout {STUCK_SECONDS} s), "
        f"{sum(sent.values())} emails written, {duplicates} duplicates"
    )
