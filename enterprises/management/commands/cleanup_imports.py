"""Ends the import runs nobody will finish; schedule it hourly (docs/deployment.md)."""

from django.core.management.base import BaseCommand

from enterprises.imports.lifecycle import close_abandoned_runs, fail_stopped_runs


class Command(BaseCommand):
    help = ("Fail the runs whose process stopped giving signs of life, and close the runs left "
            "at the columns step for a day, deleting their files.")

    def handle(self, *args, **options):
        failed = fail_stopped_runs()
        closed = close_abandoned_runs()
        self.stdout.write(f"{failed} stopped runs failed, {closed} abandoned runs closed.")
