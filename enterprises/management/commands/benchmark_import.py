"""``manage.py benchmark_import [--rows 100000] [--network-rows 20000]``: time the import
pipeline on two generated files, beside a plain django-import-export ``ModelResource`` import:

- one in the canonical format (our own export: every value already in its final form);
- one written like a network's export (French headers, ``;``, Windows-1252, values in their
  own words through the profile's value maps, municipalities in every spelling, category
  names we do not know): it goes through more of the pipeline, with a warning on most rows.

Each kind runs inside a transaction that is rolled back: the directory is left as it was. It
must start empty (use a scratch database: ``DATABASE_URL=sqlite:////tmp/bench.sqlite3``).
"""

import csv
import io
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils.translation import gettext as _
from stdnum import luhn

from enterprises.imports.pipeline import run_import
from enterprises.management.import_baseline import BaselineResource
from enterprises.models import (
    Category,
    Enterprise,
    ImportProfile,
    ImportRun,
    Label,
    Network,
    Region,
    Sector,
)

HEADERS = ["name", "slug", "neq", "legal_form", "description_fr", "description_en", "region",
           "service_area", "sectors", "categories", "labels", "address", "city", "postal_code",
           "phone", "email", "website", "employee_band", "year_founded", "status",
           "verification_status", "verified_on"]
WORDS = ["Coopérative", "Solidarité", "Atelier", "Cuisine", "Récupération", "Boulangerie",
         "Vélo", "Jardins", "Imprimerie", "Services", "Quartier", "Partage", "Collectif"]
# City → its region code: an export of ours never disagrees with itself.
CITIES = {"Montréal": "06", "Québec": "03", "Laval": "13", "Gatineau": "07", "Longueuil": "16",
          "Sherbrooke": "05", "Rimouski": "01", "Trois-Rivières": "04", "Saguenay": "02",
          "Lévis": "12"}
LEGAL_FORMS = [value for value, _label in Enterprise.LegalForm.choices]
BANDS = [value for value, _label in Enterprise.EmployeeBand.choices]


class Rollback(Exception):
    pass


# The run's own record (its counts and the lines of its preview), not the directory.
RUN_LOG_TABLES = ("IMPORTRUN", "IMPORTCHANGE")


class WriteCounter:
    """Counts INSERT/UPDATE/DELETE statements that touch the directory (not the run log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip().upper()
        if statement.startswith(("INSERT", "UPDATE", "DELETE")) and not any(
            table in statement[:80] for table in RUN_LOG_TABLES
        ):
            self.count += 1
        return execute(sql, params, many, context)


def reset_peak_memory():
    """On Linux a process may reset its peak resident size: each kind gets its own figure."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_memory_mb():
    """Peak resident size since the last reset (Linux), else since the process started."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


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
        city = rng.choice(list(CITIES))
        writer.writerow([
            name, f"entreprise-{number}", f"11{number:08d}", rng.choice(LEGAL_FORMS),
            f"{name} offre des services aux organisations de sa région.", "",
            CITIES[city], "|".join(sorted(rng.sample(regions, 2))),
            "|".join(sorted(rng.sample(sectors, 2))), "|".join(sorted(rng.sample(categories, 2))),
            rng.choice(labels) if number % 5 == 0 else "",
            f"{rng.randint(1, 9999)}, rue Principale", city, postal,
            f"+1 514-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
            f"info{number}@exemple.org", f"https://entreprise-{number}.exemple.org",
            rng.choice(BANDS), str(rng.randint(1900, 2025)), "draft", "unverified", "",
        ])


NETWORK_HEADERS = [
    "No membre", "Nom de l'entreprise", "Forme juridique", "Adresse", "Municipalité", "MRC",
    "Code postal", "Région administrative", "Téléphone", "Courriel", "Site Web", "NEQ",
    "Secteurs d'activité", "Produits et services", "Description",
]
# (cell as networks write it, MRC cell, region): every spelling the place resolver must read.
NETWORK_PLACES = [
    ("Trois-Rivières", "", "04 Mauricie"), ("TROIS-RIVIÈRES (QUÉBEC)", "", "04 Mauricie"),
    ("Trois-Rivieres", "", "04 Mauricie"), ("St-Roch-de-Mékinac", "", "04 Mauricie"),
    ("Ste-Anne-de-la-Pérade", "", "04 Mauricie"), ("Shawinigan (Québec)", "", "04 Mauricie"),
    ("Saint-Roch-de-Mekinac (Québec)", "", "04 Mauricie"), ("MONTRÉAL", "", "06 Montréal"),
    ("Québec (Québec)", "", "03 Capitale-Nationale"), ("Sherbrooke", "", "05 Estrie"),
    ("Rimouski", "", "01 Bas-Saint-Laurent"), ("Gatineau", "", "07 Outaouais"),
    ("St-Jean-sur-Richelieu", "", "16 Montérégie"), ("N/D", "Mékinac", "04 Mauricie"),
    ("", "Les Chenaux", "04 Mauricie"), ("NA", "Maskinongé", "04 Mauricie"),
]
STREETS = ["RUE PRINCIPALE", "rue Notre-Dame", "3E AVENUE", "CP 1281"]
NETWORK_LEGAL_FORMS = [
    "Coopérative de solidarité", "OBNL", "Coop de travail", "Entreprise d'économie sociale",
    "Organisme sans but lucratif", "N/D", "", "Mutuelle",
]
# Sector cells: several values, names that hold commas, a network's own words (value maps).
NETWORK_SECTORS = [
    "Arts, culture et patrimoine; Loisirs et tourisme", "Alimentation",
    "Environnement, récupération et recyclage", "Habitation | Services aux personnes, santé "
    "et soins à domicile", "Culture, Alimentation", "N/D",
]
# Category cells: most hold a name we do not list, which is a warning for the row.
NETWORK_CATEGORIES = [
    "Traiteur; Services-conseils en gestion", "Buffets, Accompagnement des aînés",
    "Recyclage et valorisation", "Impression et communications\nAteliers de créativité",
    "Entretien ménager; Location de vélos", "Boîtes à lunch | Paniers bio",
]
NETWORK_VALUE_MAPS = {
    "legal_form": {"Entreprise d'économie sociale": "other"},
    "sectors": {"Alimentation": "agroalimentaire", "Culture": "arts-culture"},
    "categories": {"Buffets": "traiteur"},
}


def network_neq(number):
    body = f"{number:07d}"
    return f"11{body}{luhn.calc_check_digit(body)}"


def write_network_file(output, rows, seed=5, record_ids=True):
    """A network's export as delivered: French headers, ``;``, blanks written ``N/D``,
    names in capitals, phone numbers and postal codes typed every way. Without record ids,
    rows are known by their NEQ or their name and place."""
    rng = random.Random(seed)
    writer = csv.writer(output, delimiter=";")
    first = 0 if record_ids else 1
    writer.writerow(NETWORK_HEADERS[first:])
    letters = "ABCEGHJKLMNPRSTVXY"
    for number in range(rows):
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
        place, mrc, region = NETWORK_PLACES[number % len(NETWORK_PLACES)]
        code, region_name = region.split(" ", 1)
        postal = (f"{rng.choice('GHJ')}{rng.randint(0, 9)}{rng.choice(letters)}"
                  f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}")
        line = f"{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
        street = rng.choice(STREETS)
        writer.writerow([
            f"M-{number:06d}",
            name.upper() if number % 5 == 0 else name,
            NETWORK_LEGAL_FORMS[number % len(NETWORK_LEGAL_FORMS)],
            street if street.startswith("CP") else f"{rng.randint(1, 9999)}, {street}",
            place, mrc or "NA",
            postal.lower() if number % 3 else f"{postal[:3]} {postal[3:]}",
            ["", f"{code} - {region_name}", "", region_name, "N/D"][number % 5],
            [f"(819) {line}", f"819.{line.replace('-', '.')} poste 22", "N/D"][number % 3],
            f"Info{number}@Exemple.org" if number % 4 else "N/D",
            f"www.entreprise-{number}.exemple.org" if number % 2 else "N/D",
            network_neq(number) if number % 2 else "NA",
            NETWORK_SECTORS[number % len(NETWORK_SECTORS)],
            NETWORK_CATEGORIES[number % len(NETWORK_CATEGORIES)],
            f"{name} offre ses services aux organisations de sa région.",
        ][first:])


def cpu_seconds():
    """This process's CPU time and its finished children's (the reader of a large upload
    runs in a subprocess)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def server_cpu_seconds():
    """PostgreSQL on this machine: the CPU time of this connection's server process, where
    the database's share of an import runs (None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    try:
        stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def rows_with_warnings(run):
    """Rows of the run's report that carry a warning (the report lists each problem)."""
    report = csv.DictReader(io.StringIO(run.error_report))
    return len({row["line"] for row in report if row["severity"] != "error"})


class Command(BaseCommand):
    help = _("Time the import pipeline on a canonical file and on a file written like a "
             "network's export, beside a plain django-import-export import.")

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000,
                            help=_("Rows of the canonical file."))
        parser.add_argument("--network-rows", type=int, default=20_000,
                            help=_("Rows of the file written like a network's export."))
        parser.add_argument(
            "--baseline-rows", type=int, default=20_000,
            help=_("Rows for the django-import-export baseline (it is much slower; 0 skips it)."),
        )
        parser.add_argument("--kind", choices=["canonical", "network", "both"], default="both",
                            help=_("Which file to import."))
        parser.add_argument(
            "--without-record-ids", action="store_true",
            help=_("Write the network-style file without its member number column."),
        )

    def handle(self, *args, rows, network_rows, baseline_rows, kind, without_record_ids,
               **options):
        if Enterprise.objects.exists():
            raise CommandError("Run this on an empty directory (a scratch database).")
        # Measured as production runs, without DEBUG's copy of every statement.
        with override_settings(DEBUG=False):
            if kind in ("canonical", "both"):
                self.canonical(rows, baseline_rows)
            if kind in ("network", "both"):
                self.network_style(network_rows, record_ids=not without_record_ids)

    def canonical(self, rows, baseline_rows):
        network = Network.objects.order_by("pk").first()
        with tempfile.NamedTemporaryFile("w+", suffix=".csv", encoding="utf-8",
                                         newline="") as file:
            write_canonical_file(file, rows)
            file.flush()
            self.stdout.write(f"{connection.vendor}: {rows} rows in the canonical format")
            self.rolled_back(self.pipeline, network, file.name, rows)
            if baseline_rows:
                self.rolled_back(self.baseline, file.name, baseline_rows)

    def network_style(self, rows, record_ids):
        with tempfile.NamedTemporaryFile("w+", suffix=".csv", encoding="cp1252",
                                         newline="") as file:
            write_network_file(file, rows, record_ids=record_ids)
            file.flush()
            ids = "" if record_ids else ", no record ids"
            self.stdout.write(f"{connection.vendor}: {rows} rows written like a network's export"
                              f" (French headers, ;, Windows-1252, value maps{ids})")
            self.rolled_back(self.network_pipeline, file.name, rows)

    def network_pipeline(self, path, rows):
        network = Network.objects.create(name="Réseau du banc d'essai", slug="banc-d-essai",
                                         website="https://banc-d-essai.example.org")
        ImportProfile.objects.create(network=network, value_maps=NETWORK_VALUE_MAPS)
        self.pipeline(network, path, rows)

    def rolled_back(self, function, *args):
        if connection.vendor == "postgresql":
            self.vacuum()
        try:
            with transaction.atomic():
                function(*args)
                raise Rollback
        except Rollback:
            pass

    def vacuum(self):
        """Each run rolls back, leaving its rows dead in the tables and their indexes: clear
        them first, as autovacuum would between runs. A server may have it off (this
        machine's did): after ten runs, the first import had slowed from 4 100 to 2 800 rows/s.
        """
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")

    def timed_import(self, network, path):
        run = ImportRun(network=network, file_name="benchmark.csv", dry_run=False)
        counter = WriteCounter()
        with open(path, "rb") as binary, connection.execute_wrapper(counter):
            server = server_cpu_seconds()
            start, cpu = time.perf_counter(), cpu_seconds()
            run = run_import(run, binary)
            self.check_deferred_constraints()
            elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
            if server is not None:
                server = server_cpu_seconds() - server
        if run.state != ImportRun.State.DONE or run.error_count:
            raise CommandError(run.failure or run.error_report[:2000])
        return run, elapsed, cpu, server, counter.count

    @staticmethod
    def check_deferred_constraints():
        """The foreign keys PostgreSQL checks at commit: a production import pays for them,
        and this rolled-back one would not."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def pipeline(self, network, path, rows):
        reset_peak_memory()
        first, elapsed, cpu, server, _writes = self.timed_import(network, path)
        self.line("pipeline, first import", rows, elapsed, cpu,
                  f"{first.created_count} created, {rows_with_warnings(first)} with a warning",
                  server)
        second, elapsed, cpu, server, writes = self.timed_import(network, path)
        self.line("pipeline, unchanged re-import", rows, elapsed, cpu,
                  f"{second.unchanged_count} unchanged, {writes} directory writes", server)
        self.stdout.write(f"  peak memory: {peak_memory_mb():.0f} MB")

    def baseline(self, path, rows):
        with open(path, encoding="utf-8", newline="") as file:
            text = "".join(line for _n, line in zip(range(rows + 1), file, strict=False))
        dataset = tablib.Dataset().load(io.StringIO(text), format="csv")
        for label in ("first import", "unchanged re-import"):
            start, cpu = time.perf_counter(), cpu_seconds()
            result = BaselineResource().import_data(dataset, dry_run=False)
            elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
            if result.has_errors() or result.has_validation_errors():
                raise CommandError("The baseline import reported errors.")
            self.line(f"django-import-export, {label}", rows, elapsed, cpu,
                      ", ".join(f"{k} {v}" for k, v in result.totals.items() if v))
        self.stdout.write(f"  peak memory (with the pipeline's run before it): "
                          f"{peak_memory_mb():.0f} MB")

    def line(self, label, rows, elapsed, cpu, details, server=None):
        """Wall-clock rate, and the rate on CPU time (the machine may be busy; on SQLite the
        database work is in this process, on PostgreSQL it is not: its server process's CPU
        time follows when the server runs on this machine)."""
        server = f" | server CPU {server:6.1f} s" if server is not None else ""
        self.stdout.write(
            f"  {label:<42} {rows:>7} rows {elapsed:7.1f} s {rows / elapsed:7.0f} rows/s"
            f" | CPU {cpu:6.1f} s {rows / cpu:7.0f} rows/s{server}  ({details})"
        )
