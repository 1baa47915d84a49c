"""Staff review of member organizations and their purchases."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from enterprises.history import ActionHistoryMixin

from .mail import send_again
from .models import (
    ContractSizeThreshold,
    Invitation,
    MemberOrganization,
    Membership,
    OutgoingMail,
    Purchase,
)

# Apps above this one say where a purchase came from on its admin page (the procurement app:
# the request for quotes it followed), without this app knowing them: each registers
# ``origin(purchase)``, which returns a link (safe HTML) or None.
_purchase_origins = []


def register_purchase_origin(origin):
    """Registering again changes nothing."""
    if origin not in _purchase_origins:
        _purchase_origins.append(origin)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(MemberOrganization)
class MemberOrganizationAdmin(SimpleHistoryAdmin):
    list_display = [
        "name", "kind", "region", "declaration_signed_on", "preferential_margin_percent",
    ]
    list_filter = ["kind", "region", "declaration_signed_on"]
    list_select_related = ["region"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Managers invite from the portal; staff follow and revoke here. The token stays hidden:
    whoever holds the link could accept it."""

    list_display = ["email", "organization", "role", "invited_by", "created_at", "expires_at",
                    "state"]
    list_filter = ["role", "accepted_at", "revoked_at"]
    list_select_related = ["organization", "invited_by"]
    search_fields = ["email", "organization__name"]
    fields = ["organization", "email", "role", "language", "invited_by", "created_at",
              "expires_at", "accepted_at", "accepted_by", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("state"))
    def state(self, invitation):
        return invitation.state.label

    @admin.action(description=_("Revoke the selected invitations"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for invitation in queryset.open():
            invitation.revoke()
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """What the site sent or tried to send; failed mails are the ones to look at. The bodies
    stay hidden: they may carry password reset links."""

    list_display = ["created_at", "recipient", "subject", "status", "attempts", "next_attempt_at",
                    "sent_at"]
    list_filter = ["status"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    fields = ["recipient", "from_email", "subject", "status", "attempts", "next_attempt_at",
              "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed or stuck emails again"),
                  permissions=["change"])
    def send_again(self, request, queryset):
        count = send_again(queryset)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ContractSizeThreshold)
class ContractSizeThresholdAdmin(SimpleHistoryAdmin):
    """Saving or deleting a row re-classes every purchase (see the model)."""

    list_display = [
        "effective_from", "small_contract_ceiling", "public_tender_threshold",
        "trade_agreement_threshold",
    ]
    search_fields = ["effective_from"]


class SupplierInDirectoryFilter(admin.SimpleListFilter):
    title = _("supplier in the directory")
    parameter_name = "supplier_in_directory"

    def lookups(self, request, model_admin):
        return [("no", _("Not in the directory (to link)")), ("yes", _("In the directory"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.with_unlinked_supplier()
        if self.value() == "yes":
            return queryset.exclude(enterprise=None)
        return queryset


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The member who recorded the purchase reads this reason."),
        error_messages={"required": _("Give the reason for the rejection.")},
    )


@admin.register(Purchase)
class PurchaseAdmin(ActionHistoryMixin, SimpleHistoryAdmin):
    list_display = [
        "award_date", "organization", "supplier", "amount", "contract_size_bracket",
        "procurement_method", "status",
    ]
    list_filter = [
        "status", "contract_size_bracket", "procurement_method", "organization__kind",
        SupplierInDirectoryFilter,
    ]
    list_select_related = ["organization", "enterprise"]
    search_fields = ["description", "supplier_name", "enterprise__name", "organization__name"]
    autocomplete_fields = ["organization", "enterprise", "category", "delivery_region",
                           "recorded_by"]
    date_hierarchy = "award_date"
    readonly_fields = ["contract_size_bracket", "created_at", "updated_at", "public_id",
                       "origin"]
    actions = ["validate", "reject"]
    fieldsets = [
        (None, {"fields": ["organization", "status", "rejection_reason"]}),
        (_("Supplier"), {"fields": ["enterprise", "supplier_name"]}),
        (_("What was bought"), {
            "fields": ["category", "description", "amount", "contract_size_bracket",
                       "delivery_region"],
        }),
        (_("Contract"), {
            "fields": ["award_date", "contract_start", "contract_end", "procurement_method",
                       "preferential_margin_percent"],
        }),
        (_("Record"), {
            "fields": ["consent_to_publish", "recorded_by", "created_at", "updated_at",
                       "public_id", "origin"],
        }),
    ]

    @admin.display(description=_("came from"))
    def origin(self, purchase):
        found = purchase.pk and [link for origin in _purchase_origins if (link := origin(purchase))]
        if not found:  # the add page, or a purchase typed in by hand
            return self.get_empty_value_display()
        return format_html_join(mark_safe("<br>"), "{}", ((link,) for link in found))

    @admin.display(description=_("supplier"), ordering="enterprise__name")
    def supplier(self, purchase):
        if purchase.enterprise_id:
            return purchase.enterprise.name
        return format_html(
            "{} <em>({})</em>", purchase.supplier_name, _("not in the directory")
        )

    def save_model(self, request, obj, form, change):
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Validate the selected purchases"), permissions=["change"])
    def validate(self, request, queryset):
        count = self.change_status(request, queryset, "validate", _("Validated"))
        self.message_user(
            request,
            ngettext("%(count)d purchase validated.", "%(count)d purchases validated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected purchases…"), permissions=["change"])
    def reject(self, request, queryset):
        """Ask for the reason on an intermediate page, then reject with it."""
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            pks = list(queryset.values_list("pk", flat=True))
            count = Purchase.objects.filter(pk__in=pks).reject(form.cleaned_data["reason"])
            self.record_history(request, pks, _("Rejected"))
            self.message_user(
                request,
                ngettext("%(count)d purchase rejected.", "%(count)d purchases rejected.", count)
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/purchases/purchase/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject purchases"),
                "opts": self.model._meta,
                "form": form,
                "purchases": queryset.select_related("organization", "enterprise")[:20],
                "count": queryset.count(),
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
