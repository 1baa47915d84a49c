"""Staff side of the events: registrants, the waiting list, matchmaking pairs and schedule."""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enterprises.models import Category, Region

from .emails import send_promotion
from .exports import registrants_csv_response
from .models import Event, Meeting, Registration


class NamedSplitDateTime(AdminSplitDateTime):
    """Django's date and time boxes of a date-time field, each named after the field ("Starts
    at, date"): Django writes "Date:" and "Time:" beside them, in no label, and its label for
    the field points at neither box."""

    def __init__(self, field_label, attrs=None):
        super().__init__(attrs)
        self.field_label = field_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        date, time = context["widget"]["subwidgets"]
        date["attrs"]["aria-label"] = _("%(field)s, date") % {"field": self.field_label}
        time["attrs"]["aria-label"] = _("%(field)s, time") % {"field": self.field_label}
        return context


class RegistrationInline(admin.TabularInline):
    """The registrant list on the event's page, read-only: cancelling goes through the
    registrations' action, so that the waiting list moves up."""

    model = Registration
    # Django's tabular inline with labelled cells, which become cards on a phone.
    template = "admin/events/event/registrants_inline.html"
    fields = ["name", "organization_name", "email", "role", "status", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["status", "created_at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "confirmed", "waitlisted",
                    "is_published", "registration_open", "schedule_published"]
    list_filter = ["kind", "is_published", "registration_open"]
    search_fields = ["title", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]
    actions = ["propose_schedule", "publish_schedule", "fill_free_seats"]
    readonly_fields = ["staff_tools"]

    class Media:
        css = {"all": ["css/admin-events.css"]}

    fieldsets = [
        (None, {"fields": ["kind", "title", "title_en", "slug", "description",
                           "description_en", "is_published", "staff_tools"]}),
        (_("Date and place"), {"fields": ["starts_at", "ends_at", "place", "online_url"]}),
        (_("Registration"), {"fields": ["capacity", "registration_open",
                                        "registration_deadline"]}),
        (_("Matchmaking"), {"fields": ["meeting_minutes", "schedule_published"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            formfield.widget = NamedSplitDateTime(capfirst(db_field.verbose_name))
        return formfield

    def get_queryset(self, request):
        # Counting groups the rows, and a grouped query drops the model's default ordering:
        # the autocomplete's paginator needs it back.
        return super().get_queryset(request).with_counts().order_by(*Event._meta.ordering)

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, event):
        return event.confirmed_count

    @admin.display(description=_("waiting list"), ordering="waitlisted_count")
    def waitlisted(self, event):
        return event.waitlisted_count

    @admin.display(description=_("registrants"))
    def staff_tools(self, event):
        if event.pk is None:
            return "—"
        links = [(reverse("admin:events_event_registrants", args=[event.pk]),
                  _("Registrant list (CSV)"))]
        if event.is_matchmaking:
            links.append((reverse("admin:events_event_matchmaking", args=[event.pk]),
                          _("Proposed pairs and meeting schedule")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/registrants.csv", view(self.registrants_view),
                 name="events_event_registrants"),
            path("<int:pk>/matchmaking/", view(self.matchmaking_view),
                 name="events_event_matchmaking"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        """A larger capacity gives the new seats to the waiting list at once."""
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            self.promote(request, obj)

    def promote(self, request, event):
        promoted = event.fill_free_seats()
        for registration in promoted:
            send_promotion(registration, request.build_absolute_uri)
        if promoted:
            self.message_user(request, ngettext(
                "%(count)d person moved from the waiting list to confirmed.",
                "%(count)d people moved from the waiting list to confirmed.",
                len(promoted),
            ) % {"count": len(promoted)}, messages.SUCCESS)

    def registrants_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=pk)
        return registrants_csv_response(event)

    def matchmaking_view(self, request, pk):
        """The ranked pairs and the current schedule; POST proposes or publishes it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(Event.objects.with_counts(), pk=pk)
        if request.method == "POST":
            if not self.has_change_permission(request, event):
                raise PermissionDenied
            if request.POST.get("do") == "publish":
                self.publish_schedule(request, Event.objects.filter(pk=pk))
            else:
                self.propose_schedule(request, Event.objects.filter(pk=pk))
            return redirect("admin:events_event_matchmaking", pk)
        pairs = event.proposed_pairs()
        registrations = Registration.objects.filter(event=event).in_bulk()
        names = dict(Category.objects.values_list("pk", "name"))
        regions = Region.objects.in_bulk()
        rows = [
            {
                "rank": rank,
                "buyer": registrations[pair.buyer],
                "enterprise": registrations[pair.enterprise],
                "shared": sorted(names[pk] for pk in pair.shared_categories),
                "region": regions.get(registrations[pair.buyer].region_id)
                if pair.same_region else None,
            }
            for rank, pair in enumerate(pairs, start=1)
        ]
        meetings = event.meetings.select_related("buyer", "enterprise").order_by(
            "starts_at", "buyer__organization_name"
        )
        return TemplateResponse(request, "admin/events/event/matchmaking.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Matchmaking: %(event)s") % {"event": event.title},
            "event": event,
            "rows": rows,
            "meetings": meetings,
            "slot_count": len(event.meeting_slots()),
        })

    @admin.action(description=_("Propose a meeting schedule"), permissions=["change"])
    def propose_schedule(self, request, queryset):
        for event in queryset.filter(kind=Event.Kind.MATCHMAKING):
            meetings = event.propose_schedule()
            self.message_user(request, ngettext(
                "%(event)s: %(count)d meeting proposed; publish the schedule when it suits you.",
                "%(event)s: %(count)d meetings proposed; publish the schedule when it suits you.",
                len(meetings),
            ) % {"event": event.title, "count": len(meetings)}, messages.SUCCESS)
        if not queryset.filter(kind=Event.Kind.MATCHMAKING).exists():
            self.message_user(
                request, _("Only matchmaking events have a meeting schedule."), messages.WARNING
            )

    @admin.action(description=_("Publish the meeting schedule"), permissions=["change"])
    def publish_schedule(self, request, queryset):
        count = queryset.filter(kind=Event.Kind.MATCHMAKING, meetings__isnull=False).distinct()
        published = Event.objects.filter(pk__in=count.values("pk")).update(
            schedule_published=True
        )
        if published:
            self.message_user(request, ngettext(
                "%(count)d meeting schedule published.",
                "%(count)d meeting schedules published.",
                published,
            ) % {"count": published}, messages.SUCCESS)
        else:
            self.message_user(
                request, _("Propose a schedule first: there is no meeting to publish."),
                messages.WARNING,
            )

    @admin.action(description=_("Give free seats to the waiting list"), permissions=["change"])
    def fill_free_seats(self, request, queryset):
        for event in queryset:
            self.promote(request, event)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization_name", "email", "event", "role", "status",
                    "created_at"]
    list_filter = ["status", "role", "event__kind"]
    list_select_related = ["event"]
    search_fields = ["name", "organization_name", "email", "event__title"]
    autocomplete_fields = ["event", "user", "organization", "enterprise", "categories",
                           "region"]
    readonly_fields = ["created_at", "cancelled_at"]
    actions = ["cancel_registrations"]
    fieldsets = [
        (None, {"fields": ["event", "status", "role", "name", "organization_name", "email",
                           "language"]}),
        (_("Links"), {"fields": ["user", "organization", "enterprise"]}),
        (_("Matchmaking"), {"fields": ["categories", "region"]}),
        (_("Record"), {"fields": ["created_at", "cancelled_at"]}),
    ]

    @admin.action(
        description=_("Cancel the selected registrations (the waiting list moves up)"),
        permissions=["change"],
    )
    def cancel_registrations(self, request, queryset):
        cancelled = 0
        for registration in queryset.active().select_related("event"):
            for promoted in registration.cancel():
                send_promotion(promoted, request.build_absolute_uri)
            cancelled += 1
        self.message_user(request, ngettext(
            "%(count)d registration cancelled.", "%(count)d registrations cancelled.", cancelled
        ) % {"count": cancelled}, messages.SUCCESS)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "event", "buyer", "enterprise"]
    list_filter = ["event"]
    list_select_related = ["event", "buyer", "enterprise"]
    autocomplete_fields = ["event", "buyer", "enterprise"]
    search_fields = ["buyer__organization_name", "enterprise__organization_name"]
