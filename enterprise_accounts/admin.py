"""Staff's side: one review queue (enterprises' changes, claims, buyers' reports, stale
profiles, and the imports' open review items), the side-by-side review of a change, and the
claim decision."""

import difflib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from enterprises.models import Enterprise, ImportReviewItem
from enterprises.validators import normalize_neq

from . import claims, files, profiles
from .forms import NEQ_TAKEN, RefusalForm, neq_taken
from .models import (
    ChangeRequest,
    Claim,
    EnterpriseAccount,
    EnterpriseFile,
    EnterpriseMembership,
    ErrorReport,
)
from .tasks import stale_profiles

QUEUE_LENGTH = 100


def shown_value(name, value):
    """A stored value as staff read it: names for related objects, labels for choices."""
    field = Enterprise._meta.get_field(name)
    if field.is_relation:
        ids = value if field.many_to_many else [value] if value is not None else []
        return ", ".join(str(item) for item in field.related_model.objects.filter(pk__in=ids))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value or ""))
    return "" if value is None else str(value)


def stored_value(name, cleaned):
    """A review form's cleaned value in the shape a change request keeps: related objects as
    sorted ids, as ``profiles.field_value`` reads them."""
    field = Enterprise._meta.get_field(name)
    if field.many_to_many:
        return sorted(item.pk for item in cleaned)
    if field.is_relation:
        return cleaned.pk if cleaned is not None else None
    return cleaned


def word_diff(before, after):
    """``[(kind, text)]`` with kind "same", "removed" or "added", word by word."""
    old, new = before.split(" "), after.split(" ")
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("added", " ".join(new[j1:j2])))
    return parts


class ReviewForm(forms.Form):
    """The proposed values, which staff may correct before approving: text in a box, a choice
    (the legal form) in its list, related objects (the labels) in a multi-select, each filled
    with the proposal."""

    def __init__(self, *args, change_request, fields, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in change_request.changes.items():
            if name not in fields:
                continue
            model_field = Enterprise._meta.get_field(name)
            if model_field.is_relation or model_field.choices:
                # The model's own form field: its list of choices (with no empty one, as the
                # initial value is given) or of related rows; a many-to-many field's would
                # read the proposed ids as objects, so its initial value is set afterwards.
                self.fields[name] = model_field.formfield(
                    initial=None if model_field.many_to_many else value
                )
                self.fields[name].initial = value
                continue
            widget = forms.Textarea(attrs={"rows": 6}) if isinstance(
                value, str) and len(value) > 80 or name.startswith("description") else None
            self.fields[name] = forms.CharField(
                label=model_field.verbose_name, required=False, initial=value,
                widget=widget or forms.TextInput,
            )

    def values(self, change_request, enterprise):
        """The values to write, normalized and checked as the model checks them (an NEQ
        another enterprise holds, a malformed address), or None with the form's errors."""
        values = {**change_request.changes,
                  **{name: stored_value(name, self.cleaned_data[name]) for name in self.fields}}
        candidate = Enterprise.objects.get(pk=enterprise.pk)
        scalars = {name: value for name, value in values.items()
                   if not Enterprise._meta.get_field(name).many_to_many}
        for name, value in scalars.items():
            setattr(candidate, Enterprise._meta.get_field(name).attname, value)
        others = [field.name for field in Enterprise._meta.fields if field.name not in scalars]
        try:
            if "neq" in scalars and neq_taken(normalize_neq(candidate.neq), enterprise):
                raise ValidationError({"neq": NEQ_TAKEN})
            candidate.full_clean(exclude=others)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
            return None
        return {**values, **{name: getattr(candidate, Enterprise._meta.get_field(name).attname)
                             for name in scalars}}


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = [
        "enterprise", "field_names", "state", "submitted_by", "created_at", "review_link",
    ]
    list_filter = ["state"]
    list_select_related = ["enterprise", "submitted_by"]
    search_fields = ["enterprise__name"]
    raw_id_fields = ["enterprise", "submitted_by", "decided_by"]
    readonly_fields = ["changes", "previous", "state", "refusal_reason", "decided_by",
                       "decided_at"]

    @admin.display(description=_("fields"))
    def field_names(self, obj):
        return ", ".join(obj.changes)

    @admin.display(description=_("review"))
    def review_link(self, obj):
        url = reverse("admin:enterprise_accounts_changerequest_review", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Review"))

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("queue/", view(self.queue_view), name="enterprise_accounts_queue"),
            path("<int:pk>/review/", view(self.review_view),
                 name="enterprise_accounts_changerequest_review"),
            *super().get_urls(),
        ]

    def check_reviewer(self, request):
        if not request.user.has_perm("enterprise_accounts.change_changerequest"):
            raise PermissionDenied

    def queue_view(self, request):
        """Everything waiting for staff about enterprises' profiles, in one page."""
        self.check_reviewer(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Profile review queue"),
            "changes": ChangeRequest.objects.filter(
                state__in=[ChangeRequest.State.PENDING, ChangeRequest.State.APPLIED],
                decided_at__isnull=True,
            ).select_related("enterprise", "submitted_by").order_by("created_at")[:QUEUE_LENGTH],
            "claims": Claim.objects.awaiting_staff().select_related("enterprise")
            .order_by("created_at")[:QUEUE_LENGTH],
            "files": EnterpriseFile.objects.pending().select_related("enterprise")
            .order_by("created_at")[:QUEUE_LENGTH],
            "reports": ErrorReport.objects.filter(state=ErrorReport.State.OPEN)
            .select_related("enterprise").order_by("created_at")[:QUEUE_LENGTH],
            "import_items": ImportReviewItem.objects.filter(state=ImportReviewItem.State.OPEN)
            .select_related("enterprise", "run__network").order_by("created_at")[:QUEUE_LENGTH],
            # Never confirmed first: the longest without a word from the enterprise.
            "stale": stale_profiles().order_by(F("confirmed_on").asc(nulls_first=True))
            [:QUEUE_LENGTH],
        }
        return TemplateResponse(request, "enterprise_accounts/admin/queue.html", context)

    def review_view(self, request, pk):
        """The proposed values beside the live ones; approve, correct then approve, or
        refuse with a reason."""
        self.check_reviewer(request)
        change_request = get_object_or_404(
            ChangeRequest.objects.select_related("enterprise", "submitted_by"), pk=pk
        )
        enterprise = change_request.enterprise
        pending = change_request.state == ChangeRequest.State.PENDING
        open_request = change_request.decided_at is None
        # A trusted enterprise's change is already live: staff compare it with the value it
        # replaced, and correct only the fields no newer change has replaced since.
        replaced = set() if pending or not open_request else (
            set(change_request.changes) - profiles.still_live(change_request))
        correctable = set(change_request.changes) - replaced
        form = ReviewForm(change_request=change_request, fields=correctable)
        refusal = RefusalForm()
        if request.method == "POST" and open_request:
            if "refuse" in request.POST:
                refusal = RefusalForm(request.POST)
                if refusal.is_valid():
                    profiles.refuse(change_request, request.user, refusal.cleaned_data["reason"])
                    messages.success(request, _("Refused; the enterprise is told why by email."))
                    return redirect("admin:enterprise_accounts_queue")
            else:
                form = ReviewForm(request.POST, change_request=change_request,
                                  fields=correctable)
                values = form.values(change_request, enterprise) if form.is_valid() else None
                if values is not None:
                    profiles.approve(change_request, request.user, values)
                    messages.success(request, _("Approved: the profile shows the change."))
                    return redirect("admin:enterprise_accounts_queue")
        rows = []
        for name, proposed in change_request.changes.items():
            before = profiles.field_value(enterprise, name) if pending else \
                change_request.previous.get(name)
            before, after = shown_value(name, before), shown_value(name, proposed)
            rows.append({
                "label": Enterprise._meta.get_field(name).verbose_name,
                "before": before, "diff": word_diff(before, after),
                "replaced": name in replaced,
            })
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review a change to %(name)s") % {"name": enterprise.name},
            "change_request": change_request, "rows": rows, "form": form, "refusal": refusal,
            "open_request": open_request, "pending": pending, "opts": self.model._meta,
        }
        return TemplateResponse(request, "enterprise_accounts/admin/review.html", context)


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "name", "role_title", "email", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__name", "email", "name"]
    raw_id_fields = ["enterprise", "decided_by"]
    readonly_fields = ["state", "decided_by", "decided_at", "refusal_reason"]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [
            path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view),
                 name="enterprise_accounts_claim_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        if not request.user.has_perm("enterprise_accounts.change_claim"):
            raise PermissionDenied
        claim = get_object_or_404(Claim.objects.select_related("enterprise"), pk=pk)
        refusal = RefusalForm()
        site = request.build_absolute_uri("/").rstrip("/")
        if request.method == "POST" and claim.state == Claim.State.AWAITING_STAFF:
            if "refuse" in request.POST:
                refusal = RefusalForm(request.POST)
                if refusal.is_valid():
                    claims.refuse(claim, request.user, refusal.cleaned_data["reason"], site)
                    messages.success(request, _("Claim refused; the person is told why."))
                    return redirect("admin:enterprise_accounts_queue")
            else:
                claims.approve(claim, request.user, site)
                messages.success(request, _("Claim approved; the person gets a sign-in link."))
                return redirect("admin:enterprise_accounts_queue")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide a claim on %(name)s") % {"name": claim.enterprise.name},
            "claim": claim, "refusal": refusal, "opts": self.model._meta,
            "is_open": claim.state == Claim.State.AWAITING_STAFF,
            "domain": claims.website_domain(claim.enterprise.website),
        }
        return TemplateResponse(request, "enterprise_accounts/admin/claim.html", context)


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "created_at", "state", "message", "email"]
    list_filter = ["state"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise"]
    actions = ["resolve"]

    @admin.action(description=_("Mark as resolved"))
    def resolve(self, request, queryset):
        for report in queryset.filter(state=ErrorReport.State.OPEN):
            report.resolve()

    def get_urls(self):
        return [
            path("<int:pk>/resolve/", self.admin_site.admin_view(self.resolve_view),
                 name="enterprise_accounts_errorreport_resolve"),
            *super().get_urls(),
        ]

    def resolve_view(self, request, pk):
        """The queue's button: the report is dealt with and leaves the queue."""
        if not request.user.has_perm("enterprise_accounts.change_errorreport"):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:enterprise_accounts_queue")
        report = get_object_or_404(ErrorReport, pk=pk)
        if report.state == ErrorReport.State.OPEN:
            report.resolve()
            messages.success(request, _("Report marked as resolved."))
        return redirect("admin:enterprise_accounts_queue")


@admin.register(EnterpriseFile)
class EnterpriseFileAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "enterprise", "kind", "state", "created_at", "preview"]
    list_filter = ["state", "kind"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise", "uploaded_by"]
    readonly_fields = ["file", "content_type", "size"]
    actions = ["approve"]

    @admin.display(description=_("file"))
    def preview(self, obj):
        return format_html('<a href="{}">{}</a>',
                           reverse("enterprise_accounts:file", args=[obj.pk]), _("Open the file"))

    @admin.action(description=_("Approve: show on the profile"))
    def approve(self, request, queryset):
        # One by one, so each save bumps the directory's revision and records its history.
        for item in queryset.exclude(state=EnterpriseFile.State.APPROVED):
            files.approve(item)

    def get_urls(self):
        return [
            path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view),
                 name="enterprise_accounts_enterprisefile_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        """The file as buyers would see it; approve, or refuse with a reason emailed to the
        person who sent it."""
        if not request.user.has_perm("enterprise_accounts.change_enterprisefile"):
            raise PermissionDenied
        item = get_object_or_404(
            EnterpriseFile.objects.select_related("enterprise", "uploaded_by"), pk=pk
        )
        refusal = RefusalForm()
        if request.method == "POST" and item.state == EnterpriseFile.State.PENDING:
            if "refuse" in request.POST:
                refusal = RefusalForm(request.POST)
                if refusal.is_valid():
                    files.refuse(item, refusal.cleaned_data["reason"])
                    messages.success(request, _("Refused; the enterprise is told why by email."))
                    return redirect("admin:enterprise_accounts_queue")
            else:
                files.approve(item)
                messages.success(request, _("Approved: the profile shows the file."))
                return redirect("admin:enterprise_accounts_queue")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review a file of %(name)s") % {"name": item.enterprise.name},
            "item": item, "refusal": refusal, "opts": self.model._meta,
            "is_open": item.state == EnterpriseFile.State.PENDING,
        }
        return TemplateResponse(request, "enterprise_accounts/admin/file.html", context)


@admin.register(EnterpriseAccount)
class EnterpriseAccountAdmin(SimpleHistoryAdmin):
    list_display = ["enterprise", "trusted", "last_reminded_at"]
    list_editable = ["trusted"]
    list_filter = ["trusted"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise"]
    search_fields = ["enterprise__name"]


@admin.register(EnterpriseMembership)
class EnterpriseMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "enterprise", "role", "language", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "enterprise"]
    raw_id_fields = ["user", "enterprise"]
    search_fields = ["enterprise__name", "user__email"]


class StaleProfileFilter(admin.SimpleListFilter):
    """On the enterprises' list, every profile the review queue calls stale: the queue shows
    only the first ``QUEUE_LENGTH``."""

    title = _("confirmation by the enterprise")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", _("Not confirmed for two years"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=stale_profiles().values("pk"))
        return queryset


# The directory's admin knows nothing of enterprise accounts: this app adds its filter.
enterprise_admin = admin.site.get_model_admin(Enterprise)
enterprise_admin.list_filter = [*enterprise_admin.list_filter, StaleProfileFilter]
