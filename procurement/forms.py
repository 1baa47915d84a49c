"""Forms of shortlists, requests for quotes, answers and buyer accounts."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from enterprises.models import Category, Municipality
from purchases.money import MoneyField

from .models import (
    BuyerProfile,
    EnterprisePreference,
    FollowUp,
    QuoteInvitation,
    QuoteRequest,
    Shortlist,
    ShortlistEntry,
    sent_to_enterprise_since,
)

PDF_MAGIC = b"%PDF-"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PdfField(forms.FileField):
    """A PDF, checked by its content (its first bytes, then pypdf reads its pages), never by
    its name or the type the browser claims, and no larger than the setting allows."""

    default_error_messages = {
        "not_pdf": _("This file is not a PDF document."),
        "too_large": _("The file is larger than %(size)s MB."),
    }

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return upload
        limit = settings.PROCUREMENT_ATTACHMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                self.error_messages["too_large"], code="too_large",
                params={"size": limit // (1024 * 1024)},
            )
        upload.seek(0)
        if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
            raise forms.ValidationError(self.error_messages["not_pdf"], code="not_pdf")
        upload.seek(0)
        try:
            if len(PdfReader(upload).pages) < 1:
                raise forms.ValidationError(self.error_messages["not_pdf"], code="not_pdf")
        # pypdf raises its own errors, and a few plain ones, on a damaged or forged file.
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise forms.ValidationError(
                self.error_messages["not_pdf"], code="not_pdf"
            ) from error
        upload.seek(0)
        return upload


class MunicipalityField(forms.CharField):
    """A municipality typed by its name, accents and case as in the official list; among
    namesakes, the most populous."""

    def __init__(self, **kwargs):
        super().__init__(max_length=100, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return Municipality.objects.filter(pk=value).values_list("name", flat=True).first()
        return value.name if isinstance(value, Municipality) else value

    def clean(self, value):
        name = super().clean(value).strip()
        municipality = (
            Municipality.objects.filter(name__iexact=name).order_by("-population").first()
        )
        if municipality is None:
            raise forms.ValidationError(_("Type the name of a municipality of Quebec."))
        return municipality


class ShortlistForm(forms.ModelForm):
    class Meta:
        model = Shortlist
        fields = ["name"]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.owner = owner

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Shortlist.objects.filter(owner=self.instance.owner, name__iexact=name).exclude(
            pk=self.instance.pk
        ).exists():
            raise forms.ValidationError(_("You already have a shortlist of that name."))
        return name


class SaveToShortlistForm(forms.Form):
    """Which shortlist an enterprise goes to: one of the buyer's, or a new one."""

    shortlist = forms.ModelChoiceField(
        label=_("Shortlist"), queryset=Shortlist.objects.none(), required=False,
        empty_label=_("A new shortlist"),
    )
    new_name = forms.CharField(label=_("Name of the new shortlist"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note (only you and those you share the list with see it)"), required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["shortlist"].queryset = Shortlist.objects.filter(owner=owner)

    def clean(self):
        cleaned_data = super().clean()
        new_name = " ".join(cleaned_data.get("new_name", "").split())
        if cleaned_data.get("shortlist") is None:
            if not new_name:
                raise forms.ValidationError(
                    _("Choose one of your shortlists or name a new one.")
                )
            if Shortlist.objects.filter(owner=self.owner, name__iexact=new_name).exists():
                self.add_error("new_name", _("You already have a shortlist of that name."))
        cleaned_data["new_name"] = new_name
        return cleaned_data

    def save(self, enterprise):
        shortlist = self.cleaned_data["shortlist"] or Shortlist.objects.create(
            owner=self.owner, name=self.cleaned_data["new_name"]
        )
        entry, created = ShortlistEntry.objects.get_or_create(
            shortlist=shortlist, enterprise=enterprise,
            defaults={"note": self.cleaned_data["note"]},
        )
        if not created and self.cleaned_data["note"]:
            entry.note = self.cleaned_data["note"]
            entry.save(update_fields=["note"])
        Shortlist.objects.filter(pk=shortlist.pk).update(updated_at=timezone.now())
        return shortlist


class EntryNoteForm(forms.ModelForm):
    class Meta:
        model = ShortlistEntry
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


def unavailable_reasons(enterprises):
    """Why each enterprise of a shortlist cannot receive a request now, by its pk."""
    today = timezone.localdate()
    refusing = set(
        EnterprisePreference.objects.refusing(today)
        .filter(enterprise__in=enterprises).values_list("enterprise", flat=True)
    )
    weekly = sent_to_enterprise_since([enterprise.pk for enterprise in enterprises])
    limit = settings.PROCUREMENT_REQUESTS_PER_ENTERPRISE_PER_WEEK
    reasons = {}
    for enterprise in enterprises:
        if not enterprise.email:
            reasons[enterprise.pk] = _("no email address in the directory")
        elif enterprise.pk in refusing:
            reasons[enterprise.pk] = _("does not receive requests for now")
        elif weekly.get(enterprise.pk, 0) >= limit:
            reasons[enterprise.pk] = _("has received enough requests this week")
    return reasons


class QuoteRequestForm(forms.ModelForm):
    """A request for quotes to some of a shortlist's enterprises."""

    recipients = forms.ModelMultipleChoiceField(
        label=_("Send to"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Up to 10 enterprises of the shortlist."),
    )
    municipality = MunicipalityField(label=_("Place (municipality)"))
    attachment = PdfField(label=_("Attachment (PDF)"), required=False)

    class Meta:
        model = QuoteRequest
        fields = [
            "title", "category", "description", "quantity", "municipality", "wanted_on",
            "answer_by", "budget", "attachment",
        ]
        widgets = {
            "wanted_on": DateInput, "answer_by": DateInput,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, shortlist, buyer, **kwargs):
        super().__init__(*args, **kwargs)
        self.shortlist = shortlist
        self.buyer = buyer
        enterprises = list(shortlist.enterprises.order_by("name"))
        self.unavailable = unavailable_reasons(enterprises)
        self.available = [e for e in enterprises if e.pk not in self.unavailable]
        self.fields["recipients"].queryset = shortlist.enterprises.filter(
            pk__in=[e.pk for e in self.available]
        ).order_by("name")
        self.fields["category"].queryset = Category.objects.order_by("name")
        self.fields["answer_by"].widget.attrs["min"] = timezone.localdate().isoformat()
        # The usual case: every enterprise of the list that can receive it, two weeks to answer.
        self.fields["recipients"].initial = [
            enterprise.pk for enterprise in self.available[:settings.PROCUREMENT_MAX_RECIPIENTS]
        ]
        self.fields["answer_by"].initial = timezone.localdate() + timedelta(days=14)

    def clean_recipients(self):
        recipients = self.cleaned_data["recipients"]
        if len(recipients) > settings.PROCUREMENT_MAX_RECIPIENTS:
            raise forms.ValidationError(
                ngettext(
                    "Choose at most %(count)d enterprise.",
                    "Choose at most %(count)d enterprises.",
                    settings.PROCUREMENT_MAX_RECIPIENTS,
                ) % {"count": settings.PROCUREMENT_MAX_RECIPIENTS}
            )
        return recipients

    def clean_answer_by(self):
        answer_by = self.cleaned_data["answer_by"]
        if answer_by < timezone.localdate():
            raise forms.ValidationError(_("The answer date cannot be in the past."))
        return answer_by

    def clean(self):
        cleaned_data = super().clean()
        self.check_limits()
        return cleaned_data

    def check_limits(self):
        """The buyer's daily limit and the chosen enterprises' weekly one. The view runs it
        again once the buyer's row is locked, so that two requests sent at the same moment
        cannot both pass."""
        limit = settings.PROCUREMENT_REQUESTS_PER_BUYER_PER_DAY
        sent_today = QuoteRequest.objects.of_buyer(self.buyer).sent_since(
            timezone.now() - timedelta(days=1)
        ).count()
        if sent_today >= limit:
            raise forms.ValidationError(
                ngettext(
                    "You have sent %(count)d request in the last 24 hours, the most allowed. "
                    "Try again tomorrow.",
                    "You have sent %(count)d requests in the last 24 hours, the most allowed. "
                    "Try again tomorrow.",
                    sent_today,
                ) % {"count": sent_today},
                code="rate_limited",
            )
        recipients = list(self.cleaned_data.get("recipients") or [])
        if unavailable_reasons(recipients):
            raise forms.ValidationError(
                _("One of the enterprises can no longer receive a request: choose again."),
                code="unavailable",
            )


class DeclineReasonField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("", "—"), *QuoteInvitation.DeclineReason.choices], required=False, **kwargs
        )


class AnswerForm(forms.ModelForm):
    """The enterprise's answer: interested, not interested (with a reason), or a quote."""

    answer = forms.ChoiceField(
        label=_("Your answer"), widget=forms.RadioSelect,
        # Worded as the enterprise says it; the buyer reads the model's labels.
        choices=[
            (QuoteInvitation.Answer.INTERESTED, _("We are interested")),
            (QuoteInvitation.Answer.DECLINED, _("We are not interested")),
            (QuoteInvitation.Answer.QUOTED, _("We send a quote")),
        ],
    )
    decline_reason = DeclineReasonField(label=_("Reason, if you are not interested"))
    amount = MoneyField(
        label=_("Amount of your quote before taxes ($)"), required=False, max_digits=14,
        decimal_places=2,
    )
    quote_file = PdfField(label=_("Your quote (PDF)"), required=False)
    language = forms.ChoiceField(
        label=_("Language of our emails to you"), choices=settings.LANGUAGES
    )

    class Meta:
        model = QuoteInvitation
        fields = ["answer", "decline_reason", "amount", "delay", "message", "quote_file"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        if self.instance.answer == QuoteInvitation.Answer.PENDING:
            self.initial.pop("answer", None)

    def clean(self):
        cleaned_data = super().clean()
        answer = cleaned_data.get("answer")
        if answer == QuoteInvitation.Answer.DECLINED and not cleaned_data.get("decline_reason"):
            self.add_error("decline_reason", _("Tell the buyer why, in a word."))
        if answer == QuoteInvitation.Answer.QUOTED and cleaned_data.get("amount") is None:
            self.add_error("amount", _("A quote needs its amount."))
        if answer != QuoteInvitation.Answer.DECLINED:
            cleaned_data["decline_reason"] = ""
            self.instance.decline_reason = ""
        return cleaned_data

    def save(self, commit=True):
        invitation = super().save(commit=False)
        invitation.answered_at = timezone.now()
        if commit:
            invitation.save()
            EnterprisePreference.objects.update_or_create(
                enterprise=invitation.enterprise,
                defaults={"language": self.cleaned_data["language"]},
            )
        return invitation


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["body"]
        labels = {"body": _("Your message")}
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class PreferenceForm(forms.ModelForm):
    """An enterprise stops, pauses or resumes requests, and picks its language."""

    class Choice:
        RECEIVE = "receive"
        PAUSE = "pause"
        STOP = "stop"

    PAUSE_DAYS = 30

    choice = forms.ChoiceField(
        label=_("Requests for quotes"), widget=forms.RadioSelect,
        choices=[
            (Choice.RECEIVE, _("Send me requests for quotes")),
            (Choice.PAUSE, _("Pause requests for 30 days")),
            (Choice.STOP, _("Send me no more requests")),
        ],
    )

    class Meta:
        model = EnterprisePreference
        fields = ["language"]
        labels = {"language": _("Language of our emails to you")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preference = self.instance
        if preference.opted_out:
            self.fields["choice"].initial = self.Choice.STOP
        elif preference.paused_until and preference.paused_until >= timezone.localdate():
            self.fields["choice"].initial = self.Choice.PAUSE
        else:
            self.fields["choice"].initial = self.Choice.RECEIVE

    def save(self, commit=True):
        preference = super().save(commit=False)
        choice = self.cleaned_data["choice"]
        preference.opted_out = choice == self.Choice.STOP
        preference.paused_until = (
            timezone.localdate() + timedelta(days=self.PAUSE_DAYS)
            if choice == self.Choice.PAUSE else None
        )
        if commit:
            preference.save()
        return preference


class BuyerSignupForm(forms.ModelForm):
    """A self-service buyer account: the email address is the login.

    An address already in use gets the same answer as a new one ("check your email"), so the
    form never tells who has an account: ``save`` returns the account to confirm, or None
    when the address already has an account, whose owner is told by email instead. Signing up
    again before confirming starts the account over (organization, kind) with a fresh
    confirmation link: the first email may have been lost, or its link expired.

    No password is asked here: anyone may type someone else's address, so the password is
    chosen on the confirmation page, by whoever holds the mailbox (``BuyerPasswordForm``)."""

    email = forms.EmailField(label=_("Email address"))

    class Meta:
        model = BuyerProfile
        fields = ["organization_name", "kind"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def pending_profile(self, email):
        """The unconfirmed buyer account of this address, if that is the only account it
        has; raises ``AddressTaken`` if it has any other."""
        users = list(get_user_model().objects.filter(
            Q(username__iexact=email) | Q(email__iexact=email)
        ).select_related("buyer_profile"))
        if not users:
            return None
        profile = getattr(users[0], "buyer_profile", None)
        if len(users) == 1 and not users[0].is_active and profile and not profile.confirmed_at:
            return profile
        raise AddressTaken

    def save(self, commit=True):
        email = self.cleaned_data["email"]
        try:
            pending = self.pending_profile(email)
        except AddressTaken:
            return None
        if pending is None:
            # No usable password until the confirmation page sets one.
            user = get_user_model().objects.create_user(
                username=email, email=email, password=None, is_active=False,
            )
            profile = super().save(commit=False)
            profile.user = user
        else:
            profile = pending
            profile.organization_name = self.cleaned_data["organization_name"]
            profile.kind = self.cleaned_data["kind"]
        profile.language = translation.get_language()[:2]
        profile.save()
        return profile


class BuyerPasswordForm(SetPasswordMixin, forms.Form):
    """The password chosen on the confirmation page, typed twice since nobody has seen it
    before; checked by the site's password validators against the account's address."""

    error_messages = {"password_mismatch": _("The two passwords are not the same.")}

    password1 = forms.CharField(
        label=_("Choose your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not too common, not only digits."),
    )
    password2 = forms.CharField(
        label=_("The same password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        self.validate_passwords()
        # A password typed twice differently is not judged yet.
        if not self.has_error("password2"):
            self.validate_password_for_user(self.user, password_field_name="password1")
        return super().clean()


class AddressTaken(Exception):
    """The address signing up already has an account, confirmed or not a buyer's."""
