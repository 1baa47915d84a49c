"""Shortlists, requests for quotes, the enterprises' answers, and buyer accounts.

A buyer reaches only their own shortlists and requests (another's is a 404); an enterprise
reaches only its own copy of a request, through a signed link; nobody else reaches anything
but a shared shortlist's read-only page.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import CreateView, DetailView, FormView, ListView, TemplateView

from enterprises.models import Enterprise
from purchases.access import membership_for
from purchases.models import Purchase
from purchases.views import spreadsheet_response

from . import links, mail
from .forms import (
    AnswerForm,
    BuyerPasswordForm,
    BuyerSignupForm,
    EntryNoteForm,
    FollowUpForm,
    PreferenceForm,
    QuoteRequestForm,
    SaveToShortlistForm,
    ShortlistForm,
)
from .models import (
    BuyerNotice,
    BuyerProfile,
    EnterprisePreference,
    FollowUp,
    QuoteInvitation,
    QuoteRequest,
    Shortlist,
    ShortlistEntry,
    language_of,
)

private = method_decorator(cache_control(private=True, no_store=True), name="dispatch")


def is_buyer(user):
    """A member organization's person, or a confirmed buyer account."""
    if not user.is_authenticated:
        return False
    return membership_for(user) is not None or BuyerProfile.objects.filter(
        user=user, confirmed_at__isnull=False
    ).exists()


@private
class BuyerRequiredMixin(LoginRequiredMixin):
    """Signed-in buyers only; staff without a membership or buyer account get a 403 too.

    A visitor who is not signed in lands on the buyer sign-up page, which also leads to the
    sign-in form and back here."""

    def get_login_url(self):
        return reverse("procurement:buyer_signup")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_buyer(request.user):
            raise PermissionDenied(
                _("Only buyers keep shortlists and send requests for quotes: sign up as a buyer.")
            )
        return super().dispatch(request, *args, **kwargs)

    def shortlist(self, pk):
        return get_object_or_404(Shortlist, pk=pk, owner=self.request.user)

    def quote_request(self, pk):
        return get_object_or_404(QuoteRequest, pk=pk, buyer=self.request.user)


def entries_of(shortlist):
    return shortlist.entries.select_related(
        "enterprise", "enterprise__region", "enterprise__municipality"
    )


# Shortlists -------------------------------------------------------------------------------


class ShortlistListView(BuyerRequiredMixin, FormView):
    template_name = "procurement/shortlist_list.html"

    def get_form(self, form_class=None):
        return ShortlistForm(owner=self.request.user, **self.get_form_kwargs())

    def form_valid(self, form):
        shortlist = form.save()
        messages.success(self.request, _("The shortlist was created."))
        return redirect(shortlist)

    def get_context_data(self, **kwargs):
        shortlists = Shortlist.objects.filter(owner=self.request.user).annotate(
            entry_count=Count("entries", distinct=True)
        )
        requests = QuoteRequest.objects.of_buyer(self.request.user).select_related("category")
        return super().get_context_data(
            shortlists=shortlists, quote_requests=requests[:20], **kwargs
        )


class ShortlistDetailView(BuyerRequiredMixin, TemplateView):
    template_name = "procurement/shortlist_detail.html"

    def get_context_data(self, **kwargs):
        shortlist = self.shortlist(self.kwargs["pk"])
        entries = [(entry, EntryNoteForm(instance=entry, prefix=f"entry-{entry.pk}"))
                   for entry in entries_of(shortlist)]
        return super().get_context_data(
            shortlist=shortlist, entries=entries,
            share_url=self.request.build_absolute_uri(shortlist.get_share_url()), **kwargs
        )


class EntryView(BuyerRequiredMixin, View):
    """A note changed, or the enterprise removed from the list (POST only)."""

    http_method_names = ["post"]

    def post(self, request, pk, entry_pk):
        shortlist = self.shortlist(pk)
        entry = get_object_or_404(ShortlistEntry, pk=entry_pk, shortlist=shortlist)
        if "remove" in request.POST:
            entry.delete()
            messages.success(request, _("The enterprise was removed from the shortlist."))
            return redirect(shortlist)
        form = EntryNoteForm(request.POST, instance=entry, prefix=f"entry-{entry.pk}")
        if form.is_valid():
            form.save()
            messages.success(request, _("The note was saved."))
        else:
            messages.error(request, _("The note is too long."))
        return redirect(shortlist)


def shortlist_rows(shortlist, absolute_uri):
    yield [_("Enterprise"), _("Region"), _("Municipality"), _("Note"), _("Profile")]
    for entry in entries_of(shortlist):
        enterprise = entry.enterprise
        yield [
            enterprise.name,
            enterprise.region.localized_name if enterprise.region else "",
            enterprise.municipality.name if enterprise.municipality else enterprise.city,
            entry.note,
            absolute_uri(enterprise.get_absolute_url()),
        ]


class ShortlistExportView(BuyerRequiredMixin, View):
    def get(self, request, pk):
        shortlist = self.shortlist(pk)
        return spreadsheet_response(
            request, shortlist_rows(shortlist, request.build_absolute_uri),
            "{}-{}".format(_("shortlist"), shortlist.pk), _("Shortlist"),
        )


@private
class SharedShortlistView(TemplateView):
    """Read-only, for whoever holds the secret link: names, places, notes and profile links."""

    template_name = "procurement/shortlist_shared.html"

    def get_context_data(self, **kwargs):
        shortlist = get_object_or_404(Shortlist, share_token=self.kwargs["token"])
        return super().get_context_data(
            shortlist=shortlist, entries=entries_of(shortlist), **kwargs
        )


class SaveView(BuyerRequiredMixin, FormView):
    """The page a card's or a profile's "save" link opens: which shortlist?"""

    template_name = "procurement/save.html"

    def dispatch(self, request, *args, **kwargs):
        self.enterprise = get_object_or_404(
            Enterprise.objects.published(), slug=self.kwargs["slug"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return SaveToShortlistForm(owner=self.request.user, **self.get_form_kwargs())

    def form_valid(self, form):
        shortlist = form.save(self.enterprise)
        messages.success(self.request, _("%(enterprise)s was saved to « %(shortlist)s ».") % {
            "enterprise": self.enterprise.name, "shortlist": shortlist.name,
        })
        return redirect(shortlist)

    def get_context_data(self, **kwargs):
        return super().get_context_data(enterprise=self.enterprise, **kwargs)


# Requests for quotes ------------------------------------------------------------------------


class QuoteRequestCreateView(BuyerRequiredMixin, CreateView):
    template_name = "procurement/request_form.html"

    def get_form(self, form_class=None):
        self.shortlist_object = self.shortlist(self.kwargs["pk"])
        return QuoteRequestForm(
            shortlist=self.shortlist_object, buyer=self.request.user, **self.get_form_kwargs()
        )

    def form_valid(self, form):
        membership = membership_for(self.request.user)
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=self.request.user.pk).first()
            try:
                form.check_limits()
            except ValidationError as error:
                form.add_error(None, error)
                return self.form_invalid(form)
            quote_request = form.save(commit=False)
            quote_request.buyer = self.request.user
            quote_request.shortlist = self.shortlist_object
            quote_request.organization = membership.organization if membership else None
            quote_request.language = translation.get_language()[:2]
            quote_request.save()
            invitations = [
                QuoteInvitation.objects.create(request=quote_request, enterprise=enterprise)
                for enterprise in form.cleaned_data["recipients"]
            ]
            for invitation in invitations:
                mail.send_request(invitation, self.request.build_absolute_uri)
        messages.success(self.request, _("Your request was sent."))
        return redirect(quote_request)

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or self.get_form()
        return super().get_context_data(
            shortlist=self.shortlist_object, unavailable=[
                (enterprise, reason) for enterprise in self.shortlist_object.enterprises.all()
                if (reason := form.unavailable.get(enterprise.pk))
            ], **kwargs
        )


class QuoteRequestListView(BuyerRequiredMixin, ListView):
    template_name = "procurement/request_list.html"
    context_object_name = "quote_requests"
    paginate_by = 25

    def get_queryset(self):
        return QuoteRequest.objects.of_buyer(self.request.user).select_related(
            "category", "municipality"
        ).annotate(
            invitation_count=Count("invitations"),
            answer_count=Count(
                "invitations", filter=~Q(invitations__answer=QuoteInvitation.Answer.PENDING)
            ),
        ).order_by("-created_at", "-pk")


    def get_context_data(self, **kwargs):
        return super().get_context_data(
            notices_wanted=BuyerNotice.objects.wanted_by(self.request.user), **kwargs
        )


class BuyerNoticesView(BuyerRequiredMixin, View):
    """The buyer turns the e-mail notices of answers off or back on (POST only)."""

    http_method_names = ["post"]

    def post(self, request):
        wanted = request.POST.get("notices") == "on"
        BuyerNotice.objects.choose(request.user, wanted)
        messages.success(
            request,
            _("You will receive an email for each answer.") if wanted
            else _("You will receive no more emails about answers: they stay on this page."),
        )
        return redirect("procurement:request_list")


class QuoteRequestDetailView(BuyerRequiredMixin, DetailView):
    template_name = "procurement/request_detail.html"
    context_object_name = "quote_request"

    def get_object(self, queryset=None):
        return get_object_or_404(
            QuoteRequest.objects.select_related(
                "category", "municipality", "purchase", "chosen", "organization"
            ).prefetch_related(
                Prefetch("invitations", QuoteInvitation.objects.select_related(
                    "enterprise", "request_mail"
                )),
                "invitations__follow_ups",
            ),
            pk=self.kwargs["pk"], buyer=self.request.user,
        )

    def get_context_data(self, **kwargs):
        quote_request = self.object
        membership = membership_for(self.request.user)
        return super().get_context_data(
            invitations=[
                (invitation, FollowUpForm(prefix=f"ask-{invitation.pk}"))
                for invitation in quote_request.invitations.all()
            ],
            can_record_purchase=can_record_purchase(quote_request, membership),
            **kwargs,
        )


def can_record_purchase(quote_request, membership):
    """A draft purchase is offered to the member organization the request was sent for,
    once a supplier with a quoted amount is chosen."""
    return (
        membership is not None
        and quote_request.organization_id == membership.organization_id
        and quote_request.status == QuoteRequest.Status.CHOSEN
        and quote_request.purchase_id is None
        and quote_request.chosen is not None
        and quote_request.chosen.amount is not None
    )


class AskView(BuyerRequiredMixin, View):
    """A follow-up question to one enterprise of an open request."""

    http_method_names = ["post"]

    def post(self, request, pk, invitation_pk):
        quote_request = self.quote_request(pk)
        invitation = get_object_or_404(
            QuoteInvitation.objects.select_related("enterprise", "request_mail"),
            pk=invitation_pk, request=quote_request,
        )
        form = FollowUpForm(request.POST, prefix=f"ask-{invitation.pk}")
        if not quote_request.is_open:
            messages.error(request, _("This request is closed."))
        elif invitation.never_reached:
            # A question about a request it never received would be the first it hears of
            # it, after it asked for no more requests.
            messages.error(request, _(
                "%(enterprise)s stopped receiving requests before yours was sent: it did not "
                "receive it, so your question was not sent either."
            ) % {"enterprise": invitation.enterprise.name})
        elif form.is_valid():
            follow_up = form.save(commit=False)
            follow_up.invitation = invitation
            follow_up.author = FollowUp.Author.BUYER
            follow_up.save()
            mail.send_question(follow_up, request.build_absolute_uri)
            messages.success(request, _("Your question was sent to %(enterprise)s.") % {
                "enterprise": invitation.enterprise.name
            })
        else:
            messages.error(request, _("Write your question before sending it."))
        return redirect(quote_request)


class ChooseView(BuyerRequiredMixin, View):
    """The buyer closes the request: one enterprise that answered, or none."""

    http_method_names = ["post"]

    def post(self, request, pk):
        quote_request = self.quote_request(pk)
        if not quote_request.is_open:
            messages.error(request, _("This request is already closed."))
            return redirect(quote_request)
        choice = request.POST.get("invitation", "")
        if choice == "none":
            quote_request.status = QuoteRequest.Status.CLOSED
            quote_request.chosen = None
            messages.success(request, _("The request is closed without a supplier."))
        else:
            invitation = quote_request.invitations.filter(
                pk=choice if choice.isdigit() else None,
                answer__in=[QuoteInvitation.Answer.INTERESTED, QuoteInvitation.Answer.QUOTED],
            ).select_related("enterprise").first()
            if invitation is None:
                messages.error(
                    request, _("Choose an enterprise that answered with interest or a quote.")
                )
                return redirect(quote_request)
            quote_request.status = QuoteRequest.Status.CHOSEN
            quote_request.chosen = invitation
            messages.success(request, _("You chose %(enterprise)s.") % {
                "enterprise": invitation.enterprise.name
            })
        quote_request.closed_at = timezone.now()
        quote_request.save(update_fields=["status", "chosen", "closed_at"])
        for invitation in quote_request.invitations.exclude(
            answer=QuoteInvitation.Answer.PENDING
        ).select_related("enterprise", "request__organization", "request__buyer"):
            mail.send_decision(invitation, request.build_absolute_uri)
        return redirect(quote_request)


class RecordPurchaseView(BuyerRequiredMixin, View):
    """The draft purchase, pre-filled from the request and the chosen quote, which the member
    then checks, submits and staff validate as any other."""

    http_method_names = ["post"]

    def post(self, request, pk):
        with transaction.atomic():
            quote_request = get_object_or_404(
                QuoteRequest.objects.select_for_update(of=("self",)).select_related("chosen"),
                pk=pk, buyer=request.user,
            )
            membership = membership_for(request.user)
            if not can_record_purchase(quote_request, membership):
                raise PermissionDenied(_("This request cannot become a purchase."))
            invitation_count = quote_request.invitations.count()
            purchase = Purchase(
                organization=membership.organization,
                enterprise_id=quote_request.chosen.enterprise_id,
                category=quote_request.category,
                description=quote_request.title,
                amount=quote_request.chosen.amount,
                award_date=timezone.localdate(),
                procurement_method=(
                    Purchase.ProcurementMethod.INVITATION if invitation_count > 1
                    else Purchase.ProcurementMethod.DIRECT
                ),
                delivery_region_id=quote_request.region_id,
                recorded_by=request.user,
                status=Purchase.Status.DRAFT,
            )
            purchase.save()
            quote_request.purchase = purchase
            quote_request.save(update_fields=["purchase"])
        messages.success(request, _(
            "A draft purchase was prepared from your request: check it, then submit it."
        ))
        return redirect("purchases:purchase_update", pk=purchase.pk)


def pdf_response(field_file, filename):
    if not field_file:
        raise Http404
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class QuoteFileView(BuyerRequiredMixin, View):
    def get(self, request, pk, invitation_pk):
        invitation = get_object_or_404(
            QuoteInvitation, pk=invitation_pk, request=self.quote_request(pk)
        )
        name = _("quote")
        return pdf_response(invitation.quote_file, f"{name}-{invitation.pk}.pdf")


class RequestAttachmentView(BuyerRequiredMixin, View):
    def get(self, request, pk):
        quote_request = self.quote_request(pk)
        name = _("request")
        return pdf_response(quote_request.attachment, f"{name}-{quote_request.pk}.pdf")


# What an enterprise opens from its email ------------------------------------------------------


def bad_link(request, error):
    return render(
        request, "procurement/bad_link.html", {"expired": error.expired},
        status=410 if error.expired else 400,
    )


@private
class SignedLinkView(View):
    """A page opened by a signed link of one purpose; a tampered, foreign or expired link
    gets a page that says so."""

    purpose = None

    def dispatch(self, request, *args, **kwargs):
        try:
            self.signed_pk = links.read_token(self.purpose, kwargs["token"])
        except links.BadLink as error:
            return bad_link(request, error)
        return super().dispatch(request, *args, **kwargs)


class RespondView(SignedLinkView):
    purpose = links.RESPOND
    template_name = "procurement/respond.html"

    def get_invitation(self):
        return get_object_or_404(
            QuoteInvitation.objects.select_related(
                "enterprise", "request", "request__category", "request__municipality",
                "request__organization", "request__buyer__buyer_profile",
            ),
            pk=self.signed_pk,
        )

    def render_page(self, invitation, answer_form=None, reply_form=None, status=200):
        language = language_of(invitation.enterprise)
        return render(self.request, self.template_name, {
            "invitation": invitation, "quote_request": invitation.request,
            "buyer_name": mail.buyer_name(invitation.request),
            "follow_ups": invitation.follow_ups.all(),
            "answer_form": answer_form or AnswerForm(instance=invitation, language=language),
            "reply_form": reply_form or FollowUpForm(prefix="reply"),
            "token": self.kwargs["token"],
        }, status=status)

    def get(self, request, token):
        return self.render_page(self.get_invitation())

    def post(self, request, token):
        invitation = self.get_invitation()
        if not invitation.request.is_open:
            messages.error(request, _("This request is closed: the buyer has decided."))
            return redirect(request.path)
        if "reply" in request.POST:
            reply_form = FollowUpForm(request.POST, prefix="reply")
            if not reply_form.is_valid():
                return self.render_page(invitation, reply_form=reply_form, status=400)
            follow_up = reply_form.save(commit=False)
            follow_up.invitation = invitation
            follow_up.author = FollowUp.Author.ENTERPRISE
            follow_up.save()
            mail.notify_buyer(invitation, request.build_absolute_uri, follow_up)
            messages.success(request, _("Your reply was sent to the buyer."))
            return redirect(request.path)
        answer_form = AnswerForm(
            request.POST, request.FILES, instance=invitation,
            language=language_of(invitation.enterprise),
        )
        if not answer_form.is_valid():
            return self.render_page(invitation, answer_form=answer_form, status=400)
        answer_form.save()
        mail.notify_buyer(invitation, request.build_absolute_uri)
        messages.success(request, _("Thank you: your answer was sent to the buyer."))
        return redirect(request.path)


class RespondAttachmentView(SignedLinkView):
    purpose = links.RESPOND

    def get(self, request, token):
        invitation = get_object_or_404(
            QuoteInvitation.objects.select_related("request"), pk=self.signed_pk
        )
        quote_request = invitation.request
        name = _("request")
        return pdf_response(quote_request.attachment, f"{name}-{quote_request.pk}.pdf")


@method_decorator(csrf_exempt, name="dispatch")
class PreferencesView(SignedLinkView):
    """Stop, pause or resume requests; honoured for the next request already. The link is
    also each email's ``List-Unsubscribe``: a mail client's one-click unsubscribe (RFC 8058)
    posts to it and stops the requests at once."""

    purpose = links.PREFERENCES

    def form(self, data=None):
        enterprise = get_object_or_404(Enterprise, pk=self.signed_pk)
        preference = EnterprisePreference.objects.filter(enterprise=enterprise).first()
        return PreferenceForm(
            data, instance=preference or EnterprisePreference(enterprise=enterprise)
        )

    def get(self, request, token):
        form = self.form()
        return render(request, "procurement/preferences.html", {
            "form": form, "enterprise": form.instance.enterprise,
        })

    def post(self, request, token):
        # As for the buyers' link: a one-click POST carries no cookie, the signed link is its
        # proof; the page's own form is checked as any form.
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return self.stop(request)
        return csrf_protect(self.choose)(request)

    def stop(self, request):
        preference = self.form().instance
        preference.opted_out = True
        preference.paused_until = None
        preference.save()
        messages.success(request, _("You will receive no more requests for quotes."))
        return render(request, "procurement/preferences.html", {
            "form": PreferenceForm(instance=preference), "enterprise": preference.enterprise,
        })

    def choose(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return render(request, "procurement/preferences.html", {
                "form": form, "enterprise": form.instance.enterprise,
            }, status=400)
        form.save()
        messages.success(request, _("Your choice is saved and applies from now on."))
        return redirect(request.path)


@method_decorator(csrf_exempt, name="dispatch")
class BuyerUnsubscribeView(SignedLinkView):
    """The unsubscribe link of every email to a buyer, with no sign-in. Opening it only asks,
    since mail scanners and link previews open links too; the page's button, or the mail
    client's one-click unsubscribe (RFC 8058, announced by ``List-Unsubscribe-Post``), posts
    to it and stops the notices at once. The buyer turns them back on from their requests
    page."""

    purpose = links.BUYER_NOTICES

    def get(self, request, token):
        user = get_object_or_404(get_user_model(), pk=self.signed_pk)
        if not BuyerNotice.objects.wanted_by(user):
            return render(request, "procurement/unsubscribed.html")
        return render(request, "procurement/unsubscribe.html")

    def post(self, request, token):
        # A mail client's one-click POST carries no cookie, hence no CSRF token: the signed
        # link is its proof. The page's own button is checked as any form.
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return self.stop(request)
        return csrf_protect(self.stop)(request)

    def stop(self, request):
        user = get_object_or_404(get_user_model(), pk=self.signed_pk)
        BuyerNotice.objects.choose(user, wanted=False)
        return render(request, "procurement/unsubscribed.html")


# Buyer accounts -----------------------------------------------------------------------------


@private
class BuyerSignupView(FormView):
    template_name = "procurement/signup.html"
    form_class = BuyerSignupForm

    def get_context_data(self, **kwargs):
        """Where the sign-in link leads back to: the page that asked for a buyer, if it is
        one of this site's."""
        next_url = self.request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            next_url = reverse("procurement:shortlist_list")
        return super().get_context_data(next_url=next_url, **kwargs)

    def form_valid(self, form):
        """The same page whether the address was new, awaiting its confirmation or already
        an account's: only the email differs, and only its owner reads it."""
        profile = form.save()
        email = form.cleaned_data["email"]
        absolute_uri = self.request.build_absolute_uri
        if mail.signup_mail_allowed(email):
            if profile is None:
                mail.send_account_exists(email, translation.get_language()[:2], absolute_uri)
            else:
                mail.send_buyer_confirmation(profile, absolute_uri)
        return render(self.request, "procurement/signup_sent.html", {"email": email})


class BuyerConfirmView(SignedLinkView):
    """The confirmation link: its holder, the owner of the mailbox, chooses the password
    before the account goes live, so that a password typed by whoever signed up with the
    address never opens it. A confirmed account's link changes nothing: it is no password
    reset."""

    purpose = links.CONFIRM_BUYER

    def profile(self):
        return get_object_or_404(BuyerProfile.objects.select_related("user"), pk=self.signed_pk)

    def get(self, request, token):
        profile = self.profile()
        return render(request, "procurement/signup_confirm.html", {
            "profile": profile, "form": BuyerPasswordForm(profile.user),
        })

    def post(self, request, token):
        profile = self.profile()
        if profile.confirmed_at is not None:
            return redirect("procurement:shortlist_list")
        form = BuyerPasswordForm(profile.user, request.POST)
        if not form.is_valid():
            return render(request, "procurement/signup_confirm.html", {
                "profile": profile, "form": form,
            }, status=400)
        profile.confirm(form.cleaned_data["password1"])
        login(request, profile.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your buyer account is confirmed."))
        return redirect("procurement:shortlist_list")
