from django import forms
from django.conf import settings
from django.db.models import URLField
from django.utils.translation import gettext_lazy as _

from enterprises.formatting import sorted_by_language
from enterprises.models import Enterprise, Mrc
from enterprises.validators import normalize_neq

from .models import Claim, EnterpriseFile, ErrorReport, Role
from .profiles import EDITABLE_FIELDS, IDENTITY_FIELDS
from .uploads import checked_image, checked_pdf


class CategoryTreeWidget(forms.CheckboxSelectMultiple):
    """The products and services as their tree: each category under its parent, siblings in
    the page's language order; filter.js filters it as one types."""

    template_name = "enterprise_accounts/widgets/category_tree.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [option for _group, group, _index in context["widget"]["optgroups"]
                   for option in group]
        by_pk = {option["value"].value: option for option in options}
        children = {}
        for option in options:
            parent = option["value"].instance.parent_id
            children.setdefault(parent if parent in by_pk else None, []).append(option)
        placed = set()

        def nodes(parent):
            branch = []
            for option in sorted_by_language(children.get(parent, ()), key=lambda o: o["label"]):
                if option["value"].value not in placed:
                    placed.add(option["value"].value)
                    branch.append({"option": option, "children": nodes(option["value"].value)})
            return branch

        tree = nodes(None)
        # A category in a cycle of parents (a data error) is never reached from the top:
        # listed there all the same, so saving the form cannot drop it.
        tree += [{"option": option, "children": []} for pk, option in by_pk.items()
                 if pk not in placed]
        context["widget"]["tree"] = tree
        return context


class ProfileForm(forms.ModelForm):
    """What an enterprise's people edit; bound to a copy of the enterprise, so that nothing
    is written until ``profiles.submit_profile`` sorts the fields."""

    class Meta:
        model = Enterprise
        fields = EDITABLE_FIELDS
        # An address typed without a scheme ("coop.example") is taken as https.
        formfield_callback = staticmethod(
            lambda field, **kwargs: field.formfield(assume_scheme="https", **kwargs)
            if isinstance(field, URLField) else field.formfield(**kwargs)
        )
        widgets = {
            "categories": CategoryTreeWidget,
            "sectors": forms.CheckboxSelectMultiple,
            "service_area": forms.CheckboxSelectMultiple,
            "mrcs_served": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "description_fr": _("Published after the network's review."),
            "description_en": _("Published after the network's review."),
        }

    # The words first, then what buyers filter on, then contacts and figures.
    field_order = [
        "description_fr", "description_en", "categories", "sectors", "service_area",
        "mrcs_served",
        "address", "city", "postal_code", "phone", "email", "website", "employee_band",
        "year_founded", "integration_workers", "employees_with_disabilities",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The MRCs under their region's name, in one query; the queryset still checks what
        # is sent.
        mrcs = self.fields["mrcs_served"]
        mrcs.queryset = Mrc.objects.select_related("region")
        by_region = {}
        for mrc in mrcs.queryset:
            by_region.setdefault(mrc.region, []).append(mrc)
        mrcs.choices = [
            (str(region), [(mrc.pk, mrc.name) for mrc in sorted_by_language(by_region[region])])
            for region in sorted(by_region, key=lambda region: region.code)
        ]


NEQ_TAKEN = _("Another enterprise of the directory holds this NEQ: write to the network's "
              "staff, who can merge the two profiles.")


def neq_taken(neq, enterprise):
    return bool(neq) and Enterprise.objects.exclude(pk=enterprise.pk).filter(neq=neq).exists()


class IdentityForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Why these changes? (for the network's staff)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
    )

    class Meta:
        model = Enterprise
        fields = IDENTITY_FIELDS
        widgets = {"labels": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed with spaces ("1160 0000 05"); the model keeps its 10 digits.
        neq = self.fields["neq"]
        self.fields["neq"] = forms.CharField(
            label=neq.label, help_text=neq.help_text, required=False, max_length=20
        )

    def clean_neq(self):
        neq = normalize_neq(self.cleaned_data["neq"])
        if neq_taken(neq, self.instance):
            raise forms.ValidationError(NEQ_TAKEN)
        return neq

    def validate_constraints(self):
        # The NEQ's uniqueness is told above in words people understand.
        try:
            self.instance.validate_constraints(exclude=self._get_validation_exclusions() | {"neq"})
        except forms.ValidationError as error:
            self._update_errors(error)


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["name", "role_title", "email"]
        labels = {"name": _("Your name"), "role_title": _("Your role in the enterprise"),
                  "email": _("Your email")}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES,
    )


class ReportForm(forms.ModelForm):
    class Meta:
        model = ErrorReport
        fields = ["message", "email"]
        labels = {"message": _("What is outdated or wrong?"),
                  "email": _("Your email (optional, if you want an answer)")}
        widgets = {"message": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EnterpriseFile.Kind.choices)
    title = forms.CharField(label=_("Title (for a document)"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("Logo and photos: PNG, JPEG, GIF or WebP, 5 MB at most. Documents: PDF, "
                    "10 MB at most."),
    )

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise

    def clean(self):
        data = super().clean()
        kind, upload = data.get("kind"), data.get("file")
        if kind == EnterpriseFile.Kind.PHOTO:
            photos = self.enterprise.account_files.counted_against_limit().filter(kind=kind)
            if photos.count() >= EnterpriseFile.MAX_PHOTOS:
                raise forms.ValidationError(
                    _("You already have %(count)s photos: remove one before adding another.")
                    % {"count": EnterpriseFile.MAX_PHOTOS}
                )
        if kind and upload:
            check = checked_pdf if kind == EnterpriseFile.Kind.DOCUMENT else checked_image
            try:
                data["content"], data["content_type"] = check(upload)
            except forms.ValidationError as error:
                self.add_error("file", error)
        return data


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal (sent by email)"), widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


