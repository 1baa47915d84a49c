"""The history of edits kept for our models (django-simple-history), shared by both apps."""

from simple_history.models import HistoricalObjectDescriptor, HistoricalRecords


class ObjectWithJoinedRelations(HistoricalObjectDescriptor):
    """A record's object as it was, holding the related rows its history list already joined,
    so that showing each one (``__str__`` reads its relations) costs no query per record."""

    def __init__(self, model, fields_included):
        super().__init__(model, fields_included)
        self.relations = {field.name for field in fields_included if field.many_to_one}

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
