"""Member organizations, their people, and the purchases they make from the social economy."""

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from enterprises.formatting import format_money
from enterprises.history import History
from enterprises.models import Category, Enterprise, Region

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class MemberOrganization(models.Model):
    """A buyer that belongs to the network and records its social purchases."""

    class Kind(models.TextChoices):
        PUBLIC_BODY = "public_body", _("Public body")
        MUNICIPALITY = "municipality", _("Municipality")
        CROWN_CORPORATION = "crown_corporation", _("Crown corporation")
        PRIVATE_COMPANY = "private_company", _("Private company")
        NON_PROFIT = "non_profit", _("Non-profit organization")
        UNIVERSITY = "university", _("University")
        RESEARCH_CENTRE = "research_centre", _("Research centre")
        EXPERT = "expert", _("Expert")

    name = models.CharField(_("name"), max_length=255, unique=True)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    kind = models.CharField(_("kind of organization"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT,
        related_name="member_organizations",
    )
    website = models.URLField(_("website"), blank=True)
    declaration_signed_on = models.DateField(
        _("signed “L'économie sociale, j'achète!” on"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the organization has not signed the declaration."),
    )
    declaration_commitments = models.TextField(_("commitments made in the declaration"), blank=True)
    declaration_commitments_en = models.TextField(
        _("commitments made in the declaration, in English"), blank=True,
        help_text=_("Shown on English pages; the French text is shown there when this is empty."),
    )
    preferential_margin_percent = models.DecimalField(
        _("preferential margin policy (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("Margin granted to social economy enterprises in calls for tenders."),
    )
    yearly_target = models.DecimalField(
        _("yearly purchasing target ($)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name = _("member organization")
        verbose_name_plural = _("member organizations")
        constraints = [
            models.CheckConstraint(
                condition=Q(preferential_margin_percent__gte=0)
                & Q(preferential_margin_percent__lte=100)
                | Q(preferential_margin_percent__isnull=True),
                name="member_margin_is_a_percentage",
            ),
        ]
        indexes = [
            # The signatories page: organizations that signed, grouped by kind.
            models.Index(fields=["kind", "declaration_signed_on"], name="member_kind_signed_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def localized_commitments(self):
        """``(text, language)`` of the commitments for the page's language: the English text
        on an English page when there is one, else the French, marked as French so that a
        screen reader reads it as such."""
        if translation.get_language() == "en" and self.declaration_commitments_en:
            return self.declaration_commitments_en, "en"
        return self.declaration_commitments, "fr"


class Membership(models.Model):
    """A person who records purchases for a member organization."""

    class Role(models.TextChoices):
        CONTRIBUTOR = "contributor", _("Contributor")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("organization"), on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=15, choices=Role.choices, default=Role.CONTRIBUTOR
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # A manager removing a contributor deletes the row; its history keeps the deletion.
    history = History()

    class Meta:
        ordering = ["organization", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} ({self.get_role_display()})"


def new_invitation_token():
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked; some of them may have expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def invite(self, organization, email, role, language, invited_by):
        """A new invitation, or the open one to this address renewed: a new link, a new
        deadline, and the previous link stops working."""
        invitation, _created = self.open().update_or_create(
            organization=organization,
            email=email.strip().lower(),
            defaults={
                "role": role,
                "language": language,
                "invited_by": invited_by,
                "token": new_invitation_token(),
                "expires_at": timezone.now() + Invitation.VALID_FOR,
            },
        )
        return invitation


class Invitation(models.Model):
    """A manager's invitation to join their organization, sent by email.

    The membership exists only once the invited person accepts, signed in with the invited
    address: nobody, staff included, is added to an organization without their consent.
    """

    VALID_FOR = timedelta(days=7)

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("organization"), on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=15, choices=Membership.Role.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES,
        help_text=_("The language of the invitation email."),
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One open invitation per address and organization: inviting again renews it.
            # Its index also serves the team page's list of open invitations.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization} ({self.get_role_display()})"

    def get_absolute_url(self):
        return reverse("purchases:invitation", kwargs={"token": self.token})

    @property
    def state(self):
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_pending(self):
        return self.state == self.State.PENDING

    def is_for(self, user):
        return user.is_authenticated and user.email.strip().lower() == self.email

    def accept(self, user):
        """The membership, created once: a second click or a race finds the link used.

        Returns the membership, or None when the invitation was no longer pending; a person
        who already belonged to the organization keeps their role.
        """
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=self.pk)
            if not invitation.is_pending or not invitation.is_for(user):
                return None
            membership, _created = Membership.objects.get_or_create(
                user=user, organization=invitation.organization,
                defaults={"role": invitation.role},
            )
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
        self.accepted_at, self.accepted_by = invitation.accepted_at, user
        return membership

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class ContractSizeBracket(models.TextChoices):
    """Contract sizes, bounded by the thresholds in force on the award date."""

    SMALL = "small", _("Small contract")
    BELOW_PUBLIC_TENDER = "below_public_tender", _("Below the public tender threshold")
    PUBLIC_TENDER = "public_tender", _("Public tender, below trade agreements")
    TRADE_AGREEMENTS = "trade_agreements", _("Covered by trade agreements")


class ContractSizeThresholdQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """The thresholds in force on a day; before the first row, the first row applies."""
        return (
            self.filter(effective_from__lte=day).order_by("-effective_from").first()
            or self.order_by("effective_from").first()
        )


class ContractSizeThreshold(models.Model):
    """The dollar thresholds that bound contract sizes from a date on.

    Quebec revises them every two years, so a purchase is classed by the row in force on its
    award date.
    """

    effective_from = models.DateField(_("in force from"), unique=True)
    small_contract_ceiling = models.DecimalField(
        _("small contract ceiling ($)"), max_digits=14, decimal_places=2, default=Decimal("25000")
    )
    public_tender_threshold = models.DecimalField(
        _("public tender threshold ($)"), max_digits=14, decimal_places=2
    )
    trade_agreement_threshold = models.DecimalField(
        _("trade agreement threshold ($)"), max_digits=14, decimal_places=2
    )

    objects = ContractSizeThresholdQuerySet.as_manager()

    history = History()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("contract size thresholds")
        verbose_name_plural = _("contract size thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(small_contract_ceiling__gt=0)
                & Q(public_tender_threshold__gt=F("small_contract_ceiling"))
                & Q(trade_agreement_threshold__gt=F("public_tender_threshold")),
                name="thresholds_increase",
            ),
        ]

    def __str__(self):
        return str(_("Thresholds in force from %(date)s") % {"date": self.effective_from})

    def largest_bracket_floor(self):
        """The amount from which a purchase falls in the largest contract-size bracket."""
        return self.trade_agreement_threshold

    def bracket_for(self, amount):
        if amount < self.small_contract_ceiling:
            return ContractSizeBracket.SMALL
        if amount < self.public_tender_threshold:
            return ContractSizeBracket.BELOW_PUBLIC_TENDER
        if amount < self.trade_agreement_threshold:
            return ContractSizeBracket.PUBLIC_TENDER
        return ContractSizeBracket.TRADE_AGREEMENTS

    def save(self, *args, **kwargs):
        """Saving a threshold row re-classes the purchases it governs."""
        super().save(*args, **kwargs)
        Purchase.objects.reclassify()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        Purchase.objects.reclassify()
        return result


# An amount more than this many times the organization's median purchase is confirmed before it
# is saved (a slipped decimal mark costs a zero or two); fewer purchases than the second figure
# make no meaningful median.
UNUSUAL_MULTIPLE = 20
USUAL_AMOUNT_MIN_PURCHASES = 5


class PurchaseQuerySet(models.QuerySet):
    def validated(self):
        return self.filter(status=Purchase.Status.VALIDATED)

    def published(self):
        """What the public repertory shows: validated purchases the member agreed to publish."""
        return self.filter(**Purchase.PUBLISHED)

    def for_organization(self, organization):
        return self.filter(organization=organization)

    def median_amount(self):
        """The middle amount of these purchases (the lower middle of an even count), or None."""
        count = self.count()
        if not count:
            return None
        return self.order_by("amount").values_list("amount", flat=True)[(count - 1) // 2]

    def usual_amount(self):
        """The median amount once there are enough purchases for it to mean something
        (``USUAL_AMOUNT_MIN_PURCHASES``), else None: an amount more than ``UNUSUAL_MULTIPLE``
        times it is asked to be confirmed, on the form and in a bulk upload alike."""
        if self.count() < USUAL_AMOUNT_MIN_PURCHASES:
            return None
        return self.median_amount()

    def with_unlinked_supplier(self):
        """Purchases whose supplier is not yet in the directory, for staff to link."""
        return self.filter(enterprise__isnull=True)

    def validate(self):
        """Validate these purchases (staff review); returns how many changed."""
        return self.exclude(status=Purchase.Status.VALIDATED)._update_status(
            status=Purchase.Status.VALIDATED, rejection_reason=""
        )

    def reject(self, reason):
        """Reject these purchases with the reason their member will read; returns the count."""
        reason = reason.strip()
        if not reason:
            raise ValueError("A rejection needs a reason.")
        return self._update_status(status=Purchase.Status.REJECTED, rejection_reason=reason)

    def _update_status(self, **fields):
        """Update in bulk, then recount the summary slices, since update() sends no signals."""
        changed = Purchase.objects.filter(pk__in=list(self.values_list("pk", flat=True)))
        count = changed.update(**fields, updated_at=timezone.now())
        recount(changed)
        return count

    def reclassify(self):
        """Recompute the stored contract-size bracket of every purchase from the thresholds."""
        thresholds = list(ContractSizeThreshold.objects.order_by("effective_from"))
        if not thresholds:
            return
        for index, threshold in enumerate(thresholds):
            period = self.all()
            if index > 0:
                period = period.filter(award_date__gte=threshold.effective_from)
            if index + 1 < len(thresholds):
                period = period.filter(award_date__lt=thresholds[index + 1].effective_from)
            period.update(
                contract_size_bracket=models.Case(
                    models.When(
                        amount__lt=threshold.small_contract_ceiling,
                        then=models.Value(ContractSizeBracket.SMALL),
                    ),
                    models.When(
                        amount__lt=threshold.public_tender_threshold,
                        then=models.Value(ContractSizeBracket.BELOW_PUBLIC_TENDER),
                    ),
                    models.When(
                        amount__lt=threshold.trade_agreement_threshold,
                        then=models.Value(ContractSizeBracket.PUBLIC_TENDER),
                    ),
                    default=models.Value(ContractSizeBracket.TRADE_AGREEMENTS),
                )
            )
        rebuild_all()


class Purchase(models.Model):
    """A purchase a member organization made from a social economy enterprise."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for validation")
        VALIDATED = "validated", _("Validated")
        REJECTED = "rejected", _("Rejected")

    class ProcurementMethod(models.TextChoices):
        DIRECT = "direct", _("Direct award")
        INVITATION = "invitation", _("Invitation to tender")
        PUBLIC_TENDER = "public_tender", _("Public tender")

    # The field values of a published purchase (see ``PurchaseQuerySet.published``).
    PUBLISHED = {"status": Status.VALIDATED, "consent_to_publish": True}

    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("member organization"), on_delete=models.PROTECT,
        related_name="purchases",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="purchases",
        db_index=False,  # purchase_enterprise_buyers_idx starts with it
    )
    supplier_name = models.CharField(
        _("supplier not in the directory"),
        max_length=255,
        blank=True,
        help_text=_("Type the supplier's name if it is not in the directory; staff will link it."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("product or service"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="purchases",
    )
    description = models.TextField(_("description"), blank=True)
    amount = models.DecimalField(
        _("amount before taxes (CAD)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    contract_size_bracket = models.CharField(
        _("contract size"), max_length=20, choices=ContractSizeBracket.choices, editable=False
    )
    award_date = models.DateField(_("award date"))
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    procurement_method = models.CharField(
        _("procurement method"), max_length=15, choices=ProcurementMethod.choices
    )
    preferential_margin_percent = models.DecimalField(
        _("preferential margin applied (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    delivery_region = models.ForeignKey(
        Region, verbose_name=_("region of delivery"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="purchases_delivered",
    )
    consent_to_publish = models.BooleanField(
        _("may be published in the public repertory"), default=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="recorded_purchases",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # What open data calls the purchase (its OCDS ocid): random, so that the published
    # identifiers reveal neither how many purchases are recorded nor in which order.
    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )

    objects = PurchaseQuerySet.as_manager()

    # The contract size is derived from the amount and the thresholds in force, and is
    # re-classed in bulk when they change: it stays out, like the save timestamp and the
    # public identifier, which never changes.
    history = History(excluded_fields=["contract_size_bracket", "updated_at", "public_id"])

    class Meta:
        ordering = ["-award_date", "-pk"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchase_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(contract_end__gte=F("contract_start"))
                | Q(contract_end__isnull=True)
                | Q(contract_start__isnull=True),
                name="purchase_contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(supplier_name=""),
                name="purchase_has_a_supplier",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="purchase_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(preferential_margin_percent__gte=0)
                & Q(preferential_margin_percent__lte=100)
                | Q(preferential_margin_percent__isnull=True),
                name="purchase_margin_is_a_percentage",
            ),
        ]
        indexes = [
            # A member's own purchases, newest first: the portal list and the dashboard.
            models.Index(fields=["organization", "-award_date"], name="purchase_org_date_idx"),
            # The public repertory: published().filter(award_date__year=…) and its aggregates.
            models.Index(
                fields=["status", "consent_to_publish", "award_date"], name="purchase_public_idx"
            ),
            # Statistics by contract size within the published purchases.
            models.Index(
                fields=["status", "contract_size_bracket"], name="purchase_status_bracket_idx"
            ),
            # The member dashboard: validated purchases of one organization in a year, and its
            # counts by status. Covering: every column its aggregates read follows the key, so
            # they are answered from the index alone (an index-only scan), never the table.
            models.Index(
                fields=[
                    "organization", "status", "award_date",
                    "contract_size_bracket", "category", "enterprise", "amount",
                ],
                name="purchase_dashboard_cover_idx",
            ),
            # An enterprise page: whether it has published purchases, and those counted by
            # buyer (EnterpriseDetailView), read from the index alone.
            models.Index(
                fields=["enterprise", "status", "consent_to_publish", "organization"],
                name="purchase_enterprise_buyers_idx",
            ),
            # The public repertory filtered by category, aggregated from the purchases directly.
            # Covering, like the dashboard's: year, bracket, supplier and amount follow the key.
            models.Index(
                fields=[
                    "category", "status", "consent_to_publish",
                    "award_date", "contract_size_bracket", "enterprise", "amount",
                ],
                name="purchase_category_cover_idx",
            ),
        ]

    def __str__(self):
        return (f"{self.organization} → {self.supplier_display} "
                f"({format_money(self.amount)}, {self.award_date})")

    @property
    def supplier_display(self):
        return self.enterprise.name if self.enterprise_id else self.supplier_name

    EDITABLE_STATUSES = (Status.DRAFT, Status.REJECTED)

    @property
    def is_editable(self):
        """Members change drafts and rejected purchases; submitted and validated ones are locked."""
        return self.status in self.EDITABLE_STATUSES

    def submit(self):
        """Send a draft or a rejected purchase to staff for validation."""
        self.status = self.Status.SUBMITTED
        self.rejection_reason = ""
        self.save(update_fields=["status", "rejection_reason", "updated_at"])

    def withdraw(self):
        """Take a submitted purchase back to draft, before staff decide on it."""
        self.status = self.Status.DRAFT
        self.save(update_fields=["status", "updated_at"])

    def clean(self):
        errors = {}
        if self.award_date and self.award_date > timezone.localdate():
            errors["award_date"] = _("The award date cannot be in the future.")
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            errors["contract_end"] = _("The contract cannot end before it starts.")
        if self.enterprise_id is None and not self.supplier_name.strip():
            errors["enterprise"] = _(
                "Choose an enterprise from the directory or type the supplier's name."
            )
        if self.status == self.Status.REJECTED and not self.rejection_reason.strip():
            errors["rejection_reason"] = _("Give the reason for the rejection.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Saved with what its signals write (summary counts, history) or not at all: a
        database that goes away midway leaves no half-saved purchase."""
        thresholds = ContractSizeThreshold.objects.in_force_on(self.award_date)
        if thresholds is not None:
            self.contract_size_bracket = thresholds.bracket_for(self.amount)
        with transaction.atomic():
            super().save(*args, **kwargs)


class OutgoingMailQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(status=OutgoingMail.Status.FAILED)

    def stuck(self):
        """Queued mails whose try is long overdue: a worker stopped in the middle of it."""
        cutoff = timezone.now() - OutgoingMail.STUCK_AFTER
        return self.filter(status=OutgoingMail.Status.QUEUED).filter(
            Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at=None, created_at__lt=cutoff)
        )


class OutgoingMail(models.Model):
    """An email the site sends, kept until the mail server has taken it.

    Requests only store the message; the task worker sends it (`purchases.mail`), retries
    with growing delays, and after the last attempt leaves it failed for staff to see. A sent
    mail keeps who, what and when, not its body: bodies carry password reset links. A mail
    its recipient no longer wants when its turn comes (they unsubscribed meanwhile) is
    withdrawn instead.
    """

    # A try takes at most EMAIL_TIMEOUT: a mail still waiting this long after its time lost
    # its task with a worker that stopped, and may be sent again.
    STUCK_AFTER = timedelta(hours=1)

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        WITHDRAWN = "withdrawn", _("Not sent: no longer wanted")

    recipient = models.EmailField(_("recipient"))
    from_email = models.CharField(_("sender"), max_length=254)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"), blank=True)
    # [{"filename": …, "content": …, "mimetype": …}], text attachments such as calendar files.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # {"List-Unsubscribe": …}: the headers the message is sent with, besides the usual ones.
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            # The admin's list filtered by status (failed mails first of all), newest first.
            models.Index(fields=["status", "-created_at"], name="outgoing_mail_status_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"


# The summary tables are models of this app too, registered with it here; recount() and
# rebuild_all() keep them in step with the purchases.
from .summaries import (  # noqa: E402, F401
    OrganizationPurchaseSummary,
    PurchaseSummary,
    rebuild_all,
    recount,
)
