"""Enterprises keep their own profiles: their people, claims, proposed changes, files,
buyers' reports and the yearly reminder."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.history import History
from enterprises.models import Enterprise

LANGUAGE_CHOICES = settings.LANGUAGES


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")


class EnterpriseMembershipQuerySet(models.QuerySet):
    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class EnterpriseMembership(models.Model):
    """A person who keeps an enterprise's profile up to date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="enterprise_memberships",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="account_memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    language = models.CharField(
        _("language"), max_length=5, choices=LANGUAGE_CHOICES, default="fr",
        help_text=_("The language of the emails this person receives."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EnterpriseMembershipQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["enterprise", "user"]
        verbose_name = _("enterprise account")
        verbose_name_plural = _("enterprise accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enterprise"], name="enterprise_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="enterprise_membership_known_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.enterprise} ({self.get_role_display()})"


class EnterpriseAccount(models.Model):
    """What the network decided about an enterprise's own edits, and its reminders."""

    enterprise = models.OneToOneField(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="account",
    )
    trusted = models.BooleanField(
        _("trusted"), default=False,
        help_text=_("Its text and image changes go live at once; they stay recorded and "
                    "reviewable."),
    )
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    # Who marked the enterprise trusted, or stopped trusting it, and when.
    history = History(excluded_fields=["last_reminded_at"])

    class Meta:
        verbose_name = _("enterprise settings")
        verbose_name_plural = _("enterprise settings")

    def __str__(self):
        return str(self.enterprise)


class StaffDecision(models.Model):
    """What staff decided on something a person asked for, when, and why they refused."""

    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True

    def decide(self, staff, state, reason=""):
        self.state, self.refusal_reason = state, reason
        self.decided_by, self.decided_at = staff, timezone.now()
        self.save()


class ClaimQuerySet(models.QuerySet):
    def awaiting_staff(self):
        return self.filter(state=Claim.State.AWAITING_STAFF)

    def open_invitations(self):
        return self.filter(state=Claim.State.AWAITING_EMAIL, invited_by__isnull=False)


class Claim(StaffDecision):
    """A person's statement that an enterprise is theirs, or an owner's invitation to join it
    (``invited_by`` set): either way, the link emailed to the address confirms it."""

    class State(models.TextChoices):
        AWAITING_EMAIL = "email", _("Waiting for the link in the email")
        AWAITING_STAFF = "staff", _("Waiting for staff")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        REVOKED = "revoked", _("Revoked")

    # The signed link sent to the enterprise's own address stops working after this; an
    # owner's invitation waits longer, as the member portal's do.
    LINK_VALID_FOR = timedelta(days=3)
    INVITATION_VALID_FOR = timedelta(days=7)

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="claims",
    )
    name = models.CharField(_("name"), max_length=200)
    role_title = models.CharField(_("role in the enterprise"), max_length=200)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, blank=True,
        help_text=_("Chosen by the owner who invited the person; otherwise the first person "
                    "of an enterprise owns it and the next ones edit it."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["email", "staff", "approved", "refused", "revoked"]),
                name="claim_known_state",
            ),
        ]
        indexes = [
            # The staff queue: claims waiting for staff, oldest first.
            models.Index(fields=["state", "created_at"], name="claim_state_idx"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}> → {self.enterprise}"

    @property
    def link_valid_for(self):
        return self.INVITATION_VALID_FOR if self.invited_by_id else self.LINK_VALID_FOR


class ChangeRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=ChangeRequest.State.PENDING)


class ChangeRequest(StaffDecision):
    """Values an enterprise's people proposed for its public text or its identity.

    ``changes`` maps field → proposed value, ``previous`` field → the value when proposed
    (related objects as sorted ids); staff see both side by side.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        # A trusted enterprise's change: live at once, kept for review afterwards.
        APPLIED = "applied", _("Live (trusted enterprise)")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="change_requests",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    changes = models.JSONField(_("proposed values"), default=dict)
    previous = models.JSONField(_("values when proposed"), default=dict)
    note = models.TextField(_("note to staff"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "refused", "applied"]),
                name="change_request_known_state",
            ),
        ]
        indexes = [
            # The staff queue (pending ones) and the portal's list of an enterprise's requests.
            models.Index(fields=["state", "created_at"], name="change_request_state_idx"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {', '.join(self.changes)}"


def enterprise_file_path(instance, filename):
    return f"enterprise_accounts/{instance.enterprise_id}/{filename}"


class EnterpriseFileQuerySet(models.QuerySet):
    def live(self):
        return self.filter(state=EnterpriseFile.State.APPROVED)

    def pending(self):
        return self.filter(state=EnterpriseFile.State.PENDING)

    def counted_against_limit(self):
        return self.exclude(state=EnterpriseFile.State.REFUSED)


class EnterpriseFile(models.Model):
    """A logo, a photo or a document, stored only once its content passed every check."""

    class Kind(models.TextChoices):
        LOGO = "logo", _("Logo")
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Live")
        REFUSED = "refused", _("Refused")

    MAX_PHOTOS = 6

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="account_files",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=enterprise_file_path, max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EnterpriseFileQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["kind", "created_at"]
        verbose_name = _("enterprise file")
        verbose_name_plural = _("enterprise files")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["logo", "photo", "document"]),
                name="enterprise_file_known_kind",
            ),
        ]
        indexes = [
            # The public section: an enterprise's live files; the queue: pending ones.
            models.Index(fields=["enterprise", "state"], name="enterprise_file_state_idx"),
        ]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} · {self.enterprise}"


class ErrorReport(models.Model):
    """A buyer's report that a profile is outdated or wrong; no account needed."""

    class State(models.TextChoices):
        OPEN = "open", _("To review")
        RESOLVED = "resolved", _("Resolved")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="error_reports",
    )
    message = models.TextField(_("what is wrong"), max_length=2000)
    email = models.EmailField(_("email to reply to"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")
        indexes = [
            # The staff queue: open reports.
            models.Index(fields=["state", "created_at"], name="error_report_state_idx"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.created_at:%Y-%m-%d}"

    def resolve(self):
        self.state = self.State.RESOLVED
        self.resolved_at = timezone.now()
        self.save(update_fields=["state", "resolved_at"])
