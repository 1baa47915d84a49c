"""Buyers' shortlists of enterprises, their requests for quotes, and the enterprises' answers.

The app sits above the directory and the purchases: a request that ends with a chosen supplier
links to the draft purchase it became (``QuoteRequest.purchase``), so ``purchases`` knows
nothing of it.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Category, Enterprise, Municipality, Region
from purchases.models import MemberOrganization, OutgoingMail, Purchase


def new_share_token():
    return secrets.token_urlsafe(24)


class BuyerProfile(models.Model):
    """A buyer who is not (yet) a member of the network: a public body or a company that
    signed up by itself. It may keep shortlists and send requests, nothing else."""

    class Kind(models.TextChoices):
        PUBLIC_BODY = "public_body", _("Public body")
        MUNICIPALITY = "municipality", _("Municipality")
        PRIVATE_COMPANY = "private_company", _("Private company")
        NON_PROFIT = "non_profit", _("Non-profit organization")
        OTHER = "other", _("Other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="buyer_profile",
    )
    organization_name = models.CharField(_("organization"), max_length=255)
    kind = models.CharField(_("kind of organization"), max_length=20, choices=Kind.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr",
        help_text=_("The language of the emails the buyer receives."),
    )
    confirmed_at = models.DateTimeField(_("email address confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("buyer account")
        verbose_name_plural = _("buyer accounts")

    def __str__(self):
        return f"{self.organization_name} ({self.user.email})"

    def confirm(self, password):
        """The owner of the address opened the confirmation link and chose the password:
        the account goes live with it, whatever was set before (a stranger may have signed
        up with this address)."""
        self.user.set_password(password)
        self.user.is_active = True
        self.user.save(update_fields=["password", "is_active"])
        self.confirmed_at = timezone.now()
        self.save(update_fields=["confirmed_at"])


class BuyerNoticeQuerySet(models.QuerySet):
    def wanted_by(self, user):
        """Whether the buyer still wants the e-mail notices of their requests; one query."""
        return not self.filter(user=user, notices_off=True).exists()

    def choose(self, user, wanted):
        self.update_or_create(user=user, defaults={"notices_off": not wanted})


class BuyerNotice(models.Model):
    """A buyer's choice about the e-mail notices of their requests (answers, replies): kept
    by user rather than on ``BuyerProfile`` because member buyers have no profile. Changed by
    the signed unsubscribe link of any such e-mail, or from the buyer's request list; no row
    means the notices are sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="quote_notice",
    )
    notices_off = models.BooleanField(_("receives no notices by email"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BuyerNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("buyer's choice of notices")
        verbose_name_plural = _("buyers' choices of notices")

    def __str__(self):
        return str(self.user)


class Shortlist(models.Model):
    """A buyer's named list of enterprises, shared read-only through a secret link."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
        related_name="shortlists",
    )
    name = models.CharField(_("name"), max_length=200)
    share_token = models.CharField(
        _("sharing token"), max_length=64, unique=True, default=new_share_token, editable=False
    )
    enterprises = models.ManyToManyField(
        Enterprise, through="ShortlistEntry", related_name="+", verbose_name=_("enterprises")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="shortlist_unique_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("procurement:shortlist_detail", args=[self.pk])

    def get_share_url(self):
        return reverse("procurement:shortlist_shared", args=[self.share_token])


class ShortlistEntry(models.Model):
    shortlist = models.ForeignKey(
        Shortlist, verbose_name=_("shortlist"), on_delete=models.CASCADE, related_name="entries"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="shortlist_entries",
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["enterprise__name", "pk"]
        verbose_name = _("shortlisted enterprise")
        verbose_name_plural = _("shortlisted enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["shortlist", "enterprise"], name="shortlist_entry_unique"
            ),
        ]

    def __str__(self):
        return f"{self.shortlist} · {self.enterprise}"


class EnterprisePreferenceQuerySet(models.QuerySet):
    def refusing(self, day=None):
        """Enterprises that opted out of requests, or paused them on that day."""
        day = day or timezone.localdate()
        return self.filter(Q(opted_out=True) | Q(paused_until__gte=day))


class EnterprisePreference(models.Model):
    """What an enterprise chose about requests for quotes, through the signed link of any
    request email: its language, and whether it receives requests at all."""

    enterprise = models.OneToOneField(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="quote_preference",
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    opted_out = models.BooleanField(_("receives no requests for quotes"), default=False)
    paused_until = models.DateField(_("requests paused until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnterprisePreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise's preference for requests")
        verbose_name_plural = _("enterprises' preferences for requests")

    def __str__(self):
        return str(self.enterprise)


def language_of(enterprise):
    preference = EnterprisePreference.objects.filter(enterprise=enterprise).first()
    return preference.language if preference else "fr"


class QuoteRequestQuerySet(models.QuerySet):
    def of_buyer(self, user):
        return self.filter(buyer=user)

    def sent_since(self, moment):
        return self.filter(created_at__gte=moment)


class QuoteRequest(models.Model):
    """A buyer's request for quotes, sent to a few enterprises of a shortlist."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CHOSEN = "chosen", _("Supplier chosen")
        CLOSED = "closed", _("Closed without a supplier")

    class Budget(models.TextChoices):
        UNDER_5K = "under_5k", _("Under $5,000")
        UNDER_25K = "under_25k", _("$5,000 to $25,000")
        UNDER_100K = "under_100k", _("$25,000 to $100,000")
        OVER_100K = "over_100k", _("Over $100,000")

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.CASCADE,
        related_name="quote_requests",
    )
    # The member organization the buyer acted for, if any: the dashboard's counts and the
    # draft purchase belong to it.
    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("member organization"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="quote_requests",
    )
    shortlist = models.ForeignKey(
        Shortlist, verbose_name=_("shortlist"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="quote_requests",
    )
    title = models.CharField(_("what you need"), max_length=200)
    description = models.TextField(_("details"), max_length=5000)
    category = models.ForeignKey(
        Category, verbose_name=_("product or service"), on_delete=models.PROTECT,
        related_name="quote_requests",
    )
    quantity = models.CharField(_("quantity or scope"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("place (municipality)"), on_delete=models.PROTECT,
        related_name="quote_requests",
    )
    # Copied from the municipality, for statistics by region.
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
        editable=False,
    )
    wanted_on = models.DateField(_("wanted on"), null=True, blank=True)
    answer_by = models.DateField(_("answers wanted by"))
    budget = models.CharField(_("budget"), max_length=12, choices=Budget.choices, blank=True)
    attachment = models.FileField(
        _("attachment (PDF)"), upload_to="procurement/requests/%Y/", blank=True
    )
    language = models.CharField(
        _("buyer's language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    chosen = models.ForeignKey(
        "QuoteInvitation", verbose_name=_("chosen supplier"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    purchase = models.OneToOneField(
        Purchase, verbose_name=_("purchase"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="quote_request",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = QuoteRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request for quotes")
        verbose_name_plural = _("requests for quotes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="chosen") | Q(chosen__isnull=False),
                name="quote_request_chosen_has_supplier",
            ),
        ]
        indexes = [
            # The daily limit per buyer and the buyer's own list, newest first.
            models.Index(fields=["buyer", "-created_at"], name="quote_request_buyer_idx"),
            # The member dashboard's counts for one organization.
            models.Index(fields=["organization", "status"], name="quote_request_org_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("procurement:request_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def save(self, *args, **kwargs):
        if self.municipality_id:
            self.region_id = self.municipality.region_id
        super().save(*args, **kwargs)


class QuoteInvitation(models.Model):
    """One enterprise's copy of a request, and its answer."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        INTERESTED = "interested", _("Interested")
        DECLINED = "declined", _("Not interested")
        QUOTED = "quoted", _("Quote sent")

    class DeclineReason(models.TextChoices):
        TOO_BUSY = "too_busy", _("We cannot take it on at that date")
        OUT_OF_SCOPE = "out_of_scope", _("We do not offer this product or service")
        OUT_OF_AREA = "out_of_area", _("We do not serve this place")
        TOO_SMALL = "too_small", _("The request is too small or too large for us")
        OTHER = "other", _("Another reason")

    request = models.ForeignKey(
        QuoteRequest, verbose_name=_("request"), on_delete=models.CASCADE,
        related_name="invitations",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="quote_invitations",
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    decline_reason = models.CharField(
        _("reason"), max_length=12, choices=DeclineReason.choices, blank=True
    )
    amount = models.DecimalField(
        _("amount before taxes (CAD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    delay = models.CharField(_("delay"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True, max_length=5000)
    quote_file = models.FileField(
        _("quote (PDF)"), upload_to="procurement/quotes/%Y/", blank=True
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The request's e-mail in the mail queue: the worker withdraws it if the enterprise stops
    # or pauses requests before its turn comes (``mail.request_still_wanted``).
    request_mail = models.ForeignKey(
        OutgoingMail, verbose_name=_("request's email"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )

    class Meta:
        ordering = ["enterprise__name", "pk"]
        verbose_name = _("enterprise asked for a quote")
        verbose_name_plural = _("enterprises asked for quotes")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "enterprise"], name="quote_invitation_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True),
                name="quote_invitation_amount_not_negative",
            ),
        ]
        indexes = [
            # The weekly limit per enterprise: its invitations of the last seven days.
            models.Index(fields=["enterprise", "sent_at"], name="quote_invitation_week_idx"),
        ]

    def __str__(self):
        return f"{self.request} → {self.enterprise}"

    @property
    def has_answered(self):
        return self.answer != self.Answer.PENDING

    @property
    def never_reached(self):
        """The enterprise knows nothing of the request: its e-mail was withdrawn (the
        enterprise stopped or paused requests before it was sent) and it did not answer from
        its portal either. Reads ``request_mail``: select it with the invitation."""
        return (
            not self.has_answered and self.request_mail is not None
            and self.request_mail.status == OutgoingMail.Status.WITHDRAWN
        )

    @property
    def can_be_chosen(self):
        return self.answer in (self.Answer.INTERESTED, self.Answer.QUOTED)

    class Standing(models.TextChoices):
        """Where the request stands for the enterprise asked, in its portal."""

        AWAITING = "awaiting", _("Awaiting your answer")
        ANSWERED = "answered", _("You answered")
        CLOSED = "closed", _("Closed by the buyer")
        CHOSEN = "chosen", _("You were chosen")

    @property
    def standing(self):
        request = self.request
        if request.status == QuoteRequest.Status.CHOSEN and request.chosen_id == self.pk:
            return self.Standing.CHOSEN
        if not request.is_open:
            return self.Standing.CLOSED
        return self.Standing.ANSWERED if self.has_answered else self.Standing.AWAITING


class FollowUp(models.Model):
    """A message of the thread between the buyer and one enterprise about a request."""

    class Author(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        ENTERPRISE = "enterprise", _("Enterprise")

    invitation = models.ForeignKey(
        QuoteInvitation, verbose_name=_("enterprise asked"), on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("follow-up message")
        verbose_name_plural = _("follow-up messages")

    def __str__(self):
        return f"{self.get_author_display()} · {self.invitation}"


def sent_to_enterprise_since(enterprise_ids, days=7):
    """How many invitations each enterprise received in the last ``days`` days. A request
    that never reached it (``QuoteInvitation.never_reached``) does not count: the limit
    protects the enterprise from being flooded, and it was not."""
    since = timezone.now() - timedelta(days=days)
    return dict(
        QuoteInvitation.objects.filter(enterprise__in=enterprise_ids, sent_at__gte=since)
        .exclude(
            answer=QuoteInvitation.Answer.PENDING,
            request_mail__status=OutgoingMail.Status.WITHDRAWN,
        )
        .values("enterprise").order_by().annotate(n=models.Count("pk"))
        .values_list("enterprise", "n")
    )
