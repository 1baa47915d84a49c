"""The enterprise portal (/entreprise/…), and the public claim and report forms."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.generic import FormView, TemplateView

from enterprises.imports.throttle import allow_upload
from enterprises.models import Enterprise

from . import claims, profiles
from .forms import ClaimForm, IdentityForm, InviteForm, ProfileForm, ReportForm, UploadForm
from .models import Claim, EnterpriseFile, EnterpriseMembership, ErrorReport, Role
from .sections import portal_pages

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def site_of(request):
    """The scheme and host that emails' links start with."""
    return request.build_absolute_uri("/").rstrip("/")


def client_address(request):
    """The address the login throttle counts too (behind our proxies, the client's)."""
    return import_string(settings.AXES_CLIENT_IP_CALLABLE)(request)


def published_enterprise(slug):
    return get_object_or_404(Enterprise.objects.published(), slug=slug)


def too_many(request):
    return HttpResponse(
        _("Too many requests from your connection: try again in an hour."), status=429,
        content_type="text/plain; charset=utf-8",
    )


class PublicEnterpriseFormView(FormView):
    """A form anyone may send about a published enterprise, counted per address."""

    rate_scope = None

    def dispatch(self, request, slug):
        self.enterprise = published_enterprise(slug)
        return super().dispatch(request, slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(enterprise=self.enterprise, **kwargs)

    def form_valid(self, form):
        if not allow_upload(**{self.rate_scope: client_address(self.request)}):
            return too_many(self.request)
        return self.render_to_response(self.get_context_data(form=form, **self.send(form)))


class ClaimView(PublicEnterpriseFormView):
    """« C'est mon entreprise »: anyone may claim a published enterprise."""

    template_name = "enterprise_accounts/claim.html"
    form_class = ClaimForm
    rate_scope = "claim"

    def send(self, form):
        claim = claims.start_claim(
            self.enterprise, form.cleaned_data["name"], form.cleaned_data["role_title"],
            form.cleaned_data["email"], get_language(), site_of(self.request),
        )
        return {"claim": claim}


class ClaimLinkView(TemplateView):
    """The link of a claim's email: a button confirms it (a mail scanner's visit does not)."""

    template_name = "enterprise_accounts/claim_link.html"

    def dispatch(self, request, token):
        self.claim = claims.claim_from_token(token)
        return super().dispatch(request, token)

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.claim, **kwargs)

    def post(self, request, token):
        if self.claim is None:
            return self.get(request, token)
        user = claims.join_by_link(self.claim, site_of(request))
        if user is None:
            self.claim = None
            return self.get(request, token)
        return sign_in_after_claim(request, user)


class WelcomeView(TemplateView):
    """The link of a staff-approved claim's email: a first sign-in, until a password is set."""

    template_name = "enterprise_accounts/claim_link.html"

    def dispatch(self, request, token):
        self.claim = claims.claim_from_welcome_token(token)
        return super().dispatch(request, token)

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.claim, approved=True, **kwargs)

    def post(self, request, token):
        user = claims.account_for(self.claim.email) if self.claim else None
        if user is None:
            return self.get(request, token)
        return sign_in_after_claim(request, user)


def sign_in_after_claim(request, user):
    """A new account signs in (the link proved the address) and chooses its password; an
    existing one signs in with its password as usual."""
    if user.has_usable_password():
        if request.user == user:
            return redirect("enterprise_accounts:portal")
        portal = reverse("enterprise_accounts:portal")
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': portal})}")
    login(request, user, backend=AUTH_BACKEND)
    return redirect("enterprise_accounts:set_password")


class ReportView(PublicEnterpriseFormView):
    """« Signaler une erreur »: a buyer tells the network a profile is outdated or wrong."""

    template_name = "enterprise_accounts/report.html"
    form_class = ReportForm
    rate_scope = "report"

    def send(self, form):
        ErrorReport.objects.create(enterprise=self.enterprise, **form.cleaned_data)
        return {"sent": True}


class PublicFileView(View):
    """A live file of a published enterprise; its people and staff see the pending ones too.
    Documents are always downloaded, never shown in the browser."""

    def get(self, request, pk):
        item = get_object_or_404(EnterpriseFile.objects.select_related("enterprise"), pk=pk)
        public = (item.state == EnterpriseFile.State.APPROVED
                  and item.enterprise.status == Enterprise.Status.PUBLISHED)
        if not public and not (request.user.is_staff or EnterpriseMembership.objects.of_user(
                request.user).filter(enterprise=item.enterprise).exists()):
            raise Http404
        is_document = item.kind == EnterpriseFile.Kind.DOCUMENT
        filename = f"{item.enterprise.slug}-{item.pk}.{item.file.name.rpartition('.')[2]}"
        response = FileResponse(
            item.file.open("rb"), content_type=item.content_type, as_attachment=is_document,
            filename=filename,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        if not public:
            response["Cache-Control"] = "private, no-store"
        return response


# One enterprise's working copy: no proxy may keep it.
@method_decorator(cache_control(private=True, no_store=True), name="dispatch")
class PortalMixin(LoginRequiredMixin):
    """Signed-in people of the enterprise in the URL; anyone else finds nothing there."""

    owners_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = get_object_or_404(
            EnterpriseMembership.objects.select_related("enterprise"),
            user=request.user, enterprise_id=kwargs["pk"],
        )
        if self.owners_only and self.membership.role != Role.OWNER:
            raise PermissionDenied(_("Only the enterprise's owners can do this."))
        self.enterprise = self.membership.enterprise
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            membership=self.membership, enterprise=self.enterprise, portal_pages=portal_pages(),
            **kwargs,
        )


class PortalPageView(PortalMixin, TemplateView):
    """A page another app adds to the portal (``enterprises.sections.ENTERPRISE_PORTAL``), such
    as the requests for quotes sent to the enterprise: its section reads the enterprise once
    the visitor is known to keep it."""

    template_name = "enterprise_accounts/portal_page.html"
    page = None

    def get_context_data(self, **kwargs):
        section = self.page.section
        return super().get_context_data(
            page=self.page, section_template=section.template_name,
            section=section.context(self.enterprise, self.request), **kwargs,
        )


@method_decorator(cache_control(private=True, no_store=True), name="dispatch")
class PortalHomeView(LoginRequiredMixin, TemplateView):
    """The enterprises the person keeps; straight to the profile when there is only one."""

    template_name = "enterprise_accounts/portal_home.html"

    def get(self, request):
        memberships = list(
            EnterpriseMembership.objects.filter(user=request.user).select_related("enterprise")
        )
        if not memberships:
            raise PermissionDenied(_("Your account keeps no enterprise's profile."))
        if len(memberships) == 1:
            return redirect("enterprise_accounts:profile", pk=memberships[0].enterprise_id)
        return self.render_to_response(
            self.get_context_data(memberships=memberships, portal_pages=portal_pages())
        )


class ProfileView(PortalMixin, FormView):
    template_name = "enterprise_accounts/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self):
        # A copy: the form's validation writes into its instance.
        return {**super().get_form_kwargs(),
                "instance": Enterprise.objects.get(pk=self.enterprise.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pending=self.enterprise.change_requests.pending().order_by("created_at"),
            **kwargs,
        )

    def form_valid(self, form):
        values = profiles.form_values(form, profiles.EDITABLE_FIELDS)
        written, request = profiles.submit_profile(self.enterprise, self.request.user, values)
        if request is not None and request.state == request.State.PENDING:
            messages.success(self.request, _(
                "Saved. Your changes to the public text are sent to the network's staff: they "
                "appear on your profile once approved."))
        else:
            messages.success(self.request, _("Saved: your profile is up to date."))
        return redirect("enterprise_accounts:profile", pk=self.enterprise.pk)


class ConfirmView(PortalMixin, View):
    """« Still accurate »: the profile is confirmed without any change."""

    http_method_names = ["post"]

    def post(self, request, pk):
        profiles.confirm(self.enterprise)
        messages.success(request, _("Thank you: your profile is confirmed as up to date."))
        return redirect("enterprise_accounts:profile", pk=pk)


class IdentityView(PortalMixin, FormView):
    """Name, NEQ, legal form and labels: a request that staff approve."""

    template_name = "enterprise_accounts/identity.html"
    form_class = IdentityForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "instance": Enterprise.objects.get(pk=self.enterprise.pk)}

    def form_valid(self, form):
        values = profiles.form_values(form, profiles.IDENTITY_FIELDS)
        request = profiles.request_identity_change(
            self.enterprise, self.request.user, values, form.cleaned_data["note"]
        )
        if request is None:
            messages.info(self.request, _("Nothing changed: no request was sent."))
        else:
            messages.success(self.request, _(
                "Your request is sent to the network's staff; you will get an email once they "
                "decide."))
        return redirect("enterprise_accounts:profile", pk=self.enterprise.pk)


class FilesView(PortalMixin, FormView):
    """The logo, photos and documents, and the form that adds one."""

    template_name = "enterprise_accounts/files.html"
    form_class = UploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "enterprise": self.enterprise}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            files=self.enterprise.account_files.exclude(state=EnterpriseFile.State.REFUSED),
            max_photos=EnterpriseFile.MAX_PHOTOS, **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not allow_upload(user=request.user.pk):
            return too_many(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        trusted = profiles.is_trusted(self.enterprise)
        data = form.cleaned_data
        EnterpriseFile.objects.create(
            enterprise=self.enterprise, kind=data["kind"], title=data["title"],
            file=data["content"], content_type=data["content_type"],
            size=data["content"].size, uploaded_by=self.request.user,
            state=EnterpriseFile.State.APPROVED if trusted else EnterpriseFile.State.PENDING,
        )
        messages.success(self.request, _("File added: it appears on your profile at once.")
                         if trusted else
                         _("File added: it appears on your profile once the network's staff "
                           "approve it."))
        return redirect("enterprise_accounts:files", pk=self.enterprise.pk)


class FileDeleteView(PortalMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, file_pk):
        item = get_object_or_404(self.enterprise.account_files, pk=file_pk)
        item.file.delete(save=False)
        item.delete()
        messages.success(request, _("File removed."))
        return redirect("enterprise_accounts:files", pk=pk)


class TeamView(PortalMixin, FormView):
    """The enterprise's people and open invitations; owners invite and remove others."""

    template_name = "enterprise_accounts/team.html"
    form_class = InviteForm

    def get_initial(self):
        return {"language": get_language()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            team=self.enterprise.account_memberships.select_related("user"),
            invitations=self.enterprise.claims.open_invitations().select_related("invited_by"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.membership.role != Role.OWNER:
            raise PermissionDenied(_("Only the enterprise's owners can do this."))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        claims.invite(self.enterprise, data["email"], data["role"], data["language"],
                      self.request.user, site_of(self.request))
        messages.success(self.request, _(
            "%(email)s is invited: the person joins once they open the link in the email, "
            "within %(days)s days.") % {"email": data["email"],
                                        "days": Claim.INVITATION_VALID_FOR.days})
        return redirect("enterprise_accounts:team", pk=self.enterprise.pk)


class RevokeInvitationView(PortalMixin, View):
    owners_only = True
    http_method_names = ["post"]

    def post(self, request, pk, claim_pk):
        invitation = get_object_or_404(self.enterprise.claims.open_invitations(), pk=claim_pk)
        invitation.state = Claim.State.REVOKED
        invitation.save(update_fields=["state"])
        messages.success(request, _("The invitation is revoked: its link no longer works."))
        return redirect("enterprise_accounts:team", pk=pk)


class RemovePersonView(PortalMixin, View):
    owners_only = True
    http_method_names = ["post"]

    def post(self, request, pk, member_pk):
        person = get_object_or_404(
            self.enterprise.account_memberships.exclude(pk=self.membership.pk), pk=member_pk
        )
        person.delete()
        messages.success(request, _("The person no longer has access to this profile."))
        return redirect("enterprise_accounts:team", pk=pk)


@method_decorator(cache_control(private=True, no_store=True), name="dispatch")
class SetPasswordView(LoginRequiredMixin, FormView):
    """A new account's password, chosen after its first sign-in by link."""

    template_name = "enterprise_accounts/set_password.html"
    form_class = SetPasswordForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        user = form.save()
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password is saved: sign in with your email "
                                         "address and this password from now on."))
        return redirect("enterprise_accounts:portal")
