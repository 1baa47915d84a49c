"""What a run's page shows of its changes: counts by kind first, then every row's outcome, a
page at a time, in the page's language (field labels, reference values by name)."""

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.utils import translation

from ..models import (
    FIELD_GROUPS,
    Category,
    Enterprise,
    EnterpriseSource,
    ImportChange,
    Label,
    Mrc,
    Municipality,
    Region,
    Sector,
)
from .mapping import RECORD_ID, RECORD_ID_LABEL
from .validate import WarningKind

PAGE_SIZE = 50
RELATED = {
    "region": Region, "service_area": Region, "municipality": Municipality, "mrc": Mrc,
    "mrcs_served": Mrc,
    "sectors": Sector, "categories": Category, "labels": Label,
}


@dataclass
class Line:
    change: ImportChange
    values: list = field(default_factory=list)  # (label, current or None, incoming)
    kept: list = field(default_factory=list)  # (label, current, incoming) a curator set
    withheld: list = field(default_factory=list)  # (label, current, incoming) outranked
    warnings: list = field(default_factory=list)  # (column, value, reason)
    reasons: list = field(default_factory=list)  # (column, value, reason)


def counts(run):
    """(kind, label, count) for the run's outcomes and each kind of warning met."""
    landed = [
        (ImportChange.Kind.CREATED, run.created_count),
        (ImportChange.Kind.UPDATED, run.updated_count),
        (ImportChange.Kind.UNCHANGED, run.unchanged_count),
    ]
    warnings = [(kind, (run.warning_counts or {}).get(kind, 0)) for kind in WarningKind]
    held = [
        (ImportChange.Kind.SKIPPED, run.skipped_count),
        (ImportChange.Kind.ERROR, run.error_count),
    ]
    return [
        (kind.value, kind.label, count)
        for kind, count in [*landed, *((k, c) for k, c in warnings if c), *held]
    ]


def changes_of(run, kind=""):
    """The run's changes of one kind (an outcome or a warning), in the file's order."""
    changes = run.change_rows.order_by("line")
    if kind in ImportChange.Kind.values:
        return changes.filter(kind=kind)
    if kind in WarningKind.values:
        # Warning kinds are distinct words stored quoted in the row's list of warnings.
        return changes.filter(warnings__icontains=f'"{kind}"')
    return changes


def page_of(run, kind, number):
    page = Paginator(changes_of(run, kind), PAGE_SIZE).get_page(number)
    page.lines = describe(page.object_list, run.network_id)
    return page


def describe(changes, network_id):
    """The page's changes with labels and names resolved: one query per reference list.

    An applied import keeps the values of the enterprises it created on their source record
    (``EnterpriseSource.values``), not a second time on the change: they are read from there,
    as the network last sent them."""
    changes = list(changes)
    created = [change.enterprise_id for change in changes
               if change.kind == ImportChange.Kind.CREATED and change.enterprise_id
               and "values" not in (change.details or {})]
    if created:
        sent = dict(EnterpriseSource.objects.filter(
            network_id=network_id, enterprise_id__in=created
        ).values_list("enterprise_id", "values"))
        for change in changes:
            if change.enterprise_id in sent and "values" not in (change.details or {}):
                change.details = {**(change.details or {}), "values": sent[change.enterprise_id]}
    wanted = {}
    for change in changes:
        for name, value in value_pairs(change.details):
            if name in RELATED:
                wanted.setdefault(RELATED[name], set()).update(ids(value))
    names = {
        model: {obj.pk: str(obj) for obj in model.objects.filter(pk__in=pks)}
        for model, pks in wanted.items() if pks
    }
    language = translation.get_language() or "fr"
    lines = []
    for change in changes:
        details = change.details or {}
        line = Line(change)
        if "values" in details:
            line.values = [(label(name), None, shown(name, value, names))
                           for name, value in details["values"].items()
                           if name in FIELD_GROUPS]
        for target, key in ((line.values, "fields"), (line.kept, "conflicts"),
                            (line.withheld, "withheld")):
            for name, (current, incoming) in (details.get(key) or {}).items():
                target.append((label(name), shown(name, current, names),
                               shown(name, incoming, names)))
        line.warnings = [(column_label(w["column"]), w["value"], w.get(language[:2]) or w["en"])
                         for w in change.warnings]
        line.reasons = [(column_label(r["column"]), r["value"], r.get(language[:2]) or r["en"])
                        for r in details.get("reasons", ())]
        lines.append(line)
    return lines


def value_pairs(details):
    for name, value in (details.get("values") or {}).items():
        yield name, value
    for key in ("fields", "conflicts", "withheld"):
        for name, pair in (details.get(key) or {}).items():
            yield name, pair[0]
            yield name, pair[1]


def ids(value):
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def label(name):
    try:
        return Enterprise._meta.get_field(name).verbose_name
    except FieldDoesNotExist:  # a field since renamed: its name still says what it was
        return name


def column_label(column):
    """A file's column as the curator reads it: a canonical file's header (``postal_code``)
    by its field's label in the page's language, any other header as the file writes it."""
    if column in FIELD_GROUPS:
        return label(column)
    if column == RECORD_ID:
        return RECORD_ID_LABEL
    return column


def shown(name, value, names):
    """A value as a curator reads it: names for ids, labels for choices."""
    if value is None or value == "" or value == []:
        return ""
    if name in RELATED:
        found = names.get(RELATED[name], {})
        return ", ".join(found.get(pk, str(pk)) for pk in ids(value))
    choices = dict(Enterprise._meta.get_field(name).flatchoices) if name in (
        "legal_form", "employee_band") else {}
    return str(choices.get(value, value))
