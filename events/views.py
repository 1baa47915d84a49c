"""Public pages of the events: list, detail with the registration form, calendar file,
schedule, and the registrant's own pages reached through the token of their email."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from purchases.access import membership_for

from .emails import send_confirmation, send_promotion
from .forms import RegistrationForm
from .ical import event_calendar
from .models import Event, Meeting, Registration, RegistrationRefused

PAST_EVENTS_SHOWN = 20


def published_event(slug):
    return get_object_or_404(Event.objects.published().with_counts(), slug=slug)


class EventListView(TemplateView):
    template_name = "events/event_list.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        events = Event.objects.published().with_counts()
        return super().get_context_data(
            upcoming=events.upcoming(now),
            past=events.past(now)[:PAST_EVENTS_SHOWN],
            **kwargs,
        )


class EventDetailView(View):
    """The event and, while it takes registrations, the form; the form posts to RegisterView."""

    template_name = "events/event_detail.html"

    def get(self, request, slug):
        event = published_event(slug)
        return self.page(request, event, self.form(request, event))

    @staticmethod
    def form(request, event, data=None):
        if event.registration_closed_reason():
            return None
        membership = membership_for(request.user)
        return RegistrationForm(data, event=event, membership=membership, user=request.user)

    def page(self, request, event, form):
        return render(request, self.template_name, {
            "event": event,
            "form": form,
            "closed_reason": event.registration_closed_reason(),
            "absolute_url": request.build_absolute_uri(event.get_absolute_url()),
        })


class RegisterView(EventDetailView):
    def get(self, request, slug):
        return redirect("events:detail", slug=slug)

    def post(self, request, slug):
        event = published_event(slug)
        reason = event.registration_closed_reason()
        if reason:
            messages.error(request, reason)
            return redirect("events:detail", slug=slug)
        form = self.form(request, event, request.POST)
        if form.is_valid():
            registration = form.registration(translation.get_language())
            try:
                event.register(registration, form.cleaned_data.get("categories"))
            except RegistrationRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                send_confirmation(registration, request.build_absolute_uri)
                if registration.status == Registration.Status.WAITLISTED:
                    messages.warning(request, _(
                        "The event is full: you are on the waiting list. An email with this "
                        "page's link is on its way; we will write again if a seat is freed."
                    ))
                else:
                    messages.success(request, _(
                        "Your registration is confirmed. An email with the details, the "
                        "calendar file and this page's link is on its way."
                    ))
                return redirect(registration.get_absolute_url())
        return self.page(request, event, form)


class CalendarView(View):
    def get(self, request, slug):
        event = get_object_or_404(Event.objects.published(), slug=slug)
        url = request.build_absolute_uri(event.get_absolute_url())
        response = HttpResponse(
            event_calendar(event, url), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
        return response


class ScheduleView(TemplateView):
    """The published meeting schedule of a matchmaking event: organizations, not people."""

    template_name = "events/schedule.html"

    def get_context_data(self, **kwargs):
        event = get_object_or_404(
            Event.objects.published(), slug=self.kwargs["slug"], schedule_published=True
        )
        meetings = (
            Meeting.objects.filter(event=event)
            .select_related("buyer", "enterprise")
            .order_by("starts_at", "buyer__organization_name")
        )
        return super().get_context_data(event=event, meetings=meetings, **kwargs)


def registration_for(token):
    """The registration of a private link; any other token is a 404."""
    return get_object_or_404(
        Registration.objects.select_related("event").filter(event__is_published=True),
        token=token,
    )


@method_decorator(never_cache, name="dispatch")
class RegistrationView(TemplateView):
    """The registrant's own page: status, calendar, cancellation, and their meetings."""

    template_name = "events/registration.html"

    def get_context_data(self, **kwargs):
        registration = registration_for(self.kwargs["token"])
        event = registration.event
        meetings = registration.meetings() if event.schedule_published else None
        return super().get_context_data(
            registration=registration, event=event, meetings=meetings, **kwargs
        )


@method_decorator(never_cache, name="dispatch")
class CancelView(View):
    """GET asks to confirm; POST cancels and gives the seat to the next on the waiting list."""

    template_name = "events/cancel.html"

    def get(self, request, token):
        registration = registration_for(token)
        return render(request, self.template_name, {
            "registration": registration,
            "event": registration.event,
            "too_late": registration.event.is_over(),
        })

    def post(self, request, token):
        registration = registration_for(token)
        if registration.is_cancelled:
            messages.info(request, _("This registration was already cancelled."))
        elif registration.event.is_over():
            messages.error(request, _("This event is over: the registration can no longer be "
                                      "cancelled."))
        else:
            for promoted in registration.cancel():
                send_promotion(promoted, request.build_absolute_uri)
            messages.success(request, _("Your registration is cancelled."))
        return redirect(registration.get_absolute_url())
