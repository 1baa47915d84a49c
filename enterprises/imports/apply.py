"""Stage 7: write a chunk's changes with bulk statements — a handful of queries per thousand
rows, never one per row. Only ever called inside the import's transaction."""

from array import array

from django.utils import timezone
from django.utils.text import slugify

from ..bulk import copy_rows, copy_rows_with_ids, insert_rows
from ..models import Enterprise, EnterpriseSource, ImportReviewItem
from .diff import STORED_FIELDS, attname, m2m_column
from .mapping import MULTI_FIELDS
from .validate import DEFAULT_LEGAL_FORM

BATCH_SIZE = 1000


def scalar_attributes(values):
    return {
        attname(name): values[name]
        for name in STORED_FIELDS
        if name in values and values[name] is not None
    }




class IdSet:
    """Enterprise ids as a bitmap over the range they span: the search index reads an import's
    touched ids at its very end, the import's peak, where a set of 100 000 ints took 7 MB and
    this takes 13 KB. Ids spread over more than ``MAX_SPAN`` fall back to a plain set."""

    MAX_SPAN = 1 << 25  # ids apart: at most 8 MB of bits, either side of the first

    def __init__(self):
        self.clear()

    def clear(self):
        self.base, self.bits, self.count, self.spread = 0, bytearray(), 0, None

    def add(self, pk):
        if self.spread is None and self.bits and not (
            self.base - self.MAX_SPAN < pk < self.base + self.MAX_SPAN
        ):
            self.spread = set(self)
            self.bits = bytearray()
        if self.spread is not None:
            self.spread.add(pk)
            return
        if not self.bits:
            self.base = pk - pk % 8
        if pk < self.base:
            extra = (self.base - pk + 7) // 8
            self.bits[:0] = bytes(extra)
            self.base -= extra * 8
        byte, bit = divmod(pk - self.base, 8)
        if byte >= len(self.bits):
            self.bits.extend(bytes(byte + 1 - len(self.bits)))
        if not self.bits[byte] >> bit & 1:
            self.bits[byte] |= 1 << bit
            self.count += 1

    def update(self, pks):
        for pk in pks:
            self.add(pk)

    def __iter__(self):
        """The ids in increasing order."""
        if self.spread is not None:
            yield from sorted(self.spread)
            return
        for byte, value in enumerate(self.bits):
            if value:
                for bit in range(8):
                    if value >> bit & 1:
                        yield self.base + byte * 8 + bit

    def __len__(self):
        return len(self.spread) if self.spread is not None else self.count

    def __bool__(self):
        return len(self) > 0


class Writer:
    """Buffers one chunk's creations, updates, sources and review items, then flushes them."""

    def __init__(self, run):
        self.run = run
        self.now = timezone.now()
        self._slugs = None
        # Enterprises whose search entry must be refreshed when the index is deferred.
        self.touched = IdSet()
        # The id of the enterprise each row created, by line (a row's stand-in id until then
        # is minus its line): 8 bytes a row, where a dict took about a hundred.
        self.created = array("q")
        self.reset()

    def reset(self):
        self.creations = []  # (attributes, clean values, record key, raw record, stand-in id)
        self.updates = []  # (Enterprise with every loaded field, changed names, clean values)
        self.new_sources = []
        self.changed_sources = []
        self.review_items = []  # (ImportReviewItem, candidate ids)

    @property
    def slugs(self):
        """Every slug in use, loaded on the first creation only."""
        if self._slugs is None:
            self._slugs = set(Enterprise.objects.values_list("slug", flat=True).iterator(5000))
        return self._slugs

    def unique_slug(self, name, preferred=""):
        """The file's own slug when it is one and free (canonical format), else one from
        the name, numbered when taken."""
        if preferred and preferred == slugify(preferred) and preferred not in self.slugs:
            self.slugs.add(preferred)
            return preferred
        base = slugify(name)[:240] or "entreprise"
        slug, number = base, 1
        while slug in self.slugs:
            number += 1
            slug = f"{base}-{number}"
        self.slugs.add(slug)
        return slug

    def create(self, clean, key, raw, stand_in, origins, keep_slug=False):
        slug = self.unique_slug(clean["name"], preferred=key if keep_slug else "")
        values = scalar_attributes(clean)
        values.setdefault("legal_form", DEFAULT_LEGAL_FORM)
        values.update(slug=slug, field_origins=origins,
                      **Enterprise.derived_from_text(values["name"], values.get("neq", "")))
        self.creations.append((values, clean, key, raw, stand_in))

    def update(self, existing, change, clean):
        values = {name: existing[name] for name in STORED_FIELDS}
        values.update({name: new for name, (_, new) in change.fields.items()
                       if name in STORED_FIELDS})
        enterprise = Enterprise(
            pk=existing["pk"], status=existing["status"],
            published_at=existing["published_at"], updated_at=self.now,
            field_origins=change.origins or existing["field_origins"],
            **scalar_attributes(values),
        )
        enterprise.refresh_derived_fields()
        added = {name: clean[name] for name in change.fields if name in MULTI_FIELDS}
        self.updates.append((enterprise, set(change.fields), added))

    def add_source(self, enterprise_id, key, raw, clean):
        """This network's first record of an enterprise already in the directory: the row's
        values as read, for survivorship and for a curator to adopt."""
        self.new_sources.append((enterprise_id, self.run.network_id, key, raw, clean, self.now,
                                 self.now))

    def refresh_source(self, source_pk, key, raw, clean):
        """The network's record as received now; its id too, when the row was matched under
        another key (one source per enterprise and network)."""
        self.changed_sources.append(EnterpriseSource(
            pk=source_pk, external_id=key, raw_record=raw, values=clean,
            last_seen_at=self.now,
        ))

    def review(self, candidates=(), **fields):
        """Queue a review item; its enterprise and candidates may be stand-in ids of rows
        created in this run."""
        self.review_items.append((ImportReviewItem(run=self.run, **fields), candidates))

    def real_id(self, pk):
        if pk is None or pk >= 0:
            return pk
        line = -pk
        return self.created[line] if line < len(self.created) and self.created[line] else pk

    def flush(self):
        if self.creations:
            self.write_creations()
        if self.updates:
            self.touched.update(
                enterprise.pk for enterprise, names, _ in self.updates
                if names & SEARCHED_FIELDS
            )
            changed = set().union(*(names for _, names, _ in self.updates)) & set(STORED_FIELDS)
            columns = {attname(name) for name in changed}
            if changed:
                columns.add("field_origins")
            Enterprise.objects.bulk_update(
                [enterprise for enterprise, *_ in self.updates],
                sorted(columns | {"name_folded", "neq_checksum_failed", "updated_at"}),
                batch_size=BATCH_SIZE,
            )
            self.add_relations((enterprise.pk, clean) for enterprise, _, clean in self.updates)

        insert_sources(self.new_sources)
        EnterpriseSource.objects.bulk_update(
            self.changed_sources, ["external_id", "raw_record", "values", "last_seen_at"],
            batch_size=BATCH_SIZE,
        )
        items = [item for item, _ in self.review_items]
        for item in items:
            item.enterprise_id = self.real_id(item.enterprise_id)
        ImportReviewItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
        ImportReviewItem.candidates.through.objects.bulk_create([
            ImportReviewItem.candidates.through(
                importreviewitem_id=item.pk, enterprise_id=self.real_id(pk)
            )
            for item, candidates in self.review_items
            for pk in candidates
        ], batch_size=BATCH_SIZE)
        self.reset()

    def write_creations(self):
        pks = insert_enterprises([values for values, *_ in self.creations])
        self.touched.update(pks.values())
        # Seen after the enterprises were stamped, so an identical row next time is known
        # to be unchanged.
        seen_at = timezone.now()
        sources = []
        for values, clean, key, raw, stand_in in self.creations:
            line = -stand_in
            if line >= len(self.created):
                self.created.extend([0] * (line + 1 - len(self.created)))
            self.created[line] = pks[values["slug"]]
            sources.append((pks[values["slug"]], self.run.network_id, key, raw, clean, seen_at,
                            seen_at))
        # Just created: their links and sources cannot exist yet, and the INSERT above went
        # through the execute wrappers that COPY bypasses.
        self.add_relations(((pks[values["slug"]], clean) for values, clean, *_ in self.creations),
                           new=True)
        insert_sources(sources, new=True)

    def add_relations(self, pairs, new=False):
        """Add the sectors, categories, labels and regions served (never removes any), as
        plain rows: building a model instance per link cost a fifth of a first import.
        ``new``: the enterprises were created by this flush, so none of their links exists."""
        rows = {name: [] for name in MULTI_FIELDS}
        for pk, clean in pairs:
            for name in MULTI_FIELDS:
                rows[name].extend((pk, related) for related in clean.get(name, ()))
        for name, pairs in rows.items():
            if pairs:
                insert_links(name, pairs, new=new)
                if name in SEARCHED_RELATIONS:
                    self.touched.update(pk for pk, _related in pairs)


# What the search index holds: a change to one of these refreshes the enterprise's entry.
SEARCHED_FIELDS = {"name", "description_fr", "description_en"}
SEARCHED_RELATIONS = ("sectors", "categories")


def insert_enterprises(rows):
    """Insert enterprises given as {attname: value}, the other columns at their defaults;
    returns {slug: pk}. Model instances and Django's per-value preparation cost more than
    the database did; on PostgreSQL, COPY (ids drawn first) costs less than an INSERT."""
    now = timezone.now()
    defaults = {
        model_field.attname: (
            now if getattr(model_field, "auto_now", False)
            or getattr(model_field, "auto_now_add", False)
            else model_field.get_default()
        )
        for model_field in Enterprise._meta.concrete_fields
        if not model_field.primary_key
    }
    ids = copy_rows_with_ids(Enterprise, list(defaults), (
        [row.get(name, default) for name, default in defaults.items()] for row in rows
    ))
    return dict(zip((row["slug"] for row in rows), ids, strict=True))


def insert_sources(rows, new=False):
    """Insert (enterprise id, network id, record id, raw record, values, first seen, last
    seen); with COPY when they are the sources of enterprises just created."""
    write = copy_rows if new else insert_rows
    write(EnterpriseSource, ["enterprise_id", "network_id", "external_id", "raw_record",
                             "values", "first_seen_at", "last_seen_at"], rows)


def insert_links(field_name, pairs, new=False):
    """INSERT … ON CONFLICT DO NOTHING of (enterprise id, related id) pairs, a thousand rows
    per statement, or COPY when they are ``new``; the labels' own columns get their
    defaults."""
    through, column = m2m_column(field_name)
    extra = [
        model_field for model_field in through._meta.concrete_fields
        if not model_field.primary_key and model_field.attname not in ("enterprise_id", column)
    ]
    tail = tuple(model_field.get_default() for model_field in extra)
    attnames = ["enterprise_id", column, *(f.attname for f in extra)]
    rows = ((*pair, *tail) for pair in pairs)
    if new:
        copy_rows(through, attnames, rows)
    else:
        insert_rows(through, attnames, rows, conflict=" ON CONFLICT DO NOTHING")
