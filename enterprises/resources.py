"""The canonical directory format: one column per field, several values in a cell joined by `|`.

`docs/import-format.md` documents the columns. The same resource writes the public exports
(CSV, XLSX) and the `export_directory` command, and reads a canonical file back in: exporting
then importing changes nothing. Exports make formula-like cells inert (``inert``); the import
undoes it (``revert_inert``).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from .models import Category, Enterprise, Label, Region, Sector

MULTI_VALUE_SEPARATOR = "|"
# Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
# (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """The cell value, with text that a spreadsheet would run as a formula prefixed by '
    (leading spaces don't disarm a formula)."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def revert_inert(value):
    """The value that ``inert`` was given: a file written by an export imports unchanged."""
    if (isinstance(value, str) and value.startswith("'")
            and value[1:].lstrip(" ").startswith(FORMULA_TRIGGERS)):
        return value[1:]
    return value


class LookupTableMixin:
    """Load the whole (small) reference table once, instead of one query per row."""

    def lookup_table(self):
        if not hasattr(self, "_table"):
            self._table = {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}
        return self._table

    def unknown_value_error(self, values):
        return ValueError(
            _("Unknown %(kind)s: %(values)s.")
            % {"kind": self.model._meta.verbose_name, "values": ", ".join(sorted(values))}
        )


class ReferenceWidget(LookupTableMixin, widgets.ForeignKeyWidget):
    """A foreign key written as its code; an unknown code is a row error with a clear message."""

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        try:
            return self.lookup_table()[value]
        except KeyError:
            raise self.unknown_value_error([value]) from None


class ReferenceListWidget(LookupTableMixin, widgets.ManyToManyWidget):
    """A many-to-many relation written as keys joined by `|`, in a stable (sorted) order."""

    def __init__(self, model, field):
        super().__init__(model, separator=MULTI_VALUE_SEPARATOR, field=field)

    def clean(self, value, row=None, **kwargs):
        keys = {key.strip() for key in str(value or "").split(self.separator)} - {""}
        table = self.lookup_table()
        unknown = keys - table.keys()
        if unknown:
            raise self.unknown_value_error(unknown)
        return [table[key] for key in sorted(keys)]

    def render(self, value, obj=None, **kwargs):
        return self.separator.join(sorted(str(getattr(item, self.field)) for item in value))


class YearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ArithmeticError:
            raise ValueError(_("Enter a year such as 1987.")) from None


class ReferenceListField(fields.Field):
    """A many-to-many column, read from a list prefetched with `to_attr`.

    import-export deep-copies every instance it imports; a prefetched queryset loses its
    cache in the copy and would be queried again for each row, a plain list does not.
    """

    def __init__(self, attribute, model, key):
        super().__init__(
            attribute=attribute, column_name=attribute, widget=ReferenceListWidget(model, key)
        )

    @property
    def prefetched_attribute(self):
        return f"canonical_{self.attribute}"

    def prefetch(self):
        model, key = self.widget.model, self.widget.field
        return Prefetch(
            self.attribute,
            queryset=model.objects.only("pk", key),
            to_attr=self.prefetched_attribute,
        )

    def get_value(self, instance):
        if hasattr(instance, self.prefetched_attribute):
            return getattr(instance, self.prefetched_attribute)
        if instance.pk is None:
            return []
        return list(getattr(instance, self.attribute).all())

    def save(self, instance, row, is_m2m=False, **kwargs):
        related = self.clean(row, **kwargs)
        getattr(instance, self.attribute).set(related)
        setattr(instance, self.prefetched_attribute, related)


class EnterpriseResource(resources.ModelResource):
    """An enterprise as one row of the canonical format, keyed by its slug."""

    region = fields.Field(
        attribute="region", column_name="region", widget=ReferenceWidget(Region, field="code")
    )
    service_area = ReferenceListField("service_area", Region, "code")
    sectors = ReferenceListField("sectors", Sector, "slug")
    categories = ReferenceListField("categories", Category, "slug")
    labels = ReferenceListField("labels", Label, "slug")
    year_founded = fields.Field(
        attribute="year_founded", column_name="year_founded", widget=YearWidget()
    )

    class Meta:
        model = Enterprise
        fields = (
            "name",
            "slug",
            "neq",
            "legal_form",
            "description_fr",
            "description_en",
            "region",
            "service_area",
            "sectors",
            "categories",
            "labels",
            "address",
            "city",
            "postal_code",
            "phone",
            "email",
            "website",
            "employee_band",
            "year_founded",
            "status",
            "verification_status",
            "verified_on",
        )
        export_order = fields
        widgets = {"verified_on": {"format": "%Y-%m-%d"}}
        import_id_fields = ["slug"]
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        chunk_size = 500

    @staticmethod
    def related_list_fields(resource_fields):
        return [f for f in resource_fields.values() if isinstance(f, ReferenceListField)]

    @classmethod
    def with_related(cls, queryset):
        """The queryset with everything a row needs: 1 query + 1 per many-to-many column
        (per chunk when iterated), whatever the number of rows."""
        prefetches = [field.prefetch() for field in cls.related_list_fields(cls.fields)]
        return (
            queryset.select_related("region").prefetch_related(None).prefetch_related(*prefetches)
        )

    def get_queryset(self):
        return self.with_related(Enterprise.objects.all())

    def iter_queryset(self, queryset):
        """Stream in chunks; Django prefetches the related lists chunk by chunk."""
        return self.with_related(queryset).iterator(chunk_size=self.get_chunk_size())

    def export_rows(self, queryset, **render_options):
        """The cells of each row; like ``export_resource()``, with the fields looked up once
        rather than for every row (a third of the time of a large export)."""
        export_fields = self.get_export_fields()
        for instance in self.iter_queryset(queryset):
            yield [field.export(instance, **render_options) for field in export_fields]

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            row[column] = revert_inert(value)

    def import_instance(self, instance, row, **kwargs):
        """Check the many-to-many cells along with the other fields, so that a row with an
        unknown slug is reported as invalid with every other error, not as a crash on save."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.related_list_fields(self.fields):
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged when every cell matches, comparing the related lists as sets of rows."""
        if not self._meta.skip_unchanged or import_validation_errors:
            return False
        for field in self.get_import_fields():
            if isinstance(field, ReferenceListField):
                if field.column_name not in row:
                    continue
                incoming = {obj.pk for obj in field.clean(row)}
                if incoming != {obj.pk for obj in field.get_value(original)}:
                    return False
            elif field.get_value(instance) != field.get_value(original):
                return False
        return True
