"""Staff write the programs' texts here, in French and in English."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Page, ProcurementSheet, VideoCapsule


class EnglishMissingFilter(admin.SimpleListFilter):
    """Rows whose English title is still missing: the English site shows the French one."""

    title = _("English version")
    parameter_name = "english"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("present", _("Present"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(title_en="")
        if self.value() == "present":
            return queryset.exclude(title_en="")
        return queryset


@admin.register(ProcurementSheet)
class ProcurementSheetAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "is_published", "updated_at"]
    list_filter = [
        "is_published", EnglishMissingFilter,
        ("category__parent", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["category"]
    search_fields = ["title", "title_en", "category__name", "category__name_en"]
    autocomplete_fields = ["category"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["category", "title", "title_en", "slug", "is_published"]}),
        (_("The market in brief"), {"fields": ["market", "market_en"]}),
        (
            _("What to require in a call for tenders"),
            {"fields": ["requirements", "requirements_en"]},
        ),
        (_("Sample clauses"), {"fields": ["sample_clauses", "sample_clauses_en"]}),
        (_("Social and environmental benefits"), {"fields": ["benefits", "benefits_en"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]


class VideoCapsuleForm(forms.ModelForm):
    """Room for a pasted address: the model keeps only the id it finds in it."""

    video_id = forms.CharField(
        label=VideoCapsule._meta.get_field("video_id").verbose_name,
        help_text=VideoCapsule._meta.get_field("video_id").help_text,
        max_length=300,
    )

    class Meta:
        model = VideoCapsule
        fields = [
            "title", "title_en", "slug", "is_published", "member", "enterprises",
            "summary", "summary_en", "provider", "video_id", "transcript", "transcript_en",
        ]


@admin.register(VideoCapsule)
class VideoCapsuleAdmin(admin.ModelAdmin):
    form = VideoCapsuleForm
    list_display = ["title", "member", "provider", "is_published", "created_at"]
    list_filter = ["is_published", "provider", EnglishMissingFilter]
    list_select_related = ["member"]
    search_fields = ["title", "title_en", "member__name", "enterprises__name"]
    autocomplete_fields = ["member", "enterprises"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "title_en", "slug", "is_published"]}),
        (_("Partnership"), {"fields": ["member", "enterprises", "summary", "summary_en"]}),
        (_("Video"), {"fields": ["provider", "video_id"]}),
        (_("Transcript"), {"fields": ["transcript", "transcript_en"]}),
    ]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "menu_order", "updated_at"]
    list_editable = ["menu_order"]
    list_filter = ["is_published", EnglishMissingFilter]
    search_fields = ["title", "title_en", "body", "body_en"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "title_en", "slug", "is_published", "menu_order"]}),
        (_("French text"), {"fields": ["summary", "body"]}),
        (_("English text"), {"fields": ["summary_en", "body_en"]}),
    ]
