"""Forms of the member portal and the public repertory."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from enterprises.formatting import format_money
from enterprises.models import Category, Enterprise, Region, Sector
from enterprises.validators import fold, normalize_neq

from .filters import FIRST_YEAR, LAST_YEAR
from .mail import send_password_reset
from .models import (
    UNUSUAL_MULTIPLE,
    ContractSizeBracket,
    ContractSizeThreshold,
    Invitation,
    MemberOrganization,
    Membership,
    Purchase,
)
from .money import MoneyField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PurchaseForm(forms.ModelForm):
    """A purchase as a member records it; the organization and the status are never fields.

    The supplier is typed as text. The autocomplete script fills the hidden `enterprise` with the
    id of a directory entry; without JavaScript, an exact name or NEQ still finds the entry, and
    any other name is kept as a supplier outside the directory, for staff to link.
    """

    supplier = forms.CharField(
        label=_("Supplier"),
        max_length=255,
        help_text=_("Start typing an enterprise of the directory, its name or its NEQ."),
    )

    class Meta:
        model = Purchase
        fields = [
            "enterprise", "category", "description", "amount", "award_date", "contract_start",
            "contract_end", "procurement_method", "preferential_margin_percent",
            "delivery_region", "consent_to_publish",
        ]
        widgets = {
            "enterprise": forms.HiddenInput,
            "award_date": DateInput,
            "contract_start": DateInput,
            "contract_end": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"amount": MoneyField}

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        # Set by clean() when the amount is out of the ordinary and not yet confirmed.
        self.asks_confirmation = False
        self.confirm_value = self.confirm_display = ""
        self.fields["enterprise"].queryset = Enterprise.objects.published()
        self.fields["category"].queryset = Category.objects.order_by("name")
        self.fields["award_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if self.instance.pk and not self.is_bound:
            self.initial["supplier"] = self.instance.supplier_display

    def clean(self):
        cleaned_data = super().clean()
        supplier = cleaned_data.get("supplier", "").strip()
        enterprise = cleaned_data.get("enterprise")
        if enterprise is not None and supplier and fold(supplier) != enterprise.name_folded:
            enterprise = None  # the name was edited after a suggestion was picked
        if enterprise is None and supplier:
            enterprise = find_enterprise(supplier)
        cleaned_data["enterprise"] = enterprise
        self.instance.enterprise = enterprise
        self.instance.supplier_name = "" if enterprise else supplier
        self.check_amount(cleaned_data.get("amount"), cleaned_data.get("award_date"))
        return cleaned_data

    def check_amount(self, amount, award_date):
        """An amount in the largest bracket, or far above what the organization usually buys,
        is saved only once the member confirms it (a slipped decimal mark costs a zero or two)."""
        if amount is None:
            return
        reasons = self.unusual_amount_reasons(amount, award_date or timezone.localdate())
        confirmed = self.data.get("confirm_amount") == str(amount)
        if not reasons or confirmed:
            return
        self.asks_confirmation, self.confirm_value = True, str(amount)
        self.confirm_display = format_money(amount)
        self.add_error("amount", " ".join([*reasons, str(_(
            "If the amount is right, tick the box below it and save again."
        ))]))

    def unusual_amount_reasons(self, amount, award_date):
        reasons = []
        thresholds = ContractSizeThreshold.objects.in_force_on(award_date)
        if thresholds is not None and amount >= thresholds.largest_bracket_floor():
            reasons.append(str(
                _("%(amount)s falls in the largest contract size, “%(bracket)s”.") % {
                    "amount": format_money(amount),
                    "bracket": thresholds.bracket_for(amount).label,
                }
            ))
        if self.organization is not None:
            others = Purchase.objects.for_organization(self.organization).exclude(
                pk=self.instance.pk
            )
            median = others.usual_amount()
            if median and amount > UNUSUAL_MULTIPLE * median:
                reasons.append(str(
                    _("%(amount)s is more than %(multiple)s times your organization's usual "
                      "purchase (%(median)s).") % {
                        "amount": format_money(amount), "multiple": UNUSUAL_MULTIPLE,
                        "median": format_money(median),
                    }
                ))
        return reasons


def find_enterprise(text):
    """The published enterprise with exactly this NEQ or this name (accents and case aside)."""
    published = Enterprise.objects.published()
    try:
        neq = normalize_neq(text)
    except forms.ValidationError:
        neq = ""
    if neq:
        return published.filter(neq=neq).first()
    matches = list(published.filter(name_folded=fold(text))[:2])
    return matches[0] if len(matches) == 1 else None


class TargetForm(forms.ModelForm):
    class Meta:
        model = MemberOrganization
        fields = ["yearly_target"]
        field_classes = {"yearly_target": MoneyField}


class InviteForm(forms.Form):
    """A manager invites a person: the membership waits for that person's acceptance."""

    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.CONTRIBUTOR
    )
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)

    def __init__(self, *args, organization, invited_by, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.invited_by = invited_by
        self.fields["language"].initial = translation.get_language()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(
            organization=self.organization, user__email__iexact=email
        ).exists():
            raise forms.ValidationError(_("This person is already a member of your organization."))
        return email

    def save(self):
        return Invitation.objects.invite(
            self.organization, self.cleaned_data["email"], self.cleaned_data["role"],
            self.cleaned_data["language"], self.invited_by,
        )


class InvitationSignupForm(SetPasswordForm):
    """An account for the invited address: the address is the invitation's, the invited
    person only chooses a password."""

    def __init__(self, invitation, *args, **kwargs):
        user = get_user_model()(username=invitation.email[:150], email=invitation.email)
        super().__init__(user, *args, **kwargs)


class EmailAuthenticationForm(AuthenticationForm):
    """The sign-in form: accounts are named by their email address, and so is the field."""

    username = forms.CharField(
        label=_("Email"), max_length=254,
        # A text box that phones give an email keyboard: an older account named otherwise
        # (not an address) can still sign in.
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "email", "inputmode": "email",
            "autocapitalize": "none", "spellcheck": "false",
        }),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm relabels the field after the user model's username; keep ours.
        self.fields["username"].label = _("Email")
        self.error_messages = {
            **self.error_messages,
            "invalid_login": _("The email address or the password is not right. Both are "
                               "checked as typed; the password is case-sensitive."),
        }


class PasswordResetRequestForm(PasswordResetForm):
    """Queues the whole reset, the account look-up included (see `send_password_reset`)."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        send_password_reset.enqueue(
            self.cleaned_data["email"], domain_override or request.get_host(), use_https,
            translation.get_language(),
        )


class SuggestionQueryForm(forms.Form):
    """What a member typed in the supplier field; anything else gets no suggestion."""

    q = forms.CharField(min_length=2, max_length=100)


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel (.xlsx) file"),
        help_text=_(
            "Use the template: one purchase per row, the first row holds the column names."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Check the file only, save nothing"), required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).")
                % {"size": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class RepertoryFilterForm(forms.Form):
    """The public repertory's filters; every field is optional and an unknown value is ignored."""

    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, to_field_name="slug"
    )
    category = forms.ModelChoiceField(
        label=_("Product or service"), queryset=Category.objects.all(), required=False,
        to_field_name="slug",
    )
    bracket = forms.ChoiceField(
        label=_("Contract size"), choices=[("", _("All"))] + ContractSizeBracket.choices,
        required=False,
    )
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    region = forms.ModelChoiceField(
        label=_("Buyer's region"), queryset=Region.objects.all(), required=False,
        to_field_name="code",
    )
    member_kind = forms.ChoiceField(
        label=_("Kind of buyer"), choices=[("", _("All"))] + MemberOrganization.Kind.choices,
        required=False,
    )

    def filters(self):
        """The valid filters as keyword arguments for `stats.RepertoryStatistics`.

        A field that fails validation is left out of `cleaned_data`, so it filters nothing.
        """
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
