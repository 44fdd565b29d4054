"""Mark overdue contracts as expired (run daily; the reminder sweep calls the same service)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from students.services import contracts_expire_overdue


class Command(BaseCommand):
    help = "Mark active contracts past their due date with courses unfinished as expired."

    def handle(self, *args, **options):
        expired = contracts_expire_overdue(today=timezone.localdate())
        self.stdout.write(f"{expired} contract(s) expired.")
