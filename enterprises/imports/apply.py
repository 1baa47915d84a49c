"""Stage 7: write a chunk's changes with bulk statements — a handful of queries per thousand
rows, never one per row. Only ever called inside the import's transaction."""

from django.utils import timezone
from django.utils.text import slugify

from ..models import Enterprise, EnterpriseSource, ImportReviewItem
from .diff import m2m_column
from .mapping import MULTI_FIELDS, SCALAR_FIELDS

BATCH_SIZE = 500


def scalar_attributes(values):
    return {
        ("region_id" if name == "region" else name): values[name]
        for name in SCALAR_FIELDS
        if name in values and values[name] is not None
    }


class Writer:
    """Buffers one chunk's creations, updates, sources and review items, then flushes them."""

    def __init__(self, run):
        self.run = run
        self.now = timezone.now()
        self._slugs = None
        self.reset()

    def reset(self):
        self.creations = []  # (Enterprise, clean values, record key, raw record)
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

    def create(self, clean, key, raw, keep_slug=False):
        slug = self.unique_slug(clean["name"], preferred=key if keep_slug else "")
        enterprise = Enterprise(**scalar_attributes(clean), slug=slug)
        enterprise.refresh_derived_fields()
        self.creations.append((enterprise, clean, key, raw))

    def update(self, existing, change, clean):
        values = {name: existing[name] for name in SCALAR_FIELDS}
        values.update({name: new for name, (_, new) in change.fields.items()
                       if name in SCALAR_FIELDS})
        enterprise = Enterprise(
            pk=existing["pk"], status=existing["status"],
            published_at=existing["published_at"], updated_at=self.now,
            **scalar_attributes(values),
        )
        enterprise.refresh_derived_fields()
        added = {name: clean[name] for name in change.fields if name in MULTI_FIELDS}
        self.updates.append((enterprise, set(change.fields), added))

    def add_source(self, enterprise_id, key, raw, seen_at=None):
        self.new_sources.append(EnterpriseSource(
            enterprise_id=enterprise_id, network_id=self.run.network_id, external_id=key,
            raw_record=raw, first_seen_at=seen_at or self.now, last_seen_at=seen_at or self.now,
        ))

    def refresh_source(self, source_pk, raw):
        self.changed_sources.append(
            EnterpriseSource(pk=source_pk, raw_record=raw, last_seen_at=self.now)
        )

    def review(self, candidates=(), **fields):
        self.review_items.append((ImportReviewItem(run=self.run, **fields), candidates))

    def flush(self):
        created = [enterprise for enterprise, *_ in self.creations]
        Enterprise.objects.bulk_create(created, batch_size=BATCH_SIZE)
        # Seen after the enterprises were stamped, so an identical row next time is known
        # to be unchanged.
        seen_at = timezone.now()
        for enterprise, _clean, key, raw in self.creations:
            self.add_source(enterprise.pk, key, raw, seen_at)
        self.add_relations((enterprise, clean) for enterprise, clean, *_ in self.creations)

        if self.updates:
            changed = set().union(*(names for _, names, _ in self.updates)) & set(SCALAR_FIELDS)
            columns = {"region_id" if name == "region" else name for name in changed}
            Enterprise.objects.bulk_update(
                [enterprise for enterprise, *_ in self.updates],
                sorted(columns | {"name_folded", "neq_checksum_failed", "updated_at"}),
                batch_size=BATCH_SIZE,
            )
            self.add_relations((enterprise, clean) for enterprise, _, clean in self.updates)

        EnterpriseSource.objects.bulk_create(self.new_sources, batch_size=BATCH_SIZE)
        EnterpriseSource.objects.bulk_update(
            self.changed_sources, ["raw_record", "last_seen_at"], batch_size=BATCH_SIZE
        )
        items = [item for item, _ in self.review_items]
        ImportReviewItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
        ImportReviewItem.candidates.through.objects.bulk_create([
            ImportReviewItem.candidates.through(importreviewitem_id=item.pk, enterprise_id=pk)
            for item, candidates in self.review_items
            for pk in candidates
        ], batch_size=BATCH_SIZE)
        self.reset()

    @staticmethod
    def add_relations(pairs):
        """Add the sectors, categories, labels and regions served (never removes any)."""
        rows = {name: [] for name in MULTI_FIELDS}
        for enterprise, clean in pairs:
            for name in MULTI_FIELDS:
                through, column = m2m_column(name)
                rows[name].extend(
                    through(enterprise_id=enterprise.pk, **{column: related})
                    for related in clean.get(name, ())
                )
        for name, objects in rows.items():
            if objects:
                through, _ = m2m_column(name)
                through.objects.bulk_create(objects, batch_size=BATCH_SIZE, ignore_conflicts=True)
