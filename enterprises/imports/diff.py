"""Stage 6: compare a clean record with the enterprise it matched.

Blank cells never erase a value, and multi-valued fields only gain values (several networks
may describe one enterprise). Fields a curator edited by hand become conflicts, not changes.
"""

import functools
from dataclasses import dataclass, field

from ..models import Enterprise
from .mapping import MULTI_FIELDS, SCALAR_FIELDS

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"
ERROR = "error"

LOADED_FIELDS = [
    "pk", "status", "published_at", "updated_at", "curated_fields",
    *("region_id" if name == "region" else name for name in SCALAR_FIELDS),
]


@functools.cache
def m2m_column(field_name):
    """The through model and its column pointing at the related object."""
    through = Enterprise._meta.get_field(field_name).remote_field.through
    column = next(
        f.attname for f in through._meta.concrete_fields
        if f.is_relation and f.related_model is not Enterprise
    )
    return through, column


def load_existing(pks):
    """Current values of these enterprises: one query for the scalars, one per relation."""
    existing = {
        row["pk"]: row for row in Enterprise.objects.filter(pk__in=pks).values(*LOADED_FIELDS)
    }
    for row in existing.values():
        row["region"] = row.pop("region_id")
        for name in MULTI_FIELDS:
            row[name] = set()
    for name in MULTI_FIELDS:
        through, column = m2m_column(name)
        pairs = through.objects.filter(enterprise_id__in=pks).values_list("enterprise_id", column)
        for pk, related in pairs:
            existing[pk][name].add(related)
    return existing


@dataclass
class Change:
    kind: str
    fields: dict = field(default_factory=dict)  # name → (current, incoming)
    conflicts: dict = field(default_factory=dict)  # curated name → (current, incoming)


def compare(existing, clean):
    """The change that applying ``clean`` to ``existing`` (a ``load_existing`` row) makes."""
    curated = set(existing["curated_fields"] or [])
    fields, conflicts = {}, {}
    for name in SCALAR_FIELDS:
        incoming = clean.get(name)
        if incoming in (None, "") or incoming == existing[name]:
            continue
        (conflicts if name in curated else fields)[name] = (existing[name], incoming)
    for name in MULTI_FIELDS:
        added = set(clean.get(name, ())) - existing[name]
        if not added:
            continue
        target = conflicts if name in curated else fields
        target[name] = (tuple(sorted(existing[name])), tuple(sorted(existing[name] | added)))
    return Change(UPDATED if fields else UNCHANGED, fields, conflicts)
