"""Staff curation of the directory: the reference lists, the enterprises and their provenance."""

import json
import re
from functools import cache

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .admin_merge import merge_selected
from .admin_sources import NetworkForm, SourceValuesMixin
from .history import ActionHistoryMixin
from .models import (
    Category,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    FieldGroup,
    Label,
    Mrc,
    Municipality,
    Network,
    Region,
    Sector,
)
from .places import place_key
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


class ReadOnlyReferenceAdmin(admin.ModelAdmin):
    """An official list loaded by a migration: staff search it and pick from it, never edit it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mrc)
class MrcAdmin(ReadOnlyReferenceAdmin):
    list_display = ["name", "code", "kind", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "code", "slug"]


@cache
def municipality_keys():
    """(id, ``place_key`` of the name) of every municipality: the official list changes only
    through migrations."""
    return [(pk, place_key(name)) for pk, name in Municipality.objects.values_list("pk", "name")]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyReferenceAdmin):
    list_display = ["name", "designation", "mrc", "region", "population", "code"]
    list_filter = ["region"]
    list_select_related = ["mrc", "region"]
    search_fields = ["name", "code", "town_hall_postal_code"]

    def get_search_results(self, request, queryset, search_term):
        """Also match the name as people type it: ``st-roch mekinac`` finds
        Saint-Roch-de-Mékinac."""
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        words = place_key(search_term).split()
        if not words:
            return results, may_have_duplicates
        pks = [pk for pk, key in municipality_keys() if all(word in key for word in words)]
        return results | queryset.filter(pk__in=pks), may_have_duplicates


@admin.register(Network)
class NetworkAdmin(SimpleHistoryAdmin):
    form = NetworkForm
    list_display = ["name", "kind", "website", "directory_url"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "website", "directory_url"]}),
        (_("Rank per field group"), {
            "fields": [f"rank_{group}" for group in FieldGroup],
            "description": _("A curator's edit outranks every source."),
        }),
    ]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["ranks_list"]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            # The per-group ranks are fields of the form only: a reader sees them as one list.
            return [self.fieldsets[0], (self.fieldsets[1][0], {"fields": ["ranks_list"]})]
        return self.fieldsets

    @admin.display(description=_("Rank per field group"))
    def ranks_list(self, network):
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{} — {}</li>", (
                (FieldGroup(group).label, rank) for group, rank in network.ranks.items()
            )),
        )


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


class EnterpriseAdminForm(forms.ModelForm):
    """The region and MRC follow from the municipality (an MRC alone gives the region):
    a curator who picks a region or an MRC elsewhere is told, and publishing needs a region."""

    def clean(self):
        cleaned = super().clean()
        municipality, mrc = cleaned.get("municipality"), cleaned.get("mrc")
        region = cleaned.get("region")
        if municipality is not None:
            if "mrc" in self.changed_data and mrc is not None and mrc.pk != municipality.mrc_id:
                self.add_error("mrc", _(
                    "%(municipality)s is not in this MRC: leave the MRC empty, it follows the "
                    "municipality."
                ) % {"municipality": municipality})
            if (
                "region" in self.changed_data and region is not None
                and region.pk != municipality.region_id
            ):
                self.add_error("region", _(
                    "%(municipality)s is not in this region: leave the region empty, it follows "
                    "the municipality."
                ) % {"municipality": municipality})
            region = municipality.region
        elif mrc is not None:
            if "region" in self.changed_data and region is not None and region.pk != mrc.region_id:
                self.add_error("region", _(
                    "The MRC %(mrc)s is not in this region: leave the region empty, it follows "
                    "the MRC."
                ) % {"mrc": mrc})
            region = mrc.region
        if cleaned.get("status") == Enterprise.Status.PUBLISHED and region is None:
            self.add_error("status", _(
                "An enterprise without a region cannot be published: choose its municipality, "
                "its MRC or its region first."
            ))
        # The model's checks (a published enterprise has a region) see the derived place.
        if "region" in cleaned:
            cleaned["region"] = region
        if municipality is not None and "mrc" in cleaned:
            cleaned["mrc"] = municipality.mrc
        return cleaned


@admin.register(Enterprise)
class EnterpriseAdmin(SourceValuesMixin, ActionHistoryMixin, SimpleHistoryAdmin):
    form = EnterpriseAdminForm
    list_display = [
        "name", "neq", "legal_form", "region", "status", "verification_status",
        "neq_checksum_failed", "updated_at",
    ]
    list_filter = [
        "status", "legal_form", "region", "verification_status", "labels", "neq_checksum_failed",
    ]
    list_select_related = ["region"]
    search_fields = ["name", "neq", "city"]
    autocomplete_fields = [
        "sectors", "categories", "region", "municipality", "mrc", "service_area", "mrcs_served",
    ]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["neq_checksum_failed", "published_at", "created_at", "updated_at",
                       "incoming_values"]
    inlines = [EnterpriseLabelInline, EnterpriseSourceInline]
    actions = ["publish", "archive", merge_selected]
    fieldsets = [
        (None, {"fields": ["name", "slug", "legal_form", "status", "published_at"]}),
        (_("Identification"), {
            "fields": [
                "neq", "neq_checksum_failed", "verification_status", "verified_on", "confirmed_on",
            ],
        }),
        (_("Descriptions"), {"fields": ["description_fr", "description_en"]}),
        (_("What it offers"), {"fields": ["sectors", "categories"]}),
        (_("Where"), {
            "fields": [
                "municipality", "mrc", "region", "service_area", "mrcs_served", "address", "city",
                "postal_code",
            ],
            "description": _("The MRC and the region follow from the municipality; an MRC "
                             "alone gives the region."),
        }),
        (_("Contact"), {"fields": ["phone", "email", "website"]}),
        (_("Size and history"), {"fields": ["employee_band", "year_founded"]}),
        (_("Social impact"), {"fields": ["integration_workers", "employees_with_disabilities"]}),
        (_("Sources"), {"fields": ["incoming_values"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "neq":
            # Room for the spaces people type ("1160 0000 03"); the model keeps the 10 digits.
            kwargs["max_length"] = 20
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            derived = ["mrc", "region"] if "municipality" in form.changed_data else []
            obj.record_curator_edit([*form.changed_data, *derived])
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
        """Publish the selection, leaving out (and counting) the enterprises without a region,
        which the public directory could not place."""
        count = self.change_status(request, queryset, "publish", _("Published"))
        skipped = queryset.exclude(status=Enterprise.Status.PUBLISHED).count()
        self.message_user(
            request,
            ngettext(
                "%(count)d enterprise published.", "%(count)d enterprises published.", count
            ) % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d enterprise was left unpublished because it has no region: "
                    "choose its municipality, its MRC or its region first.",
                    "%(count)d enterprises were left unpublished because they have no region: "
                    "choose their municipality, MRC or region first.",
                    skipped,
                ) % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Archive the selected enterprises"), permissions=["change"])
    def archive(self, request, queryset):
        count = self.change_status(request, queryset, "archive", _("Archived"))
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
from .search import admin as search_admin  # noqa: E402,F401  (registers the synonym sets' admin)
