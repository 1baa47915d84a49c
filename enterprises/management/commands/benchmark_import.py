"""``manage.py benchmark_import [--rows 100000]``: time the import pipeline on a generated file
in the canonical format, beside a plain django-import-export ``ModelResource`` import.

Runs inside a transaction that is rolled back: the directory is left as it was. It must start
empty (use a scratch database: ``DATABASE_URL=sqlite:////tmp/bench.sqlite3``).
"""

import csv
import io
import random
import resource
import tempfile
import time

import tablib
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

from enterprises.imports.pipeline import run_import
from enterprises.models import Category, Enterprise, ImportRun, Label, Network, Region, Sector
from enterprises.resources import EnterpriseResource

HEADERS = ["name", "slug", "neq", "legal_form", "description_fr", "description_en", "region",
           "service_area", "sectors", "categories", "labels", "address", "city", "postal_code",
           "phone", "email", "website", "employee_band", "year_founded", "status",
           "verification_status", "verified_on"]
WORDS = ["Coopérative", "Solidarité", "Atelier", "Cuisine", "Récupération", "Boulangerie",
         "Vélo", "Jardins", "Imprimerie", "Services", "Quartier", "Partage", "Collectif"]
CITIES = ["Montréal", "Québec", "Laval", "Gatineau", "Longueuil", "Sherbrooke", "Rimouski",
          "Trois-Rivières", "Saguenay", "Lévis"]
LEGAL_FORMS = [value for value, _label in Enterprise.LegalForm.choices]
BANDS = [value for value, _label in Enterprise.EmployeeBand.choices]


class Rollback(Exception):
    pass


class WriteCounter:
    """Counts INSERT/UPDATE/DELETE statements that touch the directory (not the run log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(("INSERT", "UPDATE", "DELETE")) and "IMPORTRUN" not in statement:
            self.count += 1
        return execute(sql, params, many, context)


def peak_memory_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_canonical_file(output, rows, seed=4):
    """A realistic canonical file: every field filled, multi-valued cells joined by |."""
    rng = random.Random(seed)
    regions = list(Region.objects.values_list("code", flat=True))
    sectors = list(Sector.objects.values_list("slug", flat=True))
    categories = list(Category.objects.values_list("slug", flat=True))
    labels = list(Label.objects.values_list("slug", flat=True))
    writer = csv.writer(output)
    writer.writerow(HEADERS)
    for number in range(rows):
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
        letters = "ABCEGHJKLMNPRSTVXY"
        postal = (f"{rng.choice(letters)}{rng.randint(0, 9)}{rng.choice(letters)} "
                  f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}")
        writer.writerow([
            name, f"entreprise-{number}", f"11{number:08d}", rng.choice(LEGAL_FORMS),
            f"{name} offre des services aux organisations de sa région.", "",
            rng.choice(regions), "|".join(sorted(rng.sample(regions, 2))),
            "|".join(sorted(rng.sample(sectors, 2))), "|".join(sorted(rng.sample(categories, 2))),
            rng.choice(labels) if number % 5 == 0 else "",
            f"{rng.randint(1, 9999)}, rue Principale", rng.choice(CITIES), postal,
            f"+1 514-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            f"info{number}@exemple.org", f"https://entreprise-{number}.exemple.org",
            rng.choice(BANDS), str(rng.randint(1900, 2025)), "draft", "unverified", "",
        ])


class Command(BaseCommand):
    help = "Benchmark the import pipeline against a plain django-import-export import."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument(
            "--baseline-rows", type=int, default=20_000,
            help="Rows for the django-import-export baseline (it is much slower).",
        )

    def handle(self, *args, rows, baseline_rows, **options):
        if Enterprise.objects.exists():
            raise CommandError("Run this on an empty directory (a scratch database).")
        network = Network.objects.order_by("pk").first()
        if connection.vendor == "postgresql":
            self.vacuum()
        with tempfile.NamedTemporaryFile("w+", suffix=".csv", encoding="utf-8",
                                         newline="") as file:
            write_canonical_file(file, rows)
            file.flush()
            self.stdout.write(f"{connection.vendor}: {rows} rows in the canonical format")
            # Measured as production runs, without DEBUG's copy of every statement.
            with override_settings(DEBUG=False):
                self.run_both(network, file.name, rows, baseline_rows)

    def vacuum(self):
        """Each run rolls back, leaving its rows dead in the tables and their indexes: clear
        them first, as autovacuum would between runs. A server may have it off (this
        machine's did): after ten runs, the first import had slowed from 4 100 to 2 800 rows/s.
        """
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")

    def run_both(self, network, path, rows, baseline_rows):
        try:
            with transaction.atomic():
                self.pipeline(network, path, rows)
                raise Rollback
        except Rollback:
            pass
        try:
            with transaction.atomic():
                self.baseline(path, baseline_rows)
                raise Rollback
        except Rollback:
            pass

    def timed_import(self, network, path):
        run = ImportRun(network=network, file_name="benchmark.csv", dry_run=False)
        counter = WriteCounter()
        with open(path, "rb") as binary, connection.execute_wrapper(counter):
            start, cpu = time.perf_counter(), time.process_time()
            run = run_import(run, binary)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if run.state != ImportRun.State.DONE or run.error_count:
            raise CommandError(run.failure or run.error_report[:2000])
        return run, elapsed, cpu, counter.count

    def pipeline(self, network, path, rows):
        first, elapsed, cpu, _writes = self.timed_import(network, path)
        self.line("pipeline, first import", rows, elapsed, cpu, f"{first.created_count} created")
        second, elapsed, cpu, writes = self.timed_import(network, path)
        self.line("pipeline, unchanged re-import", rows, elapsed, cpu,
                  f"{second.unchanged_count} unchanged, {writes} directory writes")
        self.stdout.write(f"  peak memory so far: {peak_memory_mb():.0f} MB")

    def baseline(self, path, rows):
        with open(path, encoding="utf-8", newline="") as file:
            text = "".join(line for _n, line in zip(range(rows + 1), file, strict=False))
        dataset = tablib.Dataset().load(io.StringIO(text), format="csv")
        for label in ("first import", "unchanged re-import"):
            start, cpu = time.perf_counter(), time.process_time()
            result = EnterpriseResource().import_data(dataset, dry_run=False)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            if result.has_errors() or result.has_validation_errors():
                raise CommandError("The baseline import reported errors.")
            self.line(f"django-import-export, {label}", rows, elapsed, cpu,
                      ", ".join(f"{k} {v}" for k, v in result.totals.items() if v))
        self.stdout.write(f"  peak memory so far: {peak_memory_mb():.0f} MB")

    def line(self, label, rows, elapsed, cpu, details):
        """Wall-clock rate, and the rate on this process's CPU time (the machine may be busy;
        on SQLite the database work is in this process, on PostgreSQL it is not)."""
        self.stdout.write(
            f"  {label:<42} {rows:>7} rows {elapsed:7.1f} s {rows / elapsed:7.0f} rows/s"
            f" | CPU {cpu:6.1f} s {rows / cpu:7.0f} rows/s  ({details})"
        )
