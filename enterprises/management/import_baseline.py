"""The baseline ``benchmark_import`` compares the import pipeline with: the canonical format
read back by django-import-export, as the export's resource with an import half.

It is benchmark code only: the directory's imports all go through ``enterprises.imports``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets
from import_export.instance_loaders import CachedInstanceLoader

from enterprises.models import Category, Label, Region, Sector
from enterprises.resources import (
    FORMULA_TRIGGERS,
    EnterpriseResource,
    ReferenceListField,
    ReferenceListWidget,
)


def revert_inert(value):
    """The value that ``resources.inert`` was given: an exported file imports unchanged."""
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
    """A foreign key written as its code; an unknown code is a row error."""

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        try:
            return self.lookup_table()[value]
        except KeyError:
            raise self.unknown_value_error([value]) from None


class ReferenceListReader(LookupTableMixin, ReferenceListWidget):
    """Keys joined by `|`, each looked up in its table; unknown keys are a row error."""

    def clean(self, value, row=None, **kwargs):
        keys = {key.strip() for key in str(value or "").split(self.separator)} - {""}
        table = self.lookup_table()
        unknown = keys - table.keys()
        if unknown:
            raise self.unknown_value_error(unknown)
        return [table[key] for key in sorted(keys)]


class ReferenceListImportField(ReferenceListField):
    def __init__(self, attribute, model, key):
        super().__init__(attribute, model, key)
        self.widget = ReferenceListReader(model, key)

    def save(self, instance, row, is_m2m=False, **kwargs):
        related = self.clean(row, **kwargs)
        getattr(instance, self.attribute).set(related)
        setattr(instance, self.prefetched_attribute, related)


class BaselineResource(EnterpriseResource):
    """An enterprise as one row of the canonical format, imported by its slug."""

    region = fields.Field(
        attribute="region", column_name="region", widget=ReferenceWidget(Region, field="code")
    )
    service_area = ReferenceListImportField("service_area", Region, "code")
    sectors = ReferenceListImportField("sectors", Sector, "slug")
    categories = ReferenceListImportField("categories", Category, "slug")
    labels = ReferenceListImportField("labels", Label, "slug")

    class Meta(EnterpriseResource.Meta):
        import_id_fields = ["slug"]
        instance_loader_class = CachedInstanceLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

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
