"""``manage.py import_directory --network SLUG FILE [--dry-run]``: load a network's export.

Exit status: 0 when every row was applied, 1 when some rows were rejected, 2 when nothing
was applied, whatever the reason (unreadable file, no name column, database error, every row
rejected). A dry run exits with the status the import would have: a script checks a file with
``--dry-run`` before loading it.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from tqdm import tqdm

from enterprises.imports.pipeline import run_import
from enterprises.models import ImportRun, Network

COUNT_LABELS = {
    "created": pgettext_lazy("import count", "created"),
    "updated": pgettext_lazy("import count", "updated"),
    "unchanged": pgettext_lazy("import count", "unchanged"),
    "skipped": pgettext_lazy("import count", "waiting for a curator"),
    "error": pgettext_lazy("import count", "rejected"),
    "missing": pgettext_lazy("import count", "missing from the file"),
}


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
        rows = ngettext("%(count)d row.", "%(count)d rows.", run.total_rows) % {
            "count": run.total_rows
        }
        counts = ", ".join(
            _("%(label)s: %(count)d") % {"label": label, "count": getattr(run, f"{name}_count")}
            for name, label in COUNT_LABELS.items()
        )
        self.stdout.write(f"{prefix}{rows} {counts}.")
        if run.error_report:
            self.stdout.write(_("Problems (import run #%d):") % run.pk)
            self.stdout.write(run.error_report)

    @staticmethod
    def exit_status(run):
        if run.state == ImportRun.State.FAILED:
            return 2
        if run.total_rows and not (run.created_count or run.updated_count
                                   or run.unchanged_count):
            return 2
        return 1 if run.error_count else 0
