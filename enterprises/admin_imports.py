"""Admin for the imports: upload → columns → preview (dry run) → confirm, the runs, the profiles
and the review queue. Imported at the end of ``admin.py``."""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRefresh

from .admin_merge import DuplicateReviewMixin
from .exports import canonical_response
from .formatting import typeset
from .imports import lifecycle
from .imports.mapping import FIELDS, RECORD_ID, Vocabulary
from .imports.normalize import missing_tokens, normalize_record
from .imports.pipeline import open_with_profile
from .imports.preview import counts, page_of
from .imports.preview import label as field_label
from .imports.progress import rows_done
from .imports.read import UnreadableFile
from .imports.tasks import start_import
from .imports.throttle import allow_upload
from .imports.validate import FieldNames, RecordValidator
from .models import Enterprise, ImportProfile, ImportReviewItem, ImportRun, Network
from .places import PlaceResolver

ACCEPTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".json")
IGNORE = "-"
IN_PROGRESS = (ImportRun.State.PENDING, ImportRun.State.RUNNING)
VALUE_MAP_FIELDS = ("legal_form", "region", "employee_band", "sectors", "categories", "labels",
                    "service_area", "mrcs_served")


def field_choices():
    return [
        (IGNORE, _("(ignore this column)")),
        (RECORD_ID, _("record id in the network")),
        *((name, Enterprise._meta.get_field(name).verbose_name) for name in FIELDS),
    ]


class UploadForm(forms.Form):
    network = forms.ModelChoiceField(Network.objects.all(), label=_("Network"))
    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy(
            _("CSV, Excel (.xlsx) or JSON, at most {} MB."),
            settings.MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)d MB; the limit is %(limit)d MB. Split it or ask an "
                  "administrator to run it with the import_directory command."),
                params={"size": upload.size // (1024 * 1024),
                        "limit": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        if PurePath(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(_("Send a CSV, Excel (.xlsx) or JSON file."))
        return upload


class ColumnsForm(forms.Form):
    """One choice per column of the file, suggested from the aliases and the profile."""

    def __init__(self, *args, mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = [header for header in mapping.headers if header.strip()]
        for position, header in enumerate(self.headers):
            self.fields[f"column_{position}"] = forms.ChoiceField(
                label=header, choices=field_choices(),
                initial=mapping.column_map.get(header, IGNORE),
                help_text=mapping.explain(header),
            )

    def clean(self):
        chosen = [value for value in self.cleaned_data.values() if value != IGNORE]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Each field can be fed by one column only."))
        if "name" not in chosen:
            raise forms.ValidationError(_("Choose the column that holds the enterprise name."))
        return self.cleaned_data

    def column_map(self):
        return {header: self.cleaned_data[f"column_{position}"]
                for position, header in enumerate(self.headers)}


class ValueMapsForm(forms.Form):
    """Map each value nobody has mapped yet onto our slug, code or name."""

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.keys = []
        for field, values in sorted(profile.unknown_values.items()):
            for value in values:
                name = f"value_{len(self.keys)}"
                self.keys.append((name, field, value))
                self.fields[name] = forms.CharField(
                    label=_("%(field)s “%(value)s”") % {
                        "field": capfirst(Enterprise._meta.get_field(field).verbose_name),
                        "value": value,
                    },
                    required=False,
                    help_text=_("Our slug, code or name; leave blank to decide later."),
                )

    def save(self):
        mapped = 0
        for name, field, value in self.keys:
            target = self.cleaned_data[name].strip()
            if target:
                self.profile.value_maps.setdefault(field, {})[value] = target
                self.profile.unknown_values[field].remove(value)
                mapped += 1
        self.profile.unknown_values = {f: v for f, v in self.profile.unknown_values.items() if v}
        self.profile.save()
        return mapped


class ImportProfileForm(forms.ModelForm):
    """The profile's JSON, checked key by key, and one choice per column of the last file."""

    headers = ()  # set by ImportProfileAdmin.get_form, with a column_<n> field per header

    class Meta:
        model = ImportProfile
        fields = ["network", "record_id_column", "column_map", "value_maps", "constant_values",
                  "list_separators", "missing_values", "sheet_name", "complete_exports"]

    def clean_column_map(self):
        column_map = self.cleaned_data["column_map"] or {}
        if not isinstance(column_map, dict):
            raise forms.ValidationError(
                _("Write an object: {\"column header\": \"field\", …}.")
            )
        known = {name for name, _label in field_choices()}
        errors = [
            forms.ValidationError(
                _("“%(header)s”: “%(field)s” is not one of the fields listed below."),
                params={"header": header, "field": field},
            )
            for header, field in column_map.items()
            if not isinstance(field, str) or field not in known
        ]
        if errors:
            raise forms.ValidationError(errors)
        return column_map

    def clean_value_maps(self):
        value_maps = self.cleaned_data["value_maps"] or {}
        if not isinstance(value_maps, dict):
            raise forms.ValidationError(
                _("Write an object: {\"field\": {\"value in the file\": \"our value\"}, …}.")
            )
        vocabulary, errors = Vocabulary(), []
        for field, mapping in value_maps.items():
            if field not in VALUE_MAP_FIELDS:
                errors.append(forms.ValidationError(
                    _("“%(field)s” has no list of values; use one of: %(fields)s."),
                    params={"field": field, "fields": ", ".join(VALUE_MAP_FIELDS)},
                ))
                continue
            if not isinstance(mapping, dict):
                errors.append(forms.ValidationError(
                    _("“%(field)s”: write an object {\"value in the file\": \"our value\"}."),
                    params={"field": field},
                ))
                continue
            errors.extend(
                forms.ValidationError(
                    _("“%(field)s”: “%(value)s” → “%(target)s” matches no slug, code "
                      "or name of ours."),
                    params={"field": field, "value": value, "target": target},
                )
                for value, target in mapping.items()
                if not isinstance(target, str) or not vocabulary.knows(field, target)
            )
        if errors:
            raise forms.ValidationError(errors)
        return value_maps

    def clean_constant_values(self):
        """Each constant must name a field a column can feed and be a value the import
        accepts for it, as it would be read from a cell."""
        constants = self.cleaned_data["constant_values"] or {}
        if not isinstance(constants, dict):
            raise forms.ValidationError(_("Write an object: {\"field\": \"value\", …}."))
        validator = RecordValidator(Vocabulary(), FieldNames(), missing_tokens([]),
                                    PlaceResolver())
        errors = []
        for field, value in constants.items():
            if field not in FIELDS:
                errors.append(forms.ValidationError(
                    _("“%(field)s” is not one of the fields listed below."),
                    params={"field": field},
                ))
                continue
            record = normalize_record({field: str(value)}, missing_tokens([]))
            _clean, problems = validator.validate(0, record)
            errors.extend(
                forms.ValidationError(
                    _("“%(field)s”: “%(value)s”: %(reason)s"),
                    params={"field": field, "value": value, "reason": problem.text()},
                )
                for problem in problems
            )
        if errors:
            raise forms.ValidationError(errors)
        return constants

    def clean_missing_values(self):
        missing = self.cleaned_data["missing_values"]
        if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
            raise forms.ValidationError(_("Write a list of texts, e.g. [\"NA\", \"N/D\"]."))
        return missing

    def clean(self):
        cleaned = super().clean()
        chosen = {header: cleaned.get(f"column_{position}", IGNORE)
                  for position, header in enumerate(self.headers)}
        fed = [field for field in chosen.values() if field != IGNORE]
        duplicates = sorted({field for field in fed if fed.count(field) > 1})
        if duplicates:
            self.add_error(None, forms.ValidationError(
                _("Each field can be fed by one column only (%(fields)s)."),
                params={"fields": ", ".join(duplicates)},
            ))
        if isinstance(cleaned.get("column_map"), dict):
            cleaned["column_map"] = {**cleaned["column_map"], **chosen}
        return cleaned


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    form = ImportProfileForm
    list_display = ["network", "record_id_column", "complete_exports", "updated_at"]
    list_select_related = ["network"]
    autocomplete_fields = ["network"]
    readonly_fields = ["known_fields", "waiting_values"]
    main_fields = ImportProfileForm.Meta.fields

    def last_headers(self, profile):
        """The columns of the network's latest uploaded file, and that file's name (read once
        per page: the form and its fieldsets both ask)."""
        if profile is None:
            return [], ""
        if not hasattr(profile, "_last_headers"):
            profile._last_headers = self.read_last_headers(profile)
        return profile._last_headers

    def read_last_headers(self, profile):
        run = (ImportRun.objects.filter(network=profile.network_id).exclude(upload="")
               .order_by("-created_at").first())
        if run is None:
            return [], ""
        try:
            with run.upload.open("rb") as binary:
                _table, mapping = open_with_profile(binary, run.file_name, profile)
        except (OSError, UnreadableFile):
            return [], run.file_name
        return mapping, run.file_name

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The column choices are declared on the form below, not model fields.
        kwargs["fields"] = self.main_fields
        form = super().get_form(request, obj, change, **kwargs)
        mapping, _file_name = self.last_headers(obj)
        if not mapping:
            return form
        headers = [header for header in mapping.headers if header.strip()]
        columns = {
            f"column_{position}": forms.ChoiceField(
                label=header, choices=field_choices(), required=False,
                initial=mapping.column_map.get(header, IGNORE),
                help_text=mapping.explain(header),
            )
            for position, header in enumerate(headers)
        }
        return type(form.__name__, (form,), {**columns, "headers": headers})

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": self.main_fields}),
                     (_("What staff can map"), {"fields": ["known_fields", "waiting_values"]})]
        mapping, file_name = self.last_headers(obj)
        # The column choices are a form to fill: someone who may only view the profile would
        # see each one as an empty value.
        if mapping and self.has_change_permission(request, obj):
            headers = [header for header in mapping.headers if header.strip()]
            fieldsets.insert(1, (
                format_lazy(_("Columns of the last file ({})"), file_name),
                {"fields": [f"column_{position}" for position in range(len(headers))],
                 "description": _("Which field each column feeds; saved in the columns above.")},
            ))
        return fieldsets

    @admin.display(description=_("Fields a column can feed"))
    def known_fields(self, profile):
        return format_html_join(
            mark_safe("<br>"), "<code>{}</code> — {}",
            ((name, label) for name, label in field_choices()),
        )

    @admin.display(description=_("Values waiting to be mapped"))
    def waiting_values(self, profile):
        if profile is None or not profile.unknown_values:
            return _("None")
        # typeset: a no-break space before the colon in French, none in English.
        return mark_safe(typeset(format_html_join(  # noqa: S308 - format_html_join escaped it
            mark_safe("<br>"), "<code>{}</code> : {}",
            ((field, " · ".join(values)) for field, values in sorted(
                profile.unknown_values.items())),
        )))


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "network", "file_name", "dry_run", "state", "created_count",
                    "updated_count", "unchanged_count", "skipped_count", "error_count",
                    "created_by"]
    list_filter = ["network", "dry_run", "state"]
    list_select_related = ["network", "created_by"]
    search_fields = ["file_name", "sha256"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:enterprises_importrun_upload")

    def require(self, request, permission):
        if not permission(request):
            raise PermissionDenied

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="enterprises_importrun_upload"),
            path("export/<str:export_format>/", view(self.export_view),
                 name="enterprises_importrun_export"),
            path("<int:pk>/columns/", view(self.columns_view),
                 name="enterprises_importrun_columns"),
            path("<int:pk>/values/", view(self.values_view),
                 name="enterprises_importrun_values"),
            path("<int:pk>/apply/", view(self.apply_view), name="enterprises_importrun_apply"),
            path("<int:pk>/report.csv", view(self.report_view),
                 name="enterprises_importrun_report"),
            path("<int:pk>/progress/", view(self.progress_view),
                 name="enterprises_importrun_progress"),
            path("<int:pk>/restart/", view(self.restart_view),
                 name="enterprises_importrun_restart"),
            *super().get_urls(),
        ]

    def page(self, request, template, title, **context):
        return TemplateResponse(request, f"admin/enterprises/importrun/{template}", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title,
            **context,
        })

    def upload_view(self, request):
        self.require(request, self.has_add_permission)
        form = UploadForm(request.POST or None, request.FILES or None)
        if form.is_valid() and not allow_upload(staff=request.user.pk):
            form.add_error("file", _("You have sent many files in a short time: wait a while "
                                     "(at most an hour) before sending another one."))
            response = self.page(request, "upload.html", _("Import a network's directory"),
                                 form=form)
            response.status_code = 429
            return response
        if form.is_valid():
            upload = form.cleaned_data["file"]
            run = ImportRun.objects.create(
                network=form.cleaned_data["network"], file_name=upload.name, upload=upload,
                created_by=request.user, dry_run=True,
            )
            return redirect("admin:enterprises_importrun_columns", run.pk)
        return self.page(request, "upload.html", _("Import a network's directory"), form=form)

    def columns_view(self, request, pk):
        self.require(request, self.has_add_permission)
        run = get_object_or_404(ImportRun.objects.select_related("network"), pk=pk)
        if not run.upload:  # its file was cleaned up, or the run was applied long ago
            messages.error(request, _("The file of this import is no longer kept: choose it "
                                      "again to import it."))
            return redirect("admin:enterprises_importrun_upload")
        profile, _created = ImportProfile.objects.get_or_create(network=run.network)
        try:
            with run.upload.open("rb") as binary:
                _table, mapping = open_with_profile(binary, run.file_name, profile)
        except UnreadableFile as failure:
            if run.state == ImportRun.State.PENDING:  # refused before it started
                lifecycle.discard(run)
            messages.error(request, failure.message)
            return redirect("admin:enterprises_importrun_upload")
        form = ColumnsForm(request.POST or None, mapping=mapping)
        if form.is_valid():
            profile.column_map.update(form.column_map())
            profile.save()
            start_import(run)
            return redirect("admin:enterprises_importrun_change", run.pk)
        return self.page(request, "columns.html", _("Which column feeds which field?"),
                         run=run, form=form, ignored=mapping.ignored)

    def values_view(self, request, pk):
        """Map unknown values, then preview the same file again."""
        self.require(request, self.has_add_permission)
        run = get_object_or_404(ImportRun, pk=pk)
        if request.method == "POST":
            profile = ImportProfile.objects.get(network=run.network)
            form = ValueMapsForm(request.POST, profile=profile)
            if form.is_valid():
                form.save()
                preview = ImportRun.objects.create(
                    network=run.network, file_name=run.file_name, upload=run.upload,
                    created_by=request.user, dry_run=True,
                )
                start_import(preview)
                return redirect("admin:enterprises_importrun_change", preview.pk)
        return redirect("admin:enterprises_importrun_change", pk)

    def apply_view(self, request, pk):
        """Confirm a preview: the same stored file, this time written."""
        self.require(request, self.has_add_permission)
        preview = get_object_or_404(ImportRun, pk=pk, dry_run=True, state=ImportRun.State.DONE)
        if request.method != "POST":
            return redirect("admin:enterprises_importrun_change", pk)
        run = ImportRun.objects.create(
            network=preview.network, file_name=preview.file_name, upload=preview.upload,
            created_by=request.user, dry_run=False,
        )
        start_import(run)
        messages.success(request, _("The import is under way."))
        return redirect("admin:enterprises_importrun_change", run.pk)

    def report_view(self, request, pk):
        self.require(request, self.has_view_permission)
        run = get_object_or_404(ImportRun, pk=pk)
        response = HttpResponse(run.error_report, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
        return response

    def export_view(self, request, export_format):
        """The whole directory (every status) in the canonical format, which an import reads
        back unchanged."""
        if not request.user.has_perm("enterprises.view_enterprise"):
            raise PermissionDenied
        if export_format not in ("csv", "xlsx"):
            raise Http404
        filename = f"directory-canonical-{timezone.localdate():%Y-%m-%d}.{export_format}"
        return canonical_response(Enterprise.objects.order_by("pk"), export_format, filename)

    def restart_view(self, request, pk):
        """Start a failed run again, from the file it kept."""
        self.require(request, self.has_add_permission)
        run = get_object_or_404(ImportRun, pk=pk, state=ImportRun.State.FAILED)
        if request.method != "POST" or not lifecycle.can_restart(run):
            return redirect("admin:enterprises_importrun_change", pk)
        again = lifecycle.restart(run, request.user)
        messages.success(request, _("The run starts again from the same file."))
        return redirect("admin:enterprises_importrun_change", again.pk)

    def progress_view(self, request, pk):
        """The state line of a running import, polled by its page; once the run is over the
        whole page reloads to show the counts."""
        self.require(request, self.has_view_permission)
        run = get_object_or_404(ImportRun, pk=pk)
        lifecycle.fail_if_stopped(run)
        if run.state not in IN_PROGRESS:
            return HttpResponseClientRefresh()
        return TemplateResponse(request, "admin/enterprises/importrun/progress.html",
                                {"run": run, "rows_done": rows_done(run)})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.require(request, self.has_view_permission)
        run = get_object_or_404(ImportRun.objects.select_related("network", "created_by"),
                                pk=object_id)
        lifecycle.fail_if_stopped(run)
        profile = ImportProfile.objects.filter(network=run.network).first()
        values_form = ValueMapsForm(profile=profile) if profile else None
        kind = request.GET.get("kind", "")
        return self.page(
            request, "run.html", str(run), run=run, values_form=values_form,
            in_progress=run.state in IN_PROGRESS, rows_done=rows_done(run),
            can_restart=lifecycle.can_restart(run),
            counts=counts(run), kind=kind, changes=page_of(run, kind, request.GET.get("page")),
        )


@admin.register(ImportReviewItem)
class ImportReviewItemAdmin(DuplicateReviewMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "state", "enterprise", "external_id", "field",
                    "current_value", "incoming_value", "run"]
    list_filter = ["state", "kind", "run__network"]
    list_select_related = ["enterprise", "run__network"]
    search_fields = ["external_id", "enterprise__name"]
    autocomplete_fields = ["enterprise"]
    readonly_fields = ["run", "kind", "state", "external_id", "line", "field", "side_by_side",
                       "current_value", "incoming_value", "record", "candidates", "created_at",
                       "resolved_at"]
    actions = ["accept_incoming_values", "mark_resolved"]

    @admin.display(description=_("Both records"))
    def side_by_side(self, item):
        """An identity conflict's two records, field by field, for a curator to compare."""
        current, incoming = item.current_value, item.incoming_value
        if not isinstance(current, dict) or not isinstance(incoming, dict):
            return "—"
        rows = format_html_join("", "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>", (
            (field_label(name), current.get(name) or "—", incoming.get(name) or "—")
            for name in dict.fromkeys([*current, *incoming])
        ))
        return format_html(
            "<table><thead><tr><td></td><th scope=\"col\">{}</th><th scope=\"col\">{}</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            _("In the directory now"), _("In the file"), rows,
        )

    def save_model(self, request, obj, form, change):
        """Choosing the enterprise of an ambiguous match links the record to it."""
        if obj.kind == ImportReviewItem.Kind.AMBIGUOUS_MATCH and obj.enterprise_id:
            obj.link_to_enterprise()
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Take the network's value for the selected fields"),
                  permissions=["change"])
    def accept_incoming_values(self, request, queryset):
        items = queryset.filter(kind=ImportReviewItem.Kind.CURATED_FIELD,
                                state=ImportReviewItem.State.OPEN).select_related("enterprise")
        count = 0
        for item in items:
            item.accept_incoming_value()
            count += 1
        self.message_user(request, ngettext("%(count)d value taken.", "%(count)d values taken.",
                                            count) % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Mark as resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        for item in queryset.filter(state=ImportReviewItem.State.OPEN):
            item.resolve()
