"""The import, start to finish: one code path for the admin, the command and the task.

The file streams through the stages in chunks; each chunk costs a few queries (current values,
relations, sources) and a few bulk writes. Everything is applied in one transaction: invalid rows
are left out and reported, while an unreadable file or a database error applies nothing.
"""

import csv
import hashlib
import io
import itertools
import json
from contextlib import ExitStack, closing
from functools import partial

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import DirectoryRevision, EnterpriseSource, ImportProfile, ImportReviewItem
from ..search import deferred_index
from .apply import Writer
from .diff import CREATED, ERROR, SKIPPED, UNCHANGED, UPDATED, compare, load_existing
from .mapping import RECORD_ID, ColumnMapping, Vocabulary, looks_like_header
from .match import Matcher, record_key
from .normalize import missing_tokens, normalize_record
from .progress import Progress
from .read import UnreadableFile, open_table
from .validate import ERROR as SEVERITY_ERROR
from .validate import RecordValidator

CHUNK_SIZE = 1000
PREVIEW_ROWS = 500
BULK_INDEX_ROWS = 500
REPORT_HEADER = ["line", "column", "value", "severity", "raison", "reason"]


def sha256_of(binary):
    digest = hashlib.sha256()
    binary.seek(0)
    while chunk := binary.read(1024 * 1024):
        digest.update(chunk)
    binary.seek(0)
    return digest.hexdigest()


class Importer:
    """Holds what one run needs across chunks: lookups, seen keys, counts, problems."""

    def __init__(self, run, profile, mapping):
        self.run = run
        self.profile = profile
        self.mapping = mapping
        self.missing = missing_tokens(profile.missing_values)
        self.vocabulary = Vocabulary(profile)
        self.validator = RecordValidator(self.vocabulary, mapping, self.missing)
        self.canonical = mapping.column_of(RECORD_ID) == "slug"
        self.matcher = Matcher(run.network, by_slug=self.canonical)
        self.writer = None if run.dry_run else Writer(run)
        self.counts = dict.fromkeys((CREATED, UPDATED, UNCHANGED, SKIPPED, ERROR), 0)
        self.problems = []
        self.changes = []
        self.seen_keys = {}  # record key → line
        self.seen_neqs = {}
        self.seen_enterprises = {}
        self.open_reviews = self.load_open_reviews()
        self.search_index = ExitStack()
        self.search_indexer = None

    def load_open_reviews(self):
        items = ImportReviewItem.objects.filter(
            run__network=self.run.network, state=ImportReviewItem.State.OPEN
        ).values_list("kind", "enterprise_id", "external_id", "field", "incoming_value")
        return {self.review_key(*item) for item in items}

    @staticmethod
    def review_key(kind, enterprise_id, external_id, field, incoming):
        if kind == ImportReviewItem.Kind.AMBIGUOUS_MATCH:
            return (kind, external_id)
        if kind == ImportReviewItem.Kind.MISSING:
            return (kind, enterprise_id)
        return (kind, enterprise_id, field, json.dumps(incoming, sort_keys=True, default=str))

    def review(self, candidates=(), **fields):
        """Queue a decision for a curator, once: an open item is not queued again."""
        key = self.review_key(
            fields["kind"], fields.get("enterprise_id"), fields.get("external_id", ""),
            fields.get("field", ""), fields.get("incoming_value"),
        )
        if self.writer and key not in self.open_reviews:
            self.open_reviews.add(key)
            self.writer.review(candidates, **fields)

    def reject(self, line, problems):
        self.problems.extend(problems)
        self.counts[ERROR] += 1
        self.note_change(line, ERROR, "", reasons=[p.text() for p in problems])

    def note_change(self, line, kind, name, **details):
        if kind != UNCHANGED and len(self.changes) < PREVIEW_ROWS:
            self.changes.append({"line": line, "kind": kind, "name": name, **details})

    def duplicate_of(self, key, clean, line):
        """The earlier line this row repeats (same record id or NEQ), if any."""
        earlier = self.seen_keys.get(key) or self.seen_neqs.get(clean.get("neq"))
        self.seen_keys.setdefault(key, line)
        if clean.get("neq"):
            self.seen_neqs.setdefault(clean["neq"], line)
        return earlier

    def unchanged_sources(self, chunk):
        """This chunk's sources as last received, when neither the profile nor the enterprise
        changed since: a row identical to its last copy then needs no further work."""
        if not self.mapping.has_record_id:
            return {}
        ids = self.sent_before(self.mapping.record_id(values) for _line, values in chunk)
        if not ids:
            return {}
        return {
            external_id: (enterprise_id, raw)
            for external_id, enterprise_id, raw in EnterpriseSource.objects.filter(
                Q(last_seen_at__gte=self.profile.updated_at),
                Q(last_seen_at__gte=F("enterprise__updated_at")),
                network=self.run.network, external_id__in=ids,
            ).values_list("external_id", "enterprise_id", "raw_record")
        }

    def sent_before(self, keys):
        """Of these record ids, those the network sent in an earlier run: only they can have
        a source yet (a repeat within this run is rejected). A first import asks nothing."""
        known = self.matcher.by_record
        return [key for key in keys if key in known]

    def process(self, chunk):
        pending = []
        unchanged = self.unchanged_sources(chunk)
        for line, values in chunk:
            raw = dict(zip(self.mapping.headers, values, strict=False))
            key = self.mapping.record_id(values)
            enterprise_id, last_raw = unchanged.get(key, (None, None))
            if last_raw == raw and self.first_sighting(line, key, enterprise_id):
                self.counts[UNCHANGED] += 1
                continue
            record = normalize_record(self.mapping.apply(values), self.missing)
            clean, problems = self.validator.validate(line, record)
            errors = [p for p in problems if p.severity == SEVERITY_ERROR]
            self.problems.extend(p for p in problems if p.severity != SEVERITY_ERROR)
            key = record_key(clean)
            earlier = self.duplicate_of(key, clean, line)
            if earlier:
                errors.append(self.validator.problem(
                    line, RECORD_ID, key, _("This row repeats line %(line)d."),
                    params={"line": earlier},
                ))
            if errors:
                self.reject(line, errors)
                continue
            match = self.matcher.match(clean)
            if match.ambiguous:
                self.counts[SKIPPED] += 1
                self.note_change(line, SKIPPED, clean.get("name", ""),
                                 candidates=sorted(match.candidates))
                self.review(match.candidates, kind=ImportReviewItem.Kind.AMBIGUOUS_MATCH,
                            external_id=key, line=line, record=raw)
                continue
            if match.enterprise_id:
                earlier = self.seen_enterprises.setdefault(match.enterprise_id, line)
                if earlier != line:
                    self.reject(line, [self.validator.problem(
                        line, "name", clean.get("name", ""),
                        _("This row describes the same enterprise as line %(line)d."),
                        params={"line": earlier},
                    )])
                    continue
            elif missing := self.validator.missing_required(line, clean):
                self.reject(line, missing)
                continue
            pending.append((line, clean, raw, key, match.enterprise_id))
        self.settle(pending)

    def first_sighting(self, line, key, enterprise_id):
        """Record an unchanged row as seen, unless it repeats an earlier one (then the full
        path reports the duplicate)."""
        if key in self.seen_keys or enterprise_id in self.seen_enterprises:
            return False
        self.seen_keys[key] = line
        self.seen_enterprises[enterprise_id] = line
        return True

    def settle(self, pending):
        """Compare the chunk's matched rows with the directory and hand changes to the writer."""
        matched = [pk for *_, pk in pending if pk]
        existing = load_existing(matched) if matched else {}
        known = self.sent_before(key for _, _, _, key, _ in pending)
        sources = {
            source["external_id"]: source
            for source in EnterpriseSource.objects.filter(
                network=self.run.network, external_id__in=known
            ).values("pk", "external_id", "raw_record", "last_seen_at")
        } if known else {}
        for line, clean, raw, key, pk in pending:
            if pk is None:
                self.counts[CREATED] += 1
                self.note_change(line, CREATED, clean["name"])
                if self.writer:
                    self.writer.create(clean, key, raw, keep_slug=self.canonical)
                continue
            change = compare(existing[pk], clean)
            self.counts[change.kind] += 1
            self.note_change(line, change.kind, clean.get("name") or existing[pk]["name"],
                             enterprise=pk, fields=change.fields, conflicts=change.conflicts)
            for field, (current, incoming) in change.conflicts.items():
                self.review(kind=ImportReviewItem.Kind.CURATED_FIELD, enterprise_id=pk,
                            external_id=key, line=line, field=field,
                            current_value=current, incoming_value=incoming, record=raw)
            if not self.writer:
                continue
            if change.kind == UPDATED:
                self.writer.update(existing[pk], change, clean)
            if key not in sources:
                self.writer.add_source(pk, key, raw)
            elif (change.kind == UPDATED or sources[key]["raw_record"] != raw
                  or self.stale(sources[key], existing[pk])):
                self.writer.refresh_source(sources[key]["pk"], raw)
        if self.writer:
            if len(self.writer.creations) + len(self.writer.updates) >= BULK_INDEX_ROWS:
                self.defer_search_index()
            self.writer.flush()
            if self.search_indexer:
                self.search_indexer.index_touched()

    def defer_search_index(self):
        """Many writes: index the enterprises written chunk by chunk with set-based statements
        (in the background on PostgreSQL), not row by row."""
        if not self.search_indexer:
            self.search_indexer = self.search_index.enter_context(
                deferred_index(touched=self.writer.touched)
            )

    def analyze_sources(self):
        """After a bulk load, fresh statistics for the sources: PostgreSQL otherwise takes
        100 000 new rows for a handful, and the next re-import scans them for every chunk."""
        if self.search_indexer:
            table = EnterpriseSource._meta.db_table
            if connection.vendor == "postgresql":  # the columns looked up, not the records
                table += " (network_id, external_id, enterprise_id, last_seen_at)"
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table}")

    def stale(self, source, existing):
        """Seen before the last change of rules or of the enterprise: mark it seen now, so
        the next identical row takes the short path."""
        return source["last_seen_at"] < max(self.profile.updated_at, existing["updated_at"])

    def flag_missing(self):
        """Enterprises the network listed before but not in this complete export."""
        if not self.profile.complete_exports:
            return 0
        missing = [key for key in self.matcher.by_record if key not in self.seen_keys]
        for key in sorted(missing):
            self.review(kind=ImportReviewItem.Kind.MISSING,
                        enterprise_id=self.matcher.by_record[key], external_id=key)
        if self.writer:
            self.writer.flush()
        return len(missing)

    def error_report(self):
        if not self.problems:
            return ""
        output = io.StringIO()
        writer = csv.writer(output)
        writer.writerow(REPORT_HEADER)
        for problem in self.problems:
            writer.writerow([problem.line, problem.column, problem.value, problem.severity,
                             problem.text("fr"), problem.text("en")])
        return output.getvalue()


def open_with_profile(binary, file_name, profile):
    """The table and its column mapping, reading the sheet and headers the profile names."""
    table = open_table(binary, file_name, profile.sheet_name,
                       partial(looks_like_header, profile_map=profile.column_map))
    return table, ColumnMapping(table.headers, profile)


def run_import(run, binary, progress=None):
    """Read, check, match and (unless a dry run) apply ``binary`` for ``run``; saves the run
    with its counts, preview and error report. ``progress(rows)`` is called per chunk."""
    profile, _created = ImportProfile.objects.get_or_create(network=run.network)
    run.sha256 = sha256_of(binary)
    run.state = run.State.RUNNING
    run.save()
    try:
        table, mapping = open_with_profile(binary, run.file_name, profile)
        if not mapping.has_name:
            raise UnreadableFile(
                _("No column holds the enterprise name: map one in the network's import profile.")
            )
        run.column_map = mapping.column_map
        importer = Importer(run, profile, mapping)
        report = Progress(run)
        with transaction.atomic(), importer.search_index, closing(report):
            rows = iter(table.rows)
            while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
                importer.process(chunk)
                run.total_rows += len(chunk)
                report(run.total_rows)
                if progress:
                    progress(len(chunk))
            run.missing_count = importer.flag_missing()
            importer.analyze_sources()
            if importer.writer and (importer.counts[CREATED] or importer.counts[UPDATED]):
                DirectoryRevision.bump()  # bulk writes send no signals
        run.processed_rows = run.total_rows
    except UnreadableFile as failure:
        return fail(run, failure.message)
    except (DatabaseError, UnicodeDecodeError, csv.Error) as failure:
        return fail(run, _("Nothing was applied: %s") % failure)
    if profile.remember_unknown_values(importer.vocabulary.unknown):
        # Not "updated_at": that marks a change of rules, which makes rows be checked again.
        profile.save(update_fields=["unknown_values"])
    counts = importer.counts
    run.created_count, run.updated_count = counts[CREATED], counts[UPDATED]
    run.unchanged_count, run.skipped_count = counts[UNCHANGED], counts[SKIPPED]
    run.error_count = counts[ERROR]
    run.changes = json_safe(importer.changes)
    run.error_report = importer.error_report()
    run.state = run.State.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


def fail(run, message):
    run.state = run.State.FAILED
    run.failure = str(message)
    run.created_count = run.updated_count = run.unchanged_count = 0
    run.finished_at = timezone.now()
    run.save()
    return run


def json_safe(value):
    return json.loads(json.dumps(value, default=str))

