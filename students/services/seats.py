"""Seat open (rule 4): a seat free at a site with a waitlist is an item for the site's lead, and the
page that freed it says so. One home for both: the sweep and the exit of an enrollment call it."""

from dataclasses import dataclass

from django.db import models
from django.urls import reverse

from notifications.models import Kind
from notifications.selectors import email_opt_ins
from notifications.services import notifications_enqueue_many
from notifications.sweeps import responsible_drafts
from sites.models import Site
from students.models import WaitlistEntry
from students.selectors import sites_with_seats


@dataclass(frozen=True)
class SeatOpen:
    """A site with a free seat and people waiting: how many seats, how many wait, who is next."""

    site: Site
    seats: int
    waiting: int
    head: WaitlistEntry


def seats_open(*, site_ids=None) -> list[SeatOpen]:
    """Sites (all active ones, or these) with a free seat and a waitlist, with its head; three queries."""
    waiting = WaitlistEntry.objects.waiting().filter(site=models.OuterRef("pk"))
    sites = sites_with_seats(Site.objects.active().select_related("lead")).annotate(
        head_id=models.Subquery(waiting.values("pk")[:1]),
        waiting_count=models.Subquery(
            waiting.order_by().values("site").annotate(n=models.Count("pk")).values("n")
        ),
    )
    if site_ids is not None:
        sites = sites.filter(pk__in=list(site_ids))
    sites = list(sites.filter(head_id__isnull=False, seats_left__gt=0).order_by("pk"))
    heads = WaitlistEntry.objects.select_related("student").in_bulk([site.head_id for site in sites])
    return [SeatOpen(site, site.seats_left, site.waiting_count, heads[site.head_id]) for site in sites]


def seat_open_items_write(*, site_ids=None) -> int:
    """Open a "seat open" item for the lead of each site with a free seat and a waitlist, once per head
    of the list; close the items of heads that are no longer next with a seat free. Returns how many."""
    found = seats_open(site_ids=site_ids)
    opt_ins = email_opt_ins(user_ids={s.site.lead_id for s in found if s.site.lead_id}, kind=Kind.SEAT_OPEN)
    drafts = []
    for seat in found:
        drafts += responsible_drafts(
            [(f"site-{seat.site.pk}:lead", seat.site.lead)],
            kind=Kind.SEAT_OPEN,
            subject=seat.head,
            # A new head of the list is a new occasion; the same head is told once.
            occasion=f"site-{seat.site.pk}",
            context={
                "student_name": seat.head.student.display_name,
                "site_name": seat.site.name,
                "seats": seat.seats,
                "waiting": seat.waiting,
                "added_on": seat.head.added_on,
            },
            opt_ins=opt_ins,
            link_url=reverse("students:waitlist", args=[seat.site.pk]),
            site_id=seat.site.pk,
        )
    return notifications_enqueue_many(drafts=drafts)


def seat_heads_next() -> set[int]:
    """The waitlist entries that are now the head of a site with a free seat."""
    return {seat.head.pk for seat in seats_open()}
