"""The history of edits kept for our models (django-simple-history), shared by both apps."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import gettext
from simple_history.models import HistoricalObjectDescriptor, HistoricalRecords
from simple_history.template_utils import HistoricalRecordContextHelper

# What a history page shows for a value that was empty.
EMPTY = "—"


class ObjectWithJoinedRelations(HistoricalObjectDescriptor):
    """A record's object as it was, holding the related rows its history list already joined,
    so that showing each one (``__str__`` reads its relations) costs no query per record.
    A one-to-one relation (an enterprise's settings row) is joined like a foreign key."""

    def __init__(self, model, fields_included):
        super().__init__(model, fields_included)
        self.relations = {
            field.name for field in fields_included if field.many_to_one or field.one_to_one
        }

    def __get__(self, record, owner):
        obj = super().__get__(record, owner)
        if record is not None:
            obj._state.fields_cache.update({
                name: related for name, related in record._state.fields_cache.items()
                if name in self.relations
            })
        return obj


class History(HistoricalRecords):
    """``HistoricalRecords`` whose admin history page costs the same queries for any length."""

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["history_object"] = ObjectWithJoinedRelations(model, self.fields_included(model))
        return extra


class ActionHistoryMixin:
    """For model admins whose actions update in bulk, which skips the signals that write
    history: the action records the rows it changed, with the staff member and its name."""

    def change_status(self, request, queryset, change, reason):
        """Call the bulk QuerySet method named ``change`` (``publish``, ``validate``…) on the
        selection, record the rows whose status it changed, and return how many there are."""
        manager = self.model._default_manager
        before = dict(queryset.values_list("pk", "status"))
        getattr(manager.filter(pk__in=before), change)()
        after = manager.filter(pk__in=before).values_list("pk", "status")
        changed = [pk for pk, status in after if status != before[pk]]
        self.record_history(request, changed, reason)
        return len(changed)

    def record_history(self, request, pks, reason):
        changed = self.model._default_manager.filter(pk__in=pks)
        self.model.history.bulk_history_create(
            list(changed), batch_size=500, update=True, default_user=request.user,
            default_change_reason=str(reason),
        )


class LabelledChanges(HistoricalRecordContextHelper):
    """A change as staff read it: the field's label, a choice's label in the page's language
    (« archivé → publié », not ``archived → published``), dates, numbers and yes/no as the
    language writes them, and a dash for an empty value instead of ``None``."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "" or value == []:
            return EMPTY
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, datetime):
            return formats.date_format(localtime(value), "DATETIME_FORMAT")
        if isinstance(value, date):
            return formats.date_format(value, "DATE_FORMAT")
        if isinstance(value, (Decimal, float, int)):
            return formats.number_format(value, force_grouping=True)
        return super().prepare_delta_change_value(change, value)


def labelled_history(records):
    """``(record, changes)`` for each record of a history page, newest first, its changes from
    the version just before it with :class:`LabelledChanges`. The oldest record of a page is
    compared with the newest of the next page (one query), so no page has a row without its
    changes but the very first version."""
    records = list(records)
    rows = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else record.prev_record
        changes = []
        if older is not None:
            delta = record.diff_against(older, foreign_keys_are_objs=True)
            changes = LabelledChanges(record.instance_type, record).context_for_delta_changes(delta)
        rows.append((record, changes))
    return rows
