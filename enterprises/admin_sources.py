"""Admin faces of survivorship: a network's rank per field group, and, on an enterprise's page,
the values its sources sent that differ from the current ones, each adoptable in one click."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .imports.preview import RELATED, label, shown
from .models import FIELD_GROUPS, EnterpriseSource, FieldGroup, Network

RANK_HELP = _("Default for a %(kind)s: %(rank)d. A source never overwrites a field last set "
              "by a higher-ranked one; at equal rank the newest value wins.")


def rank_input(group):
    return forms.IntegerField(label=group.label, min_value=0, max_value=1000, required=False)


class NetworkForm(forms.ModelForm):
    """One rank per field group instead of raw JSON; only ranks that differ from the
    defaults of the network's kind are stored, so that changing the kind moves the others."""

    rank_identity = rank_input(FieldGroup.IDENTITY)
    rank_legal = rank_input(FieldGroup.LEGAL)
    rank_contact = rank_input(FieldGroup.CONTACT)
    rank_description = rank_input(FieldGroup.DESCRIPTION)
    rank_classification = rank_input(FieldGroup.CLASSIFICATION)
    rank_profile = rank_input(FieldGroup.PROFILE)

    class Meta:
        model = Network
        fields = ["name", "slug", "kind", "website", "directory_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ranks = self.instance.ranks
        defaults = Network.DEFAULT_RANKS[self.instance.kind or Network.Kind.NETWORK]
        for group in FieldGroup:
            field = self.fields[rank_field(group)]
            field.initial = ranks[group]
            field.help_text = RANK_HELP % {"kind": self.instance.get_kind_display(),
                                           "rank": defaults[group]}

    def save(self, commit=True):
        defaults = Network.DEFAULT_RANKS[self.instance.kind]
        self.instance.field_ranks = {
            str(group): self.cleaned_data[rank_field(group)]
            for group in FieldGroup
            if self.cleaned_data.get(rank_field(group)) not in (None, defaults[group])
        }
        return super().save(commit)


def rank_field(group):
    return f"rank_{group}"



class SourceValuesMixin:
    """For ``EnterpriseAdmin``: the ``incoming_values`` read-only field and its adopt view."""

    def get_urls(self):
        return [
            path("<path:object_id>/adopt/", self.admin_site.admin_view(self.adopt_view),
                 name="enterprises_enterprise_adopt"),
            *super().get_urls(),
        ]

    @admin.display(description=_("Values sent by its sources"))
    def incoming_values(self, enterprise):
        """Per source, the values that differ from the current ones. Each button posts the
        change form to the adopt view (the form's CSRF token goes with it)."""
        if enterprise is None or enterprise.pk is None:
            return "—"
        rows = list(differences(enterprise))
        if not rows:
            return _("Every source agrees with the current values.")
        action = reverse("admin:enterprises_enterprise_adopt", args=[enterprise.pk])
        body = format_html_join("", (
            "<tr><td>{}</td><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>"
            "<button type=\"submit\" formaction=\"{}\" formnovalidate name=\"adopt\" "
            "value=\"{}:{}\" class=\"button\">{}</button></td></tr>"
        ), (
            (source.network, label(name), current or "—", incoming, action, source.pk, name,
             _("Adopt"))
            for source, name, current, incoming in rows
        ))
        return format_html(
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>"
            "<th scope=\"col\">{}</th><th scope=\"col\">{}</th><td></td></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("Source"), _("Field"), _("Current value"), _("Value sent"), body,
        )

    def adopt_view(self, request, object_id):
        """Take one source's value for one field: a curator's edit, which no import then
        overwrites."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        enterprise = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, enterprise):
            raise PermissionDenied
        source_pk, _sep, name = request.POST.get("adopt", "").partition(":")
        source = EnterpriseSource.objects.filter(
            pk=source_pk if source_pk.isdigit() else None, enterprise=enterprise
        ).select_related("network").first()
        if source is None or name not in FIELD_GROUPS or name not in source.values:
            messages.error(request, _("This value is no longer offered: nothing was changed."))
        else:
            enterprise.adopt(name, source.values[name])
            self.log_change(request, enterprise, [{"changed": {"fields": [str(label(name))]}}])
            messages.success(request, _("%(field)s now holds the value sent by %(network)s.") % {
                "field": label(name), "network": source.network,
            })
        return redirect("admin:enterprises_enterprise_change", enterprise.pk)


def differences(enterprise):
    """(source, field, current shown, incoming shown) where a source's value differs."""
    sources = list(enterprise.sources.select_related("network").order_by("network__name"))
    current = enterprise.current_values()
    wanted = {}
    for source in sources:
        for name, value in source.values.items():
            if name in RELATED:
                wanted.setdefault(RELATED[name], set()).update(
                    value if isinstance(value, list) else [value])
    for name, value in current.items():
        if name in RELATED and value:
            wanted.setdefault(RELATED[name], set()).update(
                value if isinstance(value, list) else [value])
    names = {model: {obj.pk: str(obj) for obj in model.objects.filter(pk__in=pks)}
             for model, pks in wanted.items()}
    for source in sources:
        for name, value in source.values.items():
            if name not in FIELD_GROUPS or value in (None, "", []):
                continue
            if isinstance(value, list):
                missing = sorted(set(value) - set(current.get(name) or ()))
                if missing:
                    yield source, name, shown(name, current.get(name), names), shown(
                        name, missing, names)
            elif value != current.get(name):
                yield source, name, shown(name, current.get(name), names), shown(
                    name, value, names)
