"""The public registration form."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from enterprises.models import Category, Enterprise, Region
from enterprises.validators import fold

from .models import Registration


def category_choices():
    """Categories grouped under their top-level parent, the parent first (it also matches
    everything under it); one query."""
    categories = sorted(
        Category.objects.all(), key=lambda category: fold(category.localized_name)
    )
    groups = {category.pk: [] for category in categories if category.parent_id is None}
    for category in categories:
        if category.parent_id in groups:
            groups[category.parent_id].append((category.pk, category.localized_name))
    return [
        (parent.localized_name, [
            (parent.pk, _("%(category)s: all") % {"category": parent.localized_name}),
            *groups[parent.pk],
        ])
        for parent in categories if parent.pk in groups
    ]


class RegistrationForm(forms.ModelForm):
    """Name, organization, email and role; for a matchmaking event, also what the person buys
    or offers and their region. A signed-in member's organization comes from the membership,
    never from the form."""

    categories = forms.TypedMultipleChoiceField(
        label=_("What you buy or offer"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A general category also matches the more specific ones under it."),
        error_messages={"required": _("Choose at least one product or service.")},
    )

    class Meta:
        model = Registration
        fields = ["role", "name", "organization_name", "email", "categories", "region"]
        widgets = {"role": forms.RadioSelect}
        labels = {
            "name": _("Your name"),
            "organization_name": _("Your organization"),
            "email": _("Your email"),
            "role": _("You register as"),
            "region": _("Your region"),
        }
        help_texts = {
            "email": _("The confirmation and the cancellation link are sent to this address."),
        }

    def __init__(self, *args, event, membership=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.membership = membership
        self.fields["role"].choices = Registration.Role.choices
        if event.is_matchmaking:
            self.fields["categories"].required = True
            self.fields["categories"].choices = category_choices()
            self.fields["region"].required = True
            self.fields["region"].queryset = Region.objects.order_by("code")
            self.fields["region"].error_messages["required"] = _("Choose your region.")
        else:
            del self.fields["categories"]
            del self.fields["region"]
        if user is not None and user.is_authenticated:
            self.initial.setdefault("name", user.get_full_name() or user.get_username())
            self.initial.setdefault("email", user.email)
        if membership is not None:
            del self.fields["organization_name"]
            self.initial.setdefault("role", Registration.Role.BUYER)
            if "region" in self.fields:
                self.initial.setdefault("region", membership.organization.region_id)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_organization_name(self):
        return self.cleaned_data["organization_name"].strip()

    def _post_clean(self):
        # The one-registration-per-email rule is checked by Event.register, with the event
        # row locked; the form leaves out the event, so its constraint is not checked here.
        if self.membership is not None:
            self.instance.user = self.membership.user
            self.instance.organization = self.membership.organization
            self.instance.organization_name = self.membership.organization.name
        super()._post_clean()

    def registration(self, language):
        """The unsaved registration, linked to the directory entry of an enterprise that
        registers under its exact name."""
        registration = self.save(commit=False)
        registration.language = translation.get_supported_language_variant(language)
        if registration.role == Registration.Role.ENTERPRISE:
            registration.enterprise = (
                Enterprise.objects.published()
                .filter(name_folded=fold(registration.organization_name))
                .order_by("pk")
                .first()
            )
        return registration
