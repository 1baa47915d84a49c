"""Training courses and matchmaking events: registrations, the waiting list, meetings."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from enterprises.models import Category, Enterprise, Region
from enterprises.validators import http_url_validator
from purchases.models import MemberOrganization

from . import matchmaking


def new_token():
    """An unguessable token for the registrant's own links (status, cancellation, schedule)."""
    return secrets.token_urlsafe(32)


def normalize_email(email):
    """One spelling per address, so that the same person cannot register twice by case."""
    return (email or "").strip().lower()


class RegistrationRefused(Exception):
    """A registration the event cannot take; ``message`` says why, for the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def upcoming(self, now=None):
        """Events not over yet, soonest first."""
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now=None):
        """Events that are over, most recent first."""
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")

    def with_counts(self):
        """Annotate the confirmed and waitlisted counts, in the same query."""
        return self.annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            waitlisted_count=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
        )


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationRole(models.TextChoices):
    BUYER = matchmaking.BUYER, _("Buyer")
    ENTERPRISE = matchmaking.ENTERPRISE, _("Social economy enterprise")


class EventKind(models.TextChoices):
    TRAINING = "training", _("Training course")
    MATCHMAKING = "matchmaking", _("Matchmaking")
    OTHER = "other", _("Other activity")


class Event(models.Model):
    """A training course or a matchmaking activity that buyers and enterprises register for."""

    Kind = EventKind

    kind = models.CharField(_("kind"), max_length=15, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(
        _("place"), max_length=255, blank=True, help_text=_("Address of the venue, if any.")
    )
    online_url = models.URLField(
        _("online link"), blank=True, validators=[http_url_validator],
        help_text=_("Address of the online meeting, if any."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1)],
        help_text=_("Seats available; later registrations go to the waiting list."),
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    registration_deadline = models.DateTimeField(
        _("registration deadline"), null=True, blank=True,
        help_text=_("Leave empty to take registrations until the event starts."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    meeting_minutes = models.PositiveSmallIntegerField(
        _("length of a meeting (minutes)"), default=20, validators=[MinValueValidator(5)],
        help_text=_("Matchmaking only: the length of each time slot of the schedule."),
    )
    schedule_published = models.BooleanField(
        _("meeting schedule published"), default=False,
        help_text=_("Matchmaking only: registrants and visitors see the schedule."),
    )
    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, unique=True,
                           editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_known_kind"),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""), name="event_has_place_or_link"
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes__gt=0), name="event_meeting_length_positive"
            ),
        ]
        indexes = [
            # The public list: published events split at "now" on ends_at, sorted by start.
            models.Index(fields=["is_published", "ends_at"], name="event_published_end_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def localized_title(self):
        if translation.get_language() == "en" and self.title_en:
            return self.title_en
        return self.title

    @property
    def localized_description(self):
        if translation.get_language() == "en" and self.description_en:
            return self.description_en
        return self.description

    @property
    def is_matchmaking(self):
        return self.kind == self.Kind.MATCHMAKING

    def is_over(self, now=None):
        return self.ends_at < (now or timezone.now())

    @property
    def seats_left(self):
        """Needs ``with_counts()``: the seats still free."""
        return max(self.capacity - self.confirmed_count, 0)

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if not self.place.strip() and not self.online_url.strip():
            errors["place"] = _("Give the place of the event or its online link.")
        if (self.registration_deadline and self.ends_at
                and self.registration_deadline > self.ends_at):
            errors["registration_deadline"] = _("The deadline cannot be after the event ends.")
        if errors:
            raise ValidationError(errors)

    def registration_closed_reason(self, now=None):
        """Why this event takes no registration now, or None when it does."""
        now = now or timezone.now()
        if not self.is_published:
            return _("This event is not open for registration.")
        if self.is_over(now):
            return _("This event is over.")
        if self.starts_at <= now:
            return _("This event has started: registration is closed.")
        if not self.registration_open:
            return _("Registration for this event is closed.")
        if self.registration_deadline and self.registration_deadline < now:
            return _("The registration deadline has passed.")
        return None

    def locked(self):
        """This event's row, locked until the end of the transaction (PostgreSQL); SQLite
        takes its write lock when the transaction starts, so writes are serialized there too."""
        return Event.objects.select_for_update().get(pk=self.pk)

    def register(self, registration, categories=()):
        """Save a new registration: confirmed while a seat is free, otherwise waitlisted.

        The capacity is checked with the event row locked, so two people registering at the
        same time cannot both take the last seat.
        """
        registration.event = self
        registration.email = normalize_email(registration.email)
        with transaction.atomic():
            event = self.locked()
            reason = event.registration_closed_reason()
            if reason:
                raise RegistrationRefused(reason)
            if event.registrations.active().filter(email=registration.email).exists():
                raise RegistrationRefused(DUPLICATE_MESSAGE)
            confirmed = event.registrations.confirmed().count()
            registration.status = (
                RegistrationStatus.CONFIRMED if confirmed < event.capacity
                else RegistrationStatus.WAITLISTED
            )
            try:
                with transaction.atomic():
                    registration.save()
            except IntegrityError:
                raise RegistrationRefused(DUPLICATE_MESSAGE) from None
            if categories:
                registration.categories.set(categories)
        return registration

    def fill_free_seats(self):
        """Confirm waitlisted people, first come first served, while seats are free; returns
        the registrations promoted (after a cancellation or a larger capacity)."""
        with transaction.atomic():
            event = self.locked()
            free = event.capacity - event.registrations.confirmed().count()
            if free <= 0:
                return []
            promoted = list(event.registrations.waitlisted().order_by("created_at", "pk")[:free])
            Registration.objects.filter(pk__in=[row.pk for row in promoted]).update(
                status=RegistrationStatus.CONFIRMED
            )
        for registration in promoted:
            registration.status = RegistrationStatus.CONFIRMED
        return promoted

    # Matchmaking -------------------------------------------------------------------------

    def meeting_slots(self):
        """The start of every meeting slot that fits between the start and the end."""
        length = timedelta(minutes=self.meeting_minutes)
        slots = []
        start = self.starts_at
        while start + length <= self.ends_at:
            slots.append(start)
            start += length
        return slots

    def matchmaking_participants(self):
        """The confirmed registrants as matchmaking participants (3 queries)."""
        registrations = list(
            self.registrations.confirmed().values_list("pk", "role", "region_id")
        )
        categories = {}
        rows = Registration.categories.through.objects.filter(
            registration__event=self,
            registration__status=RegistrationStatus.CONFIRMED,
        ).values_list("registration_id", "category_id")
        for registration_id, category_id in rows:
            categories.setdefault(registration_id, set()).add(category_id)
        return [
            matchmaking.Participant(
                registration_id=pk, role=role,
                categories=frozenset(categories.get(pk, ())), region_id=region_id,
            )
            for pk, role, region_id in registrations
        ]

    def proposed_pairs(self):
        """Buyer–enterprise pairs ranked by shared categories, then same region."""
        parents = dict(Category.objects.values_list("pk", "parent_id"))
        return matchmaking.rank_pairs(self.matchmaking_participants(), parents)

    def propose_schedule(self):
        """Replace the meetings with a fresh proposal from the ranked pairs; the schedule is
        unpublished until staff publish it. Returns the meetings created."""
        with transaction.atomic():
            event = self.locked()
            event.meetings.all().delete()
            assignments = matchmaking.assign_slots(event.proposed_pairs(), event.meeting_slots())
            meetings = Meeting.objects.bulk_create(
                Meeting(event=event, buyer_id=assignment.pair.buyer,
                        enterprise_id=assignment.pair.enterprise, starts_at=assignment.slot)
                for assignment in assignments
            )
            Event.objects.filter(pk=event.pk).update(schedule_published=False)
        self.schedule_published = False
        return meetings


DUPLICATE_MESSAGE = _("This email address is already registered for this event.")


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=RegistrationStatus.WAITLISTED)

    def active(self):
        """Registrations that hold a seat or a place on the waiting list."""
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def in_queue_order(self):
        """Confirmed, then the waiting list in its order, then cancelled."""
        rank = Case(
            When(status=RegistrationStatus.CONFIRMED, then=Value(0)),
            When(status=RegistrationStatus.WAITLISTED, then=Value(1)),
            default=Value(2),
        )
        return self.order_by(rank, "created_at", "pk")


class Registration(models.Model):
    """A person registered for an event: a signed-in member, or a visitor who gave a name,
    an organization and an email."""

    Status = RegistrationStatus
    Role = RegistrationRole

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="event_registrations",
    )
    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("member organization"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=200)
    organization_name = models.CharField(_("organization"), max_length=255)
    email = models.EmailField(_("email"))
    role = models.CharField(_("registering as"), max_length=15, choices=RegistrationRole.choices)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise in the directory"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="event_registrations",
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("products and services bought or offered"), blank=True,
        related_name="event_registrations",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    status = models.CharField(
        _("status"), max_length=15, choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
    )
    token = models.CharField(
        _("private link token"), max_length=64, unique=True, default=new_token, editable=False
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr",
        help_text=_("The language of the emails sent to this person."),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=[RegistrationStatus.CONFIRMED,
                                        RegistrationStatus.WAITLISTED]),
                name="registration_unique_active_email",
                violation_error_message=DUPLICATE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="registration_known_status",
            ),
            models.CheckConstraint(
                condition=Q(role__in=RegistrationRole.values), name="registration_known_role"
            ),
        ]
        indexes = [
            # Seats taken and the waiting list in order: registrations of an event by status.
            models.Index(fields=["event", "status", "created_at"], name="registration_queue_idx"),
        ]

    def __str__(self):
        return f"{self.name} · {self.organization_name}"

    def get_absolute_url(self):
        return reverse("events:registration", kwargs={"token": self.token})

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def is_cancelled(self):
        return self.status == RegistrationStatus.CANCELLED

    def cancel(self):
        """Cancel this registration, drop its meetings, and give the freed seat to the waiting
        list; returns the registrations promoted."""
        with transaction.atomic():
            self.event.locked()
            current = Registration.objects.select_for_update().get(pk=self.pk)
            if current.status == RegistrationStatus.CANCELLED:
                return []
            self.status = RegistrationStatus.CANCELLED
            self.cancelled_at = timezone.now()
            self.save(update_fields=["status", "cancelled_at"])
            Meeting.objects.filter(Q(buyer=self) | Q(enterprise=self)).delete()
            return self.event.fill_free_seats()

    def meetings(self):
        """This person's meetings with the other side, in time order."""
        return (
            Meeting.objects.filter(Q(buyer=self) | Q(enterprise=self))
            .select_related("buyer", "enterprise")
            .order_by("starts_at")
        )


class Meeting(models.Model):
    """A buyer meets an enterprise during one time slot of a matchmaking event."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="meetings"
    )
    buyer = models.ForeignKey(
        Registration, verbose_name=_("buyer"), on_delete=models.CASCADE,
        related_name="meetings_as_buyer",
    )
    enterprise = models.ForeignKey(
        Registration, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="meetings_as_enterprise",
    )
    starts_at = models.DateTimeField(_("slot starts at"))

    class Meta:
        ordering = ["event", "starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "starts_at", "buyer"], name="meeting_buyer_once_per_slot",
                violation_error_message=_("This buyer already has a meeting in this slot."),
            ),
            models.UniqueConstraint(
                fields=["event", "starts_at", "enterprise"],
                name="meeting_enterprise_once_per_slot",
                violation_error_message=_("This enterprise already has a meeting in this slot."),
            ),
            models.UniqueConstraint(
                fields=["event", "buyer", "enterprise"], name="meeting_pair_once",
                violation_error_message=_("These two already meet at this event."),
            ),
            models.CheckConstraint(
                condition=~Q(buyer=F("enterprise")), name="meeting_two_different_people"
            ),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%H:%M} {self.buyer} ↔ {self.enterprise}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.event.meeting_minutes)

    def clean(self):
        if not (self.event_id and self.buyer_id and self.enterprise_id and self.starts_at):
            return
        errors = {}
        for field, role in (("buyer", RegistrationRole.BUYER),
                            ("enterprise", RegistrationRole.ENTERPRISE)):
            registration = getattr(self, field)
            if registration.event_id != self.event_id:
                errors[field] = _("This person is not registered for this event.")
            elif registration.role != role:
                errors[field] = _("This person registered as %(role)s.") % {
                    "role": registration.get_role_display()
                }
            elif registration.status != RegistrationStatus.CONFIRMED:
                errors[field] = _("Only confirmed registrants can have meetings.")
        if self.starts_at not in self.event.meeting_slots():
            errors["starts_at"] = _("Choose the start of one of the event's time slots.")
        others = Meeting.objects.filter(event=self.event_id, starts_at=self.starts_at).exclude(
            pk=self.pk
        )
        if others.filter(buyer=self.buyer_id).exists():
            errors.setdefault("buyer", _("This buyer already has a meeting in this slot."))
        if others.filter(enterprise=self.enterprise_id).exists():
            errors.setdefault(
                "enterprise", _("This enterprise already has a meeting in this slot.")
            )
        if errors:
            raise ValidationError(errors)
