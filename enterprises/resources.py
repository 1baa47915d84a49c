"""The canonical directory format: one column per field, several values in a cell joined by `|`.

`docs/import-format.md` documents the columns. The same resource writes the `export_directory`
command and the import admin's download (the public exports are ``exports.READABLE_COLUMNS``);
`import_directory` reads them back unchanged.
Exports make formula-like cells inert (``inert``); the import undoes it.
"""

from django.db.models import Prefetch
from import_export import fields, resources, widgets

from .models import Category, Enterprise, Label, Mrc, Municipality, Region, Sector

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


class ReferenceListWidget(widgets.ManyToManyWidget):
    """A many-to-many relation written as keys joined by `|`, in a stable (sorted) order."""

    def __init__(self, model, field):
        super().__init__(model, separator=MULTI_VALUE_SEPARATOR, field=field)

    def render(self, value, obj=None, **kwargs):
        return self.separator.join(sorted(str(getattr(item, self.field)) for item in value))


class ReferenceListField(fields.Field):
    """A many-to-many column, read from a list prefetched with `to_attr`: one query per column
    and chunk of rows, and a list that survives the copies import-export makes of an instance
    (a prefetched queryset would lose its cache in them)."""

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


class EnterpriseResource(resources.ModelResource):
    """An enterprise as one row of the canonical format."""

    region = fields.Field(
        attribute="region", column_name="region",
        widget=widgets.ForeignKeyWidget(Region, field="code"),
    )
    # Official codes, so that a file read back finds the same places whatever the city text.
    municipality = fields.Field(
        attribute="municipality", column_name="municipality_code",
        widget=widgets.ForeignKeyWidget(Municipality, field="code"),
    )
    mrc = fields.Field(
        attribute="mrc", column_name="mrc", widget=widgets.ForeignKeyWidget(Mrc, field="code"),
    )
    service_area = ReferenceListField("service_area", Region, "code")
    mrcs_served = ReferenceListField("mrcs_served", Mrc, "code")
    sectors = ReferenceListField("sectors", Sector, "slug")
    categories = ReferenceListField("categories", Category, "slug")
    labels = ReferenceListField("labels", Label, "slug")

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
            "mrcs_served",
            "sectors",
            "categories",
            "labels",
            "address",
            "city",
            "municipality",
            "mrc",
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
            queryset.select_related("region", "municipality", "mrc")
            .prefetch_related(None).prefetch_related(*prefetches)
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
