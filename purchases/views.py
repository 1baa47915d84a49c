"""The member portal and the public pages of purchases.

Portal views get their membership, purchases and people from `purchases.access` only.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, DetailView, FormView, TemplateView, UpdateView
from django_filters.views import FilterView

from enterprises.exports import csv_chunks
from enterprises.models import Enterprise
from enterprises.sections import sections_for
from enterprises.validators import fold

from . import access, ocds, spreadsheets
from .filters import PurchaseFilter
from .forms import (
    EmailAuthenticationForm,
    InvitationSignupForm,
    InviteForm,
    PurchaseForm,
    RepertoryFilterForm,
    SuggestionQueryForm,
    TargetForm,
)
from .mail import send_invitation
from .models import Invitation, MemberOrganization, Membership, Purchase
from .sections import DASHBOARD_PAGE, DECLARATION_PAGE, PURCHASE_PAGE, REPERTORY_PAGE
from .stats import OrganizationDashboard, RepertoryStatistics

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUGGESTIONS = 10


def spreadsheet_response(request, rows, stem, title):
    """`?format=csv` (the default) or `?format=xlsx`; any other format is a 400."""
    export_format = request.GET.get("format", "csv")
    if export_format not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Choose a format: csv or xlsx."))
    filename = spreadsheets.export_filename(stem, export_format)
    if export_format == "xlsx":
        return FileResponse(
            spreadsheets.xlsx_file(rows, title), as_attachment=True, filename=filename,
            content_type=XLSX_TYPE,
        )
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The member portal ------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Members land on their dashboard; an account without a membership lands on the page an
    app above registered for it (a buyer who signed up for shortlists lands on them), or on
    the home page rather than on the dashboard's refusal."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if access.membership_for(self.request.user) is None:
            return access.sign_in_landing_for(self.request.user) or reverse("enterprises:home")
        return reverse("purchases:dashboard")



class DashboardView(access.MemberRequiredMixin, TemplateView):
    template_name = "purchases/dashboard.html"

    def get_context_data(self, **kwargs):
        dashboard = OrganizationDashboard(self.organization)
        return super().get_context_data(
            dashboard=dashboard, charts=dashboard.charts(),
            can_manage_team=access.can_manage_team(self.membership),
            sections=sections_for(DASHBOARD_PAGE, self.request, self.organization), **kwargs
        )


class PurchaseListView(access.MemberRequiredMixin, FilterView):
    template_name = "purchases/purchase_list.html"
    filterset_class = PurchaseFilter
    paginate_by = 25

    def get_queryset(self):
        return access.purchases_of(self.membership).select_related("enterprise", "category")


class PurchaseDetailView(access.MemberRequiredMixin, DetailView):
    template_name = "purchases/purchase_detail.html"
    context_object_name = "purchase"

    def get_object(self, queryset=None):
        return access.purchase_of(self.membership, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sections=sections_for(PURCHASE_PAGE, self.request, self.object), **kwargs
        )


class PurchaseFormMixin:
    template_name = "purchases/purchase_form.html"
    form_class = PurchaseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}


class PurchaseCreateView(access.MemberRequiredMixin, PurchaseFormMixin, CreateView):

    def form_valid(self, form):
        form.instance.organization = self.organization
        form.instance.recorded_by = self.request.user
        form.instance.status = Purchase.Status.DRAFT
        messages.success(self.request, _("The purchase was saved as a draft."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("purchases:purchase_detail", args=[self.object.pk])


class PurchaseUpdateView(access.MemberRequiredMixin, PurchaseFormMixin, UpdateView):

    def get_object(self, queryset=None):
        return access.editable_purchase_of(self.membership, self.kwargs["pk"])

    def form_valid(self, form):
        messages.success(self.request, _("The purchase was updated."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("purchases:purchase_detail", args=[self.object.pk])


class PurchaseActionView(access.MemberRequiredMixin, View):
    """A change of status, by POST only; the purchase's page says what happened."""

    http_method_names = ["post"]

    def post(self, request, pk):
        purchase = self.act(request, pk)
        return redirect("purchases:purchase_detail", pk=purchase.pk)


class PurchaseSubmitView(PurchaseActionView):
    def act(self, request, pk):
        purchase = access.editable_purchase_of(self.membership, pk)
        purchase.submit()
        messages.success(request, _("The purchase was sent to the network's staff for validation."))
        return purchase


class PurchaseWithdrawView(PurchaseActionView):
    def act(self, request, pk):
        purchase = access.purchase_of(self.membership, pk)
        if purchase.status != Purchase.Status.SUBMITTED:
            raise PermissionDenied(_("Only a purchase awaiting validation can be withdrawn."))
        purchase.withdraw()
        messages.success(request, _("The purchase is a draft again."))
        return purchase


class PurchaseExportView(access.MemberRequiredMixin, View):
    """The organization's own purchases, every one of them, in CSV or XLSX."""

    def get(self, request):
        rows = spreadsheets.export_rows(access.purchases_of(self.membership))
        # Outside the f-string, where makemessages would not see it.
        name = pgettext("file name", "purchases")
        return spreadsheet_response(
            request, rows, f"{name}-{self.organization.slug}", _("Purchases")
        )


class UploadTemplateView(access.MemberRequiredMixin, View):
    """The upload's template in the member's language: CSV, or Excel with its legend and lists."""

    def get(self, request):
        language = translation.get_language()[:2]
        export_format = request.GET.get("format", "csv")
        if export_format == "xlsx":
            return FileResponse(
                spreadsheets.template_workbook(language), as_attachment=True,
                filename=spreadsheets.template_filename(language, "xlsx"), content_type=XLSX_TYPE,
            )
        if export_format != "csv":
            return HttpResponseBadRequest(_("Choose a format: csv or xlsx."))
        response = StreamingHttpResponse(
            csv_chunks(spreadsheets.template_rows(language)), content_type="text/csv; charset=utf-8"
        )
        filename = spreadsheets.template_filename(language, "csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class EnterpriseSuggestionsView(access.MemberRequiredMixin, View):
    """Published enterprises whose name or NEQ matches what was typed, for the autocomplete."""

    def get(self, request):
        query = SuggestionQueryForm(request.GET)
        if not query.is_valid():
            return JsonResponse({"results": []})
        typed = query.cleaned_data["q"]
        enterprises = (
            Enterprise.objects.published()
            .filter(Q(name_folded__contains=fold(typed)) | Q(neq=typed))
            .select_related("region")
            .order_by("name_folded")[:SUGGESTIONS]
        )
        return JsonResponse({"results": [
            {"id": enterprise.pk, "name": enterprise.name, "neq": enterprise.neq,
             "region": str(enterprise.region)}
            for enterprise in enterprises
        ]})


class TargetView(access.ManagerRequiredMixin, UpdateView):
    template_name = "purchases/target_form.html"
    form_class = TargetForm
    success_url = reverse_lazy("purchases:dashboard")

    def get_object(self, queryset=None):
        return self.organization

    def form_valid(self, form):
        messages.success(self.request, _("The yearly target was saved."))
        return super().form_valid(form)


class TeamView(access.ManagerRequiredMixin, FormView):
    """The organization's people, its open invitations, and the invitation of a new person."""

    template_name = "purchases/team.html"
    form_class = InviteForm
    success_url = reverse_lazy("purchases:team")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organization": self.organization,
            "invited_by": self.request.user,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            team=access.team_of(self.membership),
            invitations=access.open_invitations_of(self.membership).select_related("invited_by"),
            **kwargs,
        )

    def form_valid(self, form):
        invitation = form.save()
        send_invitation(invitation, self.request.build_absolute_uri)
        messages.success(
            self.request,
            _("%(email)s is invited: an email with a link to join is on its way. The person "
              "joins your organization once they accept, within %(days)s days; until then you "
              "can revoke the invitation below.")
            % {"email": invitation.email, "days": Invitation.VALID_FOR.days},
        )
        return super().form_valid(form)


class RevokeInvitationView(access.ManagerRequiredMixin, View):
    """Managers revoke their organization's open invitations: the link stops working."""

    http_method_names = ["post"]

    def post(self, request, pk):
        invitation = get_object_or_404(access.open_invitations_of(self.membership), pk=pk)
        invitation.revoke()
        messages.success(
            request, _("The invitation of %(email)s is revoked: its link no longer works.")
            % {"email": invitation.email},
        )
        return redirect("purchases:team")


@method_decorator(never_cache, name="dispatch")
class InvitationView(View):
    """The link of an invitation email.

    Signed out, the invited person signs in (an existing account) or chooses a password (a
    new account for the invited address); signed in with the invited address, they accept.
    Used, revoked, expired and unknown links each get a page that says so.
    """

    template_name = "purchases/invitation.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invitation = (
            Invitation.objects.select_related("organization", "invited_by")
            .filter(token=kwargs["token"]).first()
        )

    def get(self, request, token):
        return self.page(request)

    def post(self, request, token):
        invitation = self.invitation
        if invitation is None or not invitation.is_pending:
            return self.page(request)
        if request.user.is_authenticated:
            return self.accept(request, request.user)
        if self.has_account():
            return self.page(request)
        form = InvitationSignupForm(invitation, request.POST)
        if not form.is_valid():
            return self.page(request, form)
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # A second click on the same form: the first one created the account and
            # accepted, which the page now says.
            self.invitation.refresh_from_db()
            return self.page(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return self.accept(request, user)

    def accept(self, request, user):
        if self.invitation.accept(user) is None:
            self.invitation.refresh_from_db()
            return self.page(request)
        messages.success(
            request, _("Welcome: you now record purchases for %(organization)s.")
            % {"organization": self.invitation.organization},
        )
        return redirect("purchases:dashboard")

    def has_account(self):
        email = self.invitation.email
        return get_user_model().objects.filter(
            Q(email__iexact=email) | Q(username__iexact=email[:150])
        ).exists()

    def page(self, request, form=None):
        invitation = self.invitation
        if invitation is None:
            state, status = None, 404
        else:
            state = invitation.state
            status = 200 if state == Invitation.State.PENDING else 410
        signed_in = request.user.is_authenticated
        if state == Invitation.State.PENDING and not signed_in and not self.has_account():
            form = form or InvitationSignupForm(invitation)
        return render(request, self.template_name, {
            "invitation": invitation,
            "state": state,
            "states": Invitation.State,
            "form": form,
            "for_this_user": invitation is not None and invitation.is_for(request.user),
        }, status=status)


class RemoveMemberView(access.ManagerRequiredMixin, View):
    """Managers remove contributors of their own organization (never themselves)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        membership = get_object_or_404(
            access.team_of(self.membership).filter(role=Membership.Role.CONTRIBUTOR), pk=pk
        )
        membership.delete()
        messages.success(
            request, _("%(user)s no longer belongs to your organization.")
            % {"user": membership.user.email or membership.user.username},
        )
        return redirect("purchases:team")


# Public pages -----------------------------------------------------------------------------


class RepertoryView(TemplateView):
    """« Répertoire d'achats réalisés »: statistics of the validated, published purchases.

    The purchases themselves are in the CSV export: listing the latest ones here would sort
    hundreds of thousands of rows for every combination of filters.
    """

    template_name = "purchases/repertory.html"

    def get_context_data(self, **kwargs):
        form = RepertoryFilterForm(self.request.GET)
        statistics = RepertoryStatistics(**form.filters())
        return super().get_context_data(
            form=form, statistics=statistics, charts=statistics.charts(),
            query=self.request.GET.urlencode(),
            sections=sections_for(REPERTORY_PAGE, self.request), **kwargs
        )


class RepertoryExportView(View):
    """The filtered published purchases, one row each, in CSV, in the page's language."""

    def get(self, request):
        form = RepertoryFilterForm(request.GET)
        purchases = RepertoryStatistics(**form.filters()).purchases().order_by("-award_date", "pk")
        response = StreamingHttpResponse(
            csv_chunks(spreadsheets.repertory_rows(purchases)),
            content_type="text/csv; charset=utf-8",
        )
        filename = spreadsheets.export_filename(pgettext("file name", "purchase-repertory"), "csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class OcdsView(View):
    """The release package, a thousand releases a page, with a link to the next page."""

    def get(self, request):
        try:
            page_number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            return HttpResponse(_("The page must be a whole number."), status=400)
        page = Paginator(ocds.published_purchases(), ocds.RELEASES_PER_PAGE).get_page(page_number)
        uri = request.build_absolute_uri(f"{request.path}?page={page.number}")
        next_uri = None
        if page.has_next():
            next_uri = request.build_absolute_uri(f"{request.path}?page={page.next_page_number()}")
        return JsonResponse(
            ocds.release_package(page.object_list, uri, next_uri),
            json_dumps_params={"ensure_ascii": False},
        )


class DeclarationView(TemplateView):
    """« L'économie sociale, j'achète! »: the signatories and their commitments, by kind."""

    template_name = "purchases/declaration.html"

    def get_context_data(self, **kwargs):
        signatories = list(
            MemberOrganization.objects.filter(declaration_signed_on__isnull=False)
            .select_related("region")
            .order_by("kind")
        )
        # A few hundred signatories at most: searched and sorted here, accents ignored, so
        # « Ville de Québec » is found by « quebec » and sorted among the Q on every database.
        query = self.request.GET.get("q", "").strip()[:100]
        wanted = fold(query)
        shown = [
            organization for organization in signatories
            if wanted in fold(f"{organization.name} {organization.region.localized_name}")
        ]
        shown.sort(key=lambda organization: (organization.kind, fold(organization.name)))
        return super().get_context_data(
            signatories=shown, total=len(signatories), query=query,
            sections=sections_for(DECLARATION_PAGE, self.request, shown), **kwargs
        )
