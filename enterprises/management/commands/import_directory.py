"""``manage.py import_directory --network SLUG FILE [--dry-run]``: load a network's export.

Exit status: 0 when every row was applied, 1 when some rows were rejected, 2 when nothing
could be applied (unreadable file, no name column, database error).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from enterprises.imports.pipeline import run_import
from enterprises.models import ImportRun, Network


class Command(BaseCommand):
    help = "Import a member network's directory export (CSV, XLSX or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--network", required=True, help="The network's slug.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )

    def handle(self, *args, file, network, dry_run, **options):
        try:
            network = Network.objects.get(slug=network)
        except Network.DoesNotExist:
            slugs = ", ".join(Network.objects.values_list("slug", flat=True))
            raise CommandError(
                _("No network « %(slug)s ». Known: %(slugs)s.") % {"slug": network, "slugs": slugs}
            ) from None
        if not file.is_file():
            raise CommandError(_("No such file: %s") % file)
        run = ImportRun(network=network, file_name=file.name, dry_run=dry_run)
        bar = tqdm(unit=" rows", disable=not sys.stderr.isatty(), file=sys.stderr)
        with file.open("rb") as binary, bar:
            run = run_import(run, binary, progress=bar.update)
        self.report(run)
        sys.exit(self.exit_status(run))

    def report(self, run):
        if run.state == ImportRun.State.FAILED:
            self.stderr.write(self.style.ERROR(run.failure))
            return
        prefix = _("Dry run — nothing written. ") if run.dry_run else ""
        counts = ", ".join(f"{name}: {count}" for name, count in run.counts.items())
        self.stdout.write(f"{prefix}{run.total_rows} rows. {counts}.")
        if run.error_report:
            self.stdout.write(_("Problems (import run #%d):") % run.pk)
            self.stdout.write(run.error_report)

    @staticmethod
    def exit_status(run):
        if run.state == ImportRun.State.FAILED:
            return 2
        return 1 if run.error_count else 0
