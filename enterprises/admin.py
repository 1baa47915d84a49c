"""Staff curation of the directory: the reference lists, the enterprises and their provenance."""

import json
import re

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .admin_merge import merge_selected
from .history import ActionHistoryMixin
from .models import (
    Category,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    Label,
    Network,
    Region,
    Sector,
)
from .validators import fold

# What staff may type for a NEQ: digits with the spaces, dashes or dots people put in them.
NEQ_AS_TYPED = re.compile(r"[\d\s\-.]+")

admin.site.site_header = _("Social economy directory: administration")
admin.site.site_title = _("Directory administration")
admin.site.index_title = _("Curation of the directory and of the purchases")


class EnglishNameMissingFilter(admin.SimpleListFilter):
    """Reference rows still waiting for their English name, which the English site shows."""

    title = _("English name")
    parameter_name = "english_name"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("present", _("Present"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(name_en="")
        if self.value() == "present":
            return queryset.exclude(name_en="")
        return queryset


class BilingualReferenceAdmin(SimpleHistoryAdmin):
    """The reference lists: a French name, its English twin, a slug made from the name."""

    list_filter = [EnglishNameMissingFilter]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(BilingualReferenceAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Sector)
class SectorAdmin(BilingualReferenceAdmin):
    list_display = ["name", "name_en", "naics_code"]
    search_fields = ["name", "name_en", "naics_code"]


@admin.register(Category)
class CategoryAdmin(BilingualReferenceAdmin):
    list_display = ["name", "name_en", "parent", "unspsc_code"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter), EnglishNameMissingFilter]
    list_select_related = ["parent"]
    search_fields = ["name", "name_en", "unspsc_code"]
    autocomplete_fields = ["parent"]


@admin.register(Label)
class LabelAdmin(BilingualReferenceAdmin):
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]


@admin.register(Network)
class NetworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "website", "directory_url"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class SourceProvenanceMixin:
    """Provenance is written by the imports; staff read it, never edit it."""

    provenance_fields = ["network", "external_id", "raw_record_pretty", "first_seen_at",
                         "last_seen_at"]
    readonly_fields = provenance_fields

    @admin.display(description=_("record as received"))
    def raw_record_pretty(self, source):
        text = json.dumps(source.raw_record, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre class="raw-record">{}</pre>', text)


class EnterpriseLabelInline(admin.TabularInline):
    model = EnterpriseLabel
    extra = 0
    autocomplete_fields = ["label"]


class EnterpriseSourceInline(SourceProvenanceMixin, admin.StackedInline):
    model = EnterpriseSource
    extra = 0
    can_delete = False
    show_change_link = True
    fields = SourceProvenanceMixin.provenance_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("network")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ActionHistoryMixin, SimpleHistoryAdmin):
    list_display = [
        "name", "neq", "legal_form", "region", "status", "verification_status",
        "neq_checksum_failed", "updated_at",
    ]
    list_filter = [
        "status", "legal_form", "region", "verification_status", "labels", "neq_checksum_failed",
    ]
    list_select_related = ["region"]
    search_fields = ["name", "neq", "city"]
    autocomplete_fields = ["sectors", "categories", "region", "service_area"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["neq_checksum_failed", "published_at", "created_at", "updated_at"]
    inlines = [EnterpriseLabelInline, EnterpriseSourceInline]
    actions = ["publish", "archive", merge_selected]
    fieldsets = [
        (None, {"fields": ["name", "slug", "legal_form", "status", "published_at"]}),
        (_("Identification"), {
            "fields": ["neq", "neq_checksum_failed", "verification_status", "verified_on"],
        }),
        (_("Descriptions"), {"fields": ["description_fr", "description_en"]}),
        (_("What it offers"), {"fields": ["sectors", "categories"]}),
        (_("Where"), {
            "fields": ["region", "service_area", "address", "city", "postal_code"],
        }),
        (_("Contact"), {"fields": ["phone", "email", "website"]}),
        (_("Size and history"), {"fields": ["employee_band", "year_founded"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "neq":
            # Room for the spaces people type ("1160 0000 03"); the model keeps the 10 digits.
            kwargs["max_length"] = 20
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.record_curator_edit(form.changed_data)
        super().save_model(request, obj, form, change)

    def get_search_results(self, request, queryset, search_term):
        """Also match names without their accents, and a NEQ typed with spaces."""
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        words = search_term.split()
        if not words:
            return results, may_have_duplicates
        matches = Q()
        for word in words:
            matches &= Q(name_folded__contains=fold(word))
        if NEQ_AS_TYPED.fullmatch(search_term.strip()):
            matches |= Q(neq__startswith=re.sub(r"\D", "", search_term))
        return results | queryset.filter(matches), may_have_duplicates

    @admin.action(description=_("Publish the selected enterprises"), permissions=["change"])
    def publish(self, request, queryset):
        pks = list(
            queryset.exclude(status=Enterprise.Status.PUBLISHED).values_list("pk", flat=True)
        )
        count = Enterprise.objects.filter(pk__in=pks).publish()
        self.record_history(request, pks, _("Published"))
        self.message_user(
            request,
            ngettext(
                "%(count)d enterprise published.", "%(count)d enterprises published.", count
            ) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Archive the selected enterprises"), permissions=["change"])
    def archive(self, request, queryset):
        pks = list(
            queryset.exclude(status=Enterprise.Status.ARCHIVED).values_list("pk", flat=True)
        )
        count = Enterprise.objects.filter(pk__in=pks).archive()
        self.record_history(request, pks, _("Archived"))
        self.message_user(
            request,
            ngettext(
                "%(count)d enterprise archived.", "%(count)d enterprises archived.", count
            ) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(EnterpriseLabel)
class EnterpriseLabelAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "label", "awarded_on", "issuer"]
    list_filter = ["label"]
    list_select_related = ["enterprise", "label"]
    search_fields = ["enterprise__name", "label__name", "issuer"]
    autocomplete_fields = ["enterprise", "label"]


@admin.register(EnterpriseSource)
class EnterpriseSourceAdmin(SourceProvenanceMixin, admin.ModelAdmin):
    """Sources arrive through the imports; staff may only re-link one to another enterprise."""

    list_display = ["external_id", "network", "enterprise", "first_seen_at", "last_seen_at"]
    list_filter = ["network"]
    list_select_related = ["network", "enterprise"]
    search_fields = ["external_id", "enterprise__name"]
    autocomplete_fields = ["enterprise"]
    fields = ["enterprise", *SourceProvenanceMixin.provenance_fields]

    def has_add_permission(self, request):
        return False


from . import admin_imports  # noqa: E402,F401  (registers the import admin)
