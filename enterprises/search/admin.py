"""The synonym sets in the admin: staff edit them, and the next search uses them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import SynonymSet


@admin.register(SynonymSet)
class SynonymSetAdmin(SimpleHistoryAdmin):
    list_display = ["term_summary", "category", "updated_at"]
    list_select_related = ["category"]
    list_filter = [("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["terms", "category__name", "category__name_en"]
    autocomplete_fields = ["category"]
    fields = ["terms", "category"]

    @admin.display(description=_("terms"))
    def term_summary(self, synonym_set):
        return str(synonym_set)
