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
from collections import Counter
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from functools import partial

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    DirectoryRevision,
    Enterprise,
    EnterpriseSource,
    ImportChange,
    ImportProfile,
    ImportReviewItem,
)
from ..places import PlaceResolver
from ..resources import inert
from ..search import deferred_index
from .apply import Writer, insert_rows
from .diff import (
    CREATED,
    ERROR,
    IDENTITY_FIELDS,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    Survivorship,
    load_existing,
    source_values,
)
from .mapping import FIELDS, RECORD_ID, ColumnMapping, Vocabulary, looks_like_header
from .match import Matcher, name_similarity, record_key
from .normalize import missing_tokens, names_in_capitals, normalize_record
from .progress import Progress
from .read import UnreadableFile, open_table
from .validate import ERROR as SEVERITY_ERROR
from .validate import WARNING as SEVERITY_WARNING
from .validate import RecordValidator, WarningKind

CHUNK_SIZE = 1000
BULK_INDEX_ROWS = 500
REPORT_HEADER = ["line", "column", "value", "severity", "raison", "reason"]
# Two rows of one file with the same NEQ describe one enterprise when their names are this
# alike (0 to 100, ``name_similarity``): then the second repeats the first.
SAME_NAME_SCORE = 90
NO_WARNINGS = ()
# Review items about two enterprises side by side, whichever source saw them first.
PAIRS = (ImportReviewItem.Kind.IDENTITY_CONFLICT, ImportReviewItem.Kind.POSSIBLE_DUPLICATE)
# What the identity-conflict review item shows of each side.
IDENTITY_SUMMARY = ["name", "neq", "address", "city", "postal_code", "phone", "email", "website"]


def sha256_of(binary):
    digest = hashlib.sha256()
    binary.seek(0)
    while chunk := binary.read(1024 * 1024):
        digest.update(chunk)
    binary.seek(0)
    return digest.hexdigest()


@dataclass
class Row:
    """A row on its way to the directory, with what it leaves for a curator."""

    line: int
    clean: dict
    raw: dict
    key: str
    enterprise_id: int | None = None  # negative: a stand-in for an enterprise this run creates
    warnings: list = field(default_factory=list)
    conflict_with: int | None = None  # the enterprise its NEQ or record id points to
    keeps_identity: bool = False  # matched by record id under another name: name kept
    duplicates: set = field(default_factory=set)
    shared_neq: tuple | None = None  # (NEQ, line, name, enterprise) of the row holding it


class Importer:
    """Holds what one run needs across chunks: lookups, seen keys, counts, problems."""

    def __init__(self, run, profile, mapping):
        self.run = run
        self.profile = profile
        self.mapping = mapping
        self.missing = missing_tokens(profile.missing_values)
        self.vocabulary = Vocabulary(profile)
        places = PlaceResolver(former_names=(profile.value_maps or {}).get("municipality"))
        self.validator = RecordValidator(self.vocabulary, mapping, self.missing, places)
        self.constants = {
            name: value for name, value in normalize_record(
                {name: str(value) for name, value in (profile.constant_values or {}).items()
                 if name in FIELDS}, self.missing,
            ).items() if value
        }
        # Decided on the first chunk: only a file that writes its names in capitals (as the
        # register does) gets them in title case; elsewhere a name in capitals is a choice.
        self.title_case_names = None
        self.canonical = mapping.column_of(RECORD_ID) == "slug"
        self.matcher = Matcher(run.network, by_slug=self.canonical)
        self.writer = None if run.dry_run else Writer(run)
        self.survivorship = Survivorship(run.network, timezone.now())
        self.counts = dict.fromkeys((CREATED, UPDATED, UNCHANGED, SKIPPED, ERROR), 0)
        self.warning_counts = Counter()
        self.problems = []
        self.changes = []  # this chunk's ImportChange rows, enterprise ids possibly stand-ins
        self.texts = {}
        self.seen_keys = {}  # record key → line
        # NEQ → enterprise id (a stand-in for one created) of the row that holds it: an int
        # already held by the matcher, where a (line, name, id) tuple cost 150 bytes a row.
        self.seen_neqs = {}
        self.chunk_names = {}  # line → name, for the chunk's rows only
        # Enterprise id → line of the row that matched it. An enterprise this run created is
        # known by its stand-in id, minus its line: a row matching it repeats that line.
        self.seen_enterprises = {}
        self.open_reviews = self.load_open_reviews()
        self.search_index = ExitStack()
        self.search_indexer = None

    def load_open_reviews(self):
        """Keys of the open items this run must not queue again: this network's, and the
        pairs of enterprises any source put side by side."""
        items = ImportReviewItem.objects.filter(
            Q(run__network=self.run.network) | Q(kind__in=PAIRS), state=ImportReviewItem.State.OPEN
        )
        pairs = {}
        for item_id, pk in ImportReviewItem.candidates.through.objects.filter(
            importreviewitem__in=items.filter(kind__in=PAIRS)
        ).values_list("importreviewitem_id", "enterprise_id"):
            pairs.setdefault(item_id, []).append(pk)
        return {
            self.review_key(kind, enterprise_id, external_id, field, incoming, pairs.get(pk, ()))
            for pk, kind, enterprise_id, external_id, field, incoming in items.values_list(
                "pk", "kind", "enterprise_id", "external_id", "field", "incoming_value")
        }

    @staticmethod
    def review_key(kind, enterprise_id, external_id, field, incoming, candidates=()):
        if kind == ImportReviewItem.Kind.AMBIGUOUS_MATCH:
            return (kind, external_id)
        if kind == ImportReviewItem.Kind.MISSING:
            return (kind, enterprise_id)
        if kind in PAIRS:
            return (kind, frozenset({enterprise_id, *candidates}))
        return (kind, enterprise_id, field, json.dumps(incoming, sort_keys=True, default=str))

    def review(self, candidates=(), **fields):
        """Queue a decision for a curator, once: an open item is not queued again."""
        key = self.review_key(
            fields["kind"], fields.get("enterprise_id"), fields.get("external_id", ""),
            fields.get("field", ""), fields.get("incoming_value"), candidates,
        )
        if self.writer and key not in self.open_reviews:
            self.open_reviews.add(key)
            self.writer.review(candidates, **fields)

    def text(self, problem, language):
        """A problem's reason in one language; most rows share a handful of reasons. Keyed by
        the message's identity (hashing a lazy message would translate it), which the cache
        keeps alive so that the identity is never reused."""
        key = (language, id(problem.message), tuple(sorted(problem.params.items())))
        if key not in self.texts:
            self.texts[key] = (problem.text(language), problem.message)
        return self.texts[key][0]

    def note_change(self, line, kind, name, enterprise_id=None, warnings=(), **details):
        """A row's outcome for the preview (unchanged rows only when they carry warnings)."""
        if kind == UNCHANGED and not warnings:
            return
        self.warning_counts.update({problem.kind for problem in warnings})
        # Rows without warnings share one empty list, which the insert converts once.
        self.changes.append([line, kind, name[:255], enterprise_id, [
            {"kind": problem.kind, "column": problem.column, "value": problem.value,
             "fr": self.text(problem, "fr"), "en": self.text(problem, "en")}
            for problem in warnings
        ] if warnings else NO_WARNINGS, details])

    def reject(self, line, problems, name=""):
        self.problems.extend(problems)
        self.counts[ERROR] += 1
        self.note_change(line, ERROR, name, reasons=[
            {"column": p.column, "value": p.value, "fr": self.text(p, "fr"),
             "en": self.text(p, "en")} for p in problems if p.severity == SEVERITY_ERROR
        ])

    def unchanged_sources(self, chunk):
        """This chunk's sources as last received, when neither the profile nor the enterprise
        changed since: a row identical to its last copy then needs no further work."""
        if not self.mapping.has_record_id or self.profile.pk is None:
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
        self.chunk_names = {}
        unchanged = self.unchanged_sources(chunk)
        if self.title_case_names is None:
            self.title_case_names = names_in_capitals(
                self.mapping.apply(values) for _line, values in chunk
            )
        for line, values in chunk:
            raw = dict(zip(self.mapping.headers, values, strict=False))
            key = self.mapping.record_id(values)
            enterprise_id, last_raw = unchanged.get(key, (None, None))
            if last_raw == raw and self.first_sighting(line, key, enterprise_id):
                self.counts[UNCHANGED] += 1
                continue
            record = normalize_record(
                self.mapping.apply(values), self.missing, self.title_case_names
            )
            for name, value in self.constants.items():
                if not record.get(name):
                    record[name] = value
            clean, problems = self.validator.validate(line, record)
            row = self.examine(line, clean, problems, raw)
            if row:
                pending.append(row)
        self.settle(pending)

    def examine(self, line, clean, problems, raw):
        """Match one validated row; None when it is refused or waits for a curator."""
        errors = [p for p in problems if p.severity == SEVERITY_ERROR]
        warnings = [p for p in problems if p.severity != SEVERITY_ERROR]
        name = clean.get("name", "")
        neq = clean.get("neq")
        shared_neq = None
        if neq and neq in self.seen_neqs and not errors:
            holder = self.seen_neqs[neq]
            earlier, earlier_name = self.holder_row(holder)
            if name_similarity(earlier_name, name) >= SAME_NAME_SCORE:
                errors.append(self.validator.problem(
                    line, "neq", neq, _("This row repeats line %(line)d."),
                    params={"line": earlier},
                ))
            else:
                # Another enterprise of this file holds the NEQ: this one lands without it
                # (and, without a record id, is known by its name).
                shared_neq = (clean.pop("neq"), earlier, earlier_name, holder)
        key = record_key(clean)
        earlier = self.seen_keys.setdefault(key, line)
        if earlier != line and not errors:
            errors.append(self.validator.problem(
                line, RECORD_ID, key, _("This row repeats line %(line)d."),
                params={"line": earlier},
            ))
        if errors:
            self.reject(line, errors + warnings, name)
            return None
        self.problems.extend(warnings)
        row = Row(line, clean, raw, key, warnings=warnings, shared_neq=shared_neq)
        if shared_neq:
            self.flag(row, "neq", neq, WarningKind.SHARED_NEQ, _(
                "Line %(line)d has this NEQ under another name: this row lands without it."
            ), {"line": shared_neq[1]})
        match = self.matcher.match(clean)
        if match.identity_conflict:
            match = self.resolve_conflict(row, match)
        if match.ambiguous:
            self.counts[SKIPPED] += 1
            self.note_change(line, SKIPPED, name, candidates=sorted(match.candidates))
            self.review(match.candidates, kind=ImportReviewItem.Kind.AMBIGUOUS_MATCH,
                        external_id=key, line=line, record=raw)
            return None
        if match.enterprise_id:
            earlier = (-match.enterprise_id if match.enterprise_id < 0
                       else self.seen_enterprises.setdefault(match.enterprise_id, line))
            if earlier != line:
                self.reject(line, [self.validator.problem(
                    line, "name", name,
                    _("This row describes the same enterprise as line %(line)d."),
                    params={"line": earlier},
                )], name)
                return None
            row.enterprise_id = match.enterprise_id
        elif missing := self.validator.missing_required(line, clean):
            self.reject(line, missing, name)
            return None
        else:
            # One int for the stand-in id, kept by the matcher's indexes and seen_neqs.
            row.enterprise_id = stand_in = -line
            row.duplicates = set(match.possible_duplicates)
            self.matcher.learn(stand_in, clean)
            if row.duplicates:
                self.flag(row, "name", name, WarningKind.POSSIBLE_DUPLICATE, _(
                    "A similar enterprise is in the same place: created, and left for a "
                    "curator to merge or keep apart."
                ))
        if clean.get("neq") and clean["neq"] not in self.seen_neqs:
            self.seen_neqs[clean["neq"]] = row.enterprise_id
        self.chunk_names[line] = name
        return row

    def holder_row(self, holder):
        """(line, name) of the row that took a NEQ first, looked up only when another row
        brings the same NEQ: from this chunk, else from the directory as written so far, else
        (a preview's earlier chunk) the name as the matcher compares it."""
        line = -holder if holder < 0 else self.seen_enterprises[holder]
        if line in self.chunk_names:
            return line, self.chunk_names[line]
        real = self.writer.real_id(holder) if self.writer else holder
        if real > 0:
            return line, Enterprise.objects.filter(pk=real).values_list("name", flat=True).get()
        return line, self.matcher.keys.get(holder, "")

    def flag(self, row, field_name, value, kind, message, params=None):
        row.warnings.append(self.validator.problem(
            row.line, field_name, value, message, SEVERITY_WARNING, params, kind
        ))
        self.problems.append(row.warnings[-1])

    def resolve_conflict(self, row, match):
        """Matched by NEQ or record id while the names disagree. The name and contacts of the
        enterprise the identifier points to are never changed by this row: the row goes to the
        enterprise with its name, or lands on its own without the NEQ, or (a network's own
        record id) updates the rest only. A curator sees both side by side."""
        clean = row.clean
        if match.conflicting_id:
            row.conflict_with = match.conflicting_id
        elif match.via == "neq":
            row.conflict_with = match.enterprise_id
            if self.takes_neq_from(match.enterprise_id, clean["neq"]):
                self.matcher.by_neq.pop(clean["neq"], None)
            else:
                clean.pop("neq")
            match = self.matcher.match(clean)
        else:
            row.conflict_with = match.enterprise_id
            row.keeps_identity = True
        if clean.get("neq") and self.matcher.by_neq.get(clean["neq"]) == row.conflict_with:
            clean.pop("neq")
        self.flag(row, "name", clean.get("name", ""), WarningKind.IDENTITY_CONFLICT, _(
            "Its NEQ or record id belongs to an enterprise of another name: that one is left "
            "as it is, for a curator to compare."
        ))
        return match

    def takes_neq_from(self, other, neq):
        """Whether this source outranks whoever gave ``other`` the NEQ (the register over a
        network's typo): the NEQ then moves to this row's enterprise."""
        if other < 0:
            return False
        origins, curated = Enterprise.objects.filter(pk=other).values_list(
            "field_origins", "curated_fields").get()
        if "neq" in curated or not self.survivorship.outranks("neq", origins):
            return False
        if self.writer:
            Enterprise.objects.filter(pk=other, neq=neq).update(
                neq="", neq_checksum_failed=False, updated_at=timezone.now())
        return True

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
        matched = {row.enterprise_id for row in pending if row.enterprise_id > 0}
        shown = {row.conflict_with for row in pending if row.conflict_with}
        existing = load_existing(matched | shown) if matched or shown else {}
        sources = {
            source["enterprise_id"]: source
            for source in EnterpriseSource.objects.filter(
                network=self.run.network, enterprise_id__in=matched
            ).values("pk", "enterprise_id", "external_id", "raw_record", "values",
                     "last_seen_at")
        } if matched else {}
        for row in pending:
            if row.enterprise_id < 0:
                self.create(row)
            else:
                self.update(row, existing[row.enterprise_id], sources.get(row.enterprise_id))
            self.leave_for_review(row, existing)
        if self.writer:
            if len(self.writer.creations) + len(self.writer.updates) >= BULK_INDEX_ROWS:
                self.defer_search_index()
            self.writer.flush()
        # Before the chunk's refresh is sent: the next statement waits for the refresh, which
        # should run while the next chunk is read and matched.
        self.save_changes()
        if self.search_indexer:
            self.search_indexer.index_touched()

    def create(self, row):
        self.counts[CREATED] += 1
        # An applied import finds them on the source record (``preview.describe``).
        values = {} if self.writer else {"values": row.clean}
        self.note_change(row.line, CREATED, row.clean["name"], row.enterprise_id, row.warnings,
                         **values)
        if self.writer:
            self.writer.create(row.clean, row.key, row.raw, row.enterprise_id,
                               self.survivorship.origins(), keep_slug=self.canonical)

    def update(self, row, current, source):
        pk = row.enterprise_id
        clean = row.clean
        if row.keeps_identity:
            clean = {name: value for name, value in clean.items() if name not in IDENTITY_FIELDS}
        change = self.survivorship.compare(current, clean, source["values"] if source else None)
        self.counts[change.kind] += 1
        self.note_change(row.line, change.kind, clean.get("name") or current["name"], pk,
                         row.warnings, fields=change.fields, conflicts=change.conflicts,
                         withheld=change.withheld)
        for name, (current_value, incoming) in change.conflicts.items():
            self.review(kind=ImportReviewItem.Kind.CURATED_FIELD, enterprise_id=pk,
                        external_id=row.key, line=row.line, field=name,
                        current_value=current_value, incoming_value=incoming, record=row.raw)
        if not self.writer:
            return
        if change.kind == UPDATED:
            self.writer.update(current, change, clean)
        # A record id that names another enterprise's source (an identity conflict sent the
        # row elsewhere) stays with that source.
        owner = self.matcher.by_record.get(row.key)
        key = row.key if owner in (None, pk) else (source or {}).get("external_id")
        if key is None:
            return
        if source is None:
            self.writer.add_source(pk, key, row.raw, row.clean)
        elif (change.kind == UPDATED or source["raw_record"] != row.raw
              or source["external_id"] != key or self.stale(source, current)):
            self.writer.refresh_source(source["pk"], key, row.raw,
                                       source_values(row.clean, source["values"]))

    def leave_for_review(self, row, existing):
        """The row's bad values, identity conflict, shared NEQ and possible duplicates, each
        once for its enterprise."""
        pk, common = row.enterprise_id, {"external_id": row.key, "line": row.line,
                                         "record": row.raw}
        for problem in row.warnings:
            if problem.kind == WarningKind.INVALID_VALUE:
                self.review(kind=ImportReviewItem.Kind.INVALID_VALUE, enterprise_id=pk,
                            field=problem.field, incoming_value=problem.value, **common)
        if row.conflict_with:
            other = existing.get(row.conflict_with, {})  # empty: created by this run
            self.review([row.conflict_with], kind=ImportReviewItem.Kind.IDENTITY_CONFLICT,
                        enterprise_id=pk, field="neq",
                        current_value={name: other.get(name) for name in IDENTITY_SUMMARY},
                        incoming_value={name: row.clean.get(name) for name in IDENTITY_SUMMARY},
                        **common)
        if row.shared_neq:
            neq, line, name, holder = row.shared_neq
            self.review([holder], kind=ImportReviewItem.Kind.IDENTITY_CONFLICT, enterprise_id=pk,
                        field="neq", current_value={"line": line, "name": name, "neq": neq},
                        incoming_value={"line": row.line, "name": row.clean.get("name"),
                                        "neq": neq},
                        **common)
        if row.duplicates:
            self.review(row.duplicates, kind=ImportReviewItem.Kind.POSSIBLE_DUPLICATE,
                        enterprise_id=pk, incoming_value=sorted(row.duplicates), **common)

    def save_changes(self):
        """The chunk's outcomes for the preview, in one bulk insert, with real enterprise
        ids."""
        if not self.changes:
            return
        real = self.writer.real_id if self.writer else lambda pk: pk if pk and pk > 0 else None
        insert_rows(ImportChange, ["run_id", "line", "kind", "name", "enterprise_id",
                                   "warnings", "details"], (
            (self.run.pk, line, kind, name, real(pk), warnings, details)
            for line, kind, name, pk, warnings, details in self.changes
        ))
        self.changes = []

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
        """Enterprises whose record in this network no row of this complete export matched,
        whatever key matched them (record id, NEQ or name)."""
        if not self.profile.complete_exports:
            return 0
        missing = sorted(
            (key, pk) for key, pk in self.matcher.by_record.items()
            if pk not in self.seen_enterprises and key not in self.seen_keys
        )
        for key, pk in missing:
            self.review(kind=ImportReviewItem.Kind.MISSING, enterprise_id=pk, external_id=key)
        if self.writer:
            self.writer.flush()
        return len(missing)

    def error_report(self):
        if not self.problems:
            return ""
        output = io.StringIO()
        writer = csv.writer(output)
        writer.writerow(REPORT_HEADER)
        for problem in sorted(self.problems, key=lambda problem: problem.line):
            row = [problem.line, problem.column, problem.value, problem.severity,
                   self.text(problem, "fr"), self.text(problem, "en")]
            # Values come from the file: a formula in one must stay text in a spreadsheet.
            writer.writerow([inert(cell) for cell in row])
        return output.getvalue()


def open_with_profile(binary, file_name, profile):
    """The table and its column mapping, reading the sheet and headers the profile names."""
    table = open_table(binary, file_name, profile.sheet_name,
                       partial(looks_like_header, profile_map=profile.column_map))
    return table, ColumnMapping(table.headers, profile)


def run_import(run, binary, progress=None):
    """Read, check, match and (unless a dry run) apply ``binary`` for ``run``; saves the run
    with its counts, preview and error report. ``progress(rows)`` is called per chunk.

    A network imported for the first time gets its profile with the first import that
    applies; a preview saves it only when it succeeds (a failed one leaves no trace)."""
    profile = (ImportProfile.objects.filter(network=run.network).first()
               or ImportProfile(network=run.network))
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
            if profile.pk is None and not run.dry_run:
                profile.save()
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
    if profile.remember_unknown_values(importer.vocabulary.unknown) and profile.pk:
        # Not "updated_at": that marks a change of rules, which makes rows be checked again.
        profile.save(update_fields=["unknown_values"])
    elif profile.pk is None:
        profile.save()
    counts = importer.counts
    run.created_count, run.updated_count = counts[CREATED], counts[UPDATED]
    run.unchanged_count, run.skipped_count = counts[UNCHANGED], counts[SKIPPED]
    run.error_count = counts[ERROR]
    run.warning_counts = dict(importer.warning_counts)
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
