"""Merging duplicates in the admin: the buttons of a "possible duplicate" review item, and the
action that merges two selected enterprises after the curator chooses the one that stays."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .merge import merge_enterprises, merge_review_item, not_a_duplicate
from .models import Enterprise, ImportReviewItem

MERGE_PERMISSIONS = ("enterprises.change_enterprise", "enterprises.delete_enterprise")


def can_merge(request):
    """Merging deletes an enterprise: it takes the right to change and to delete them."""
    return request.user.has_perms(MERGE_PERMISSIONS)


def change_url(enterprise):
    return reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])


class DuplicateReviewMixin:
    """For the review queue's admin: a "possible duplicate" item shows one button per
    candidate, « Merge into … », and a « Not a duplicate » button."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.kind == ImportReviewItem.Kind.POSSIBLE_DUPLICATE:
            fields.append("duplicate_decision")
        return fields

    @admin.display(description=_("Decision"))
    def duplicate_decision(self, item):
        """Buttons that post the change form (with its CSRF token) to the merge views: a form
        cannot sit inside the admin's own."""
        if item.state != ImportReviewItem.State.OPEN or item.enterprise is None:
            return _("Resolved.")
        merge_url = reverse("admin:enterprises_importreviewitem_merge", args=[item.pk])
        buttons = format_html_join(
            " ", '<button type="submit" class="button" formaction="{}" formnovalidate '
            'name="survivor" value="{}">{}</button>',
            ((merge_url, candidate.pk, _("Merge « %(duplicate)s » into « %(survivor)s »") % {
                "duplicate": item.enterprise, "survivor": candidate,
            }) for candidate in item.candidates.all()),
        )
        return format_html(
            '{} <button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
            buttons,
            reverse("admin:enterprises_importreviewitem_not_duplicate", args=[item.pk]),
            _("Not a duplicate"),
        )

    def get_urls(self):
        return [
            path("<int:pk>/merge/", self.admin_site.admin_view(self.merge_view),
                 name="enterprises_importreviewitem_merge"),
            path("<int:pk>/not-a-duplicate/", self.admin_site.admin_view(self.not_duplicate_view),
                 name="enterprises_importreviewitem_not_duplicate"),
            *super().get_urls(),
        ]

    def open_duplicate_item(self, request, pk):
        item = get_object_or_404(
            ImportReviewItem.objects.select_related("enterprise"), pk=pk,
            kind=ImportReviewItem.Kind.POSSIBLE_DUPLICATE,
        )
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        return item

    def back_to(self, item):
        return redirect("admin:enterprises_importreviewitem_change", item.pk)

    @method_decorator(require_POST)
    def merge_view(self, request, pk):
        item = self.open_duplicate_item(request, pk)
        if not can_merge(request):
            raise PermissionDenied
        if item.state != ImportReviewItem.State.OPEN or item.enterprise is None:
            self.message_user(request, _("This item is already resolved."), messages.WARNING)
            return self.back_to(item)
        survivor = item.candidates.filter(pk=request.POST.get("survivor") or None).first()
        if survivor is None:
            self.message_user(request, _("Choose one of the item's possible matches."),
                              messages.ERROR)
            return self.back_to(item)
        duplicate = item.enterprise.name
        try:
            merge_review_item(item, survivor, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return self.back_to(item)
        self.message_user(request, _("« %(duplicate)s » was merged into « %(survivor)s ».") % {
            "duplicate": duplicate, "survivor": survivor,
        }, messages.SUCCESS)
        return redirect(change_url(survivor))

    @method_decorator(require_POST)
    def not_duplicate_view(self, request, pk):
        item = self.open_duplicate_item(request, pk)
        not_a_duplicate(item)
        self.message_user(request, _("Marked as not a duplicate: both enterprises stay."),
                          messages.SUCCESS)
        return redirect("admin:enterprises_importreviewitem_changelist")


class SurvivorForm(forms.Form):
    survivor = forms.ModelChoiceField(
        queryset=Enterprise.objects.none(), widget=forms.RadioSelect,
        label=_("The enterprise that stays"), empty_label=None,
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = enterprises


@admin.action(description=_("Merge the two selected enterprises"),
              permissions=["change", "delete"])
def merge_selected(modeladmin, request, queryset):
    """Two selected enterprises: a page to choose the one that stays, then the merge."""
    if not can_merge(request):
        raise PermissionDenied
    enterprises = queryset.order_by("pk")
    if len(enterprises) != 2:
        modeladmin.message_user(request, _("Select exactly two enterprises to merge."),
                                messages.ERROR)
        return None
    form = SurvivorForm(request.POST if "survivor" in request.POST else None,
                        enterprises=enterprises)
    if form.is_valid():
        survivor = form.cleaned_data["survivor"]
        duplicate = next(e for e in enterprises if e.pk != survivor.pk)
        try:
            merge_enterprises(survivor, duplicate, user=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        modeladmin.message_user(
            request, _("« %(duplicate)s » was merged into « %(survivor)s ».") % {
                "duplicate": duplicate, "survivor": survivor,
            }, messages.SUCCESS,
        )
        return redirect(change_url(survivor))
    return TemplateResponse(request, "admin/enterprises/merge_enterprises.html", {
        **modeladmin.admin_site.each_context(request),
        "title": _("Merge two enterprises"),
        "opts": modeladmin.model._meta,
        "form": form,
        "enterprises": enterprises,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    })
