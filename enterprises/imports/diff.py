"""Stage 6: compare a clean record with the enterprise it matched (survivorship).

Blank cells never erase a value, and multi-valued fields only gain values (several networks
may describe one enterprise). Fields a curator edited by hand become conflicts, not changes.
Each network has a rank per field group (``Network.ranks``): a source never overwrites a field
last set by a higher-ranked one (``Enterprise.field_origins``); at equal rank the newest value
wins, where newest means one the source did not send last time, so re-importing files in any
order settles instead of flipping fields back and forth.
"""

import functools
from dataclasses import dataclass, field

from ..models import FIELD_GROUPS, Enterprise, Network
from .mapping import MULTI_FIELDS, SCALAR_FIELDS

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"
ERROR = "error"

FOREIGN_KEYS = {"region", "municipality", "mrc"}
# Every single-valued field an import writes: the file's own, and the place it resolves to.
STORED_FIELDS = list(dict.fromkeys([*SCALAR_FIELDS, "municipality", "mrc"]))
# What an identity in doubt may not change: the name and how to reach the enterprise.
IDENTITY_FIELDS = {name for name, group in FIELD_GROUPS.items()
                   if group in ("identity", "contact")}


# The field_origins key for every field the source that created the enterprise filled.
CREATOR = "*"
# The source values key listing, per field, the values a source has sent over time.
SENT = "_sent"
# The origin name (``field_origins[field] = [ENTERPRISE_ORIGIN, iso stamp]``) of a field the
# enterprise's own people set on their profile: it ranks above every network and below
# curators, so an import never overwrites it and shows its value as withheld instead.
ENTERPRISE_ORIGIN = "enterprise"


def set_by_enterprise(name, origins):
    """Whether the enterprise's own people set ``name`` last."""
    origin = origins.get(name)
    return bool(origin) and origin[0] == ENTERPRISE_ORIGIN


def attname(name):
    return f"{name}_id" if name in FOREIGN_KEYS else name


LOADED_FIELDS = [
    "pk", "status", "published_at", "updated_at", "curated_fields", "field_origins",
    *(attname(name) for name in STORED_FIELDS),
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
        for name in FOREIGN_KEYS:
            row[name] = row.pop(f"{name}_id")
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
    withheld: dict = field(default_factory=dict)  # set by a higher-ranked source → same
    origins: dict | None = None  # the enterprise's new field_origins when fields change


class Survivorship:
    """Which source may set which field, for one network's import."""

    def __init__(self, network, now):
        self.network_id = network.pk
        self.ranks = {other.pk: other.ranks for other in Network.objects.all()}
        self.own = self.ranks.get(network.pk) or network.ranks
        self.stamp = now.isoformat()

    def origins(self):
        """``field_origins`` of an enterprise this source creates: every field it filled
        (``*``), which costs one entry instead of one per field on a first import."""
        return {CREATOR: [self.network_id, self.stamp]}

    def may_set(self, name, origins, news):
        """Whether this source may overwrite ``name``, given who set it last; ``news``: the
        value differs from what this source sent last time (or it never sent any)."""
        origin = origins.get(name) or origins.get(CREATOR)
        if not origin:
            return True
        if origin[0] == ENTERPRISE_ORIGIN:
            return False
        if origin[0] == self.network_id:
            return news
        group = FIELD_GROUPS[name]
        theirs = self.ranks.get(origin[0], {}).get(group)
        if theirs is None:  # set by a network since deleted
            return True
        mine = self.own[group]
        return mine > theirs or (mine == theirs and news)

    def outranks(self, name, origins):
        """Whether this source ranks strictly above whoever set ``name`` last."""
        origin = origins.get(name) or origins.get(CREATOR)
        if not origin or origin[0] in (self.network_id, ENTERPRISE_ORIGIN):
            return False
        theirs = self.ranks.get(origin[0], {}).get(FIELD_GROUPS[name])
        return theirs is not None and self.own[FIELD_GROUPS[name]] > theirs

    def compare(self, existing, clean, previous=None):
        """The change that applying ``clean`` to ``existing`` (a ``load_existing`` row) makes;
        ``previous`` are the values this source sent last time (None: never)."""
        curated = set(existing["curated_fields"] or [])
        origins = existing["field_origins"] or {}
        fields, conflicts, withheld = {}, {}, {}
        for name in STORED_FIELDS:
            incoming = clean.get(name)
            if incoming in (None, "") or incoming == existing[name]:
                continue
            pair = (existing[name], incoming)
            if name in curated:
                conflicts[name] = pair
            elif set_by_enterprise(name, origins):  # even a value its people cleared
                withheld[name] = pair
            elif existing[name] in (None, "") or self.may_set(
                name, origins, self.news(name, incoming, previous)
            ):  # a blank field is filled by any source
                fields[name] = pair
            else:
                withheld[name] = pair
        for name in MULTI_FIELDS:
            added = set(clean.get(name, ())) - existing[name]
            if not added:
                continue
            if name in curated:
                target = conflicts
            elif set_by_enterprise(name, origins):
                target = withheld
            else:
                target = fields
            target[name] = (tuple(sorted(existing[name])), tuple(sorted(existing[name] | added)))
        change = Change(UPDATED if fields else UNCHANGED, fields, conflicts, withheld)
        if any(name in STORED_FIELDS for name in fields):
            change.origins = {**origins, **{name: [self.network_id, self.stamp]
                                            for name in fields if name in STORED_FIELDS}}
        return change

    @staticmethod
    def news(name, incoming, previous):
        """Whether this source never sent this value for this field (single values only: they
        read back from JSON as they were sent). A network sending two files that disagree
        (a directory and a member list) has sent both values: neither takes the field back."""
        if previous is None:
            return True
        return incoming != previous.get(name) and incoming not in previous.get(SENT, {}).get(
            name, ())


def source_values(clean, previous):
    """What a source record keeps of a row: its values as read and, per field where this
    source sent several values over time, each of them (``news``)."""
    values = dict(clean)
    sent = dict((previous or {}).get(SENT, {}))
    for name in STORED_FIELDS:
        before, now = (previous or {}).get(name), clean.get(name)
        if before not in (None, "") and now not in (None, "") and before != now:
            sent[name] = sorted({*sent.get(name, ()), before, now}, key=str)
    if sent:
        values[SENT] = sent
    return values
