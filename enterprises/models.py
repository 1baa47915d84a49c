"""The directory: enterprises and the reference lists that describe them."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .validators import (
    fold,
    http_url_validator,
    neq_passes_checksum,
    normalize_neq,
    normalize_phone,
    normalize_postal_code,
)


class BilingualNameMixin:
    """Reference lists carry a French name and an optional English one."""

    @property
    def localized_name(self):
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    def __str__(self):
        return self.localized_name


class Region(BilingualNameMixin, models.Model):
    """One of Quebec's 17 administrative regions, with its official two-digit code."""

    code = models.CharField(
        _("code"), max_length=2, unique=True, validators=[RegexValidator(r"^(0[1-9]|1[0-7])$")]
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative region")
        verbose_name_plural = _("administrative regions")

    def __str__(self):
        return f"{self.code} {self.localized_name}"


class Sector(BilingualNameMixin, models.Model):
    """An industry sector, optionally tied to its SCIAN/NAICS code."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    naics_code = models.CharField(
        _("SCIAN/NAICS code"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{2,6}$", _("A SCIAN/NAICS code has 2 to 6 digits."))],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class CategoryQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_descendants(self, categories):
        """The given categories and every category below them (a parent matches its children)."""
        ids = {getattr(category, "pk", category) for category in categories}
        frontier = set(ids)
        while frontier:
            frontier = set(self.filter(parent__in=frontier).values_list("pk", flat=True)) - ids
            ids |= frontier
        return self.filter(pk__in=ids)


class Category(BilingualNameMixin, models.Model):
    """A product or service that buyers look for; categories form a tree."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unspsc_code = models.CharField(
        _("UNSPSC code"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("A UNSPSC code has exactly 8 digits."))],
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product or service category")
        verbose_name_plural = _("product and service categories")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_per_parent"
            ),
        ]

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A category cannot be placed under itself.")})
            ancestor = ancestor.parent


class Network(models.Model):
    """A member network that publishes its own directory of enterprises."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    website = models.URLField(_("website"), validators=[http_url_validator])
    directory_url = models.URLField(
        _("directory address"), blank=True, validators=[http_url_validator]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self):
        return self.name


class Label(BilingualNameMixin, models.Model):
    """A certification or accreditation, such as « entreprise d'insertion »."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")


class EnterpriseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Enterprise.Status.PUBLISHED)

    def in_regions(self, regions):
        """Enterprises based in, or serving, any of these regions."""
        return self.filter(Q(region__in=regions) | Q(service_area__in=regions)).distinct()

    def offering(self, categories):
        """Enterprises offering any of these categories or a category below them."""
        return self.filter(
            categories__in=Category.objects.with_descendants(categories)
        ).distinct()

    def latest(self, count=6):
        return self.published().order_by("-published_at", "-pk")[:count]


class LegalForm(models.TextChoices):
    """Legal forms of the social economy."""

    COOPERATIVE = "cooperative", _("Cooperative")
    SOLIDARITY_COOPERATIVE = "solidarity_cooperative", _("Solidarity cooperative")
    WORKER_COOPERATIVE = "worker_cooperative", _("Worker cooperative")
    NON_PROFIT = "non_profit", _("Non-profit organization (OBNL)")
    MUTUAL = "mutual", _("Mutual")
    OTHER = "other", _("Other")

class EmployeeBand(models.TextChoices):
    B1_4 = "1-4", _("1 to 4 employees")
    B5_9 = "5-9", _("5 to 9 employees")
    B10_49 = "10-49", _("10 to 49 employees")
    B50_99 = "50-99", _("50 to 99 employees")
    B100_249 = "100-249", _("100 to 249 employees")
    B250_PLUS = "250+", _("250 employees or more")

class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")

class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VERIFIED = "verified", _("Verified")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class Enterprise(models.Model):
    """A social economy enterprise: a cooperative, a non-profit (OBNL) or a mutual."""

    LegalForm = LegalForm
    EmployeeBand = EmployeeBand
    Status = Status
    Verification = Verification

    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(
        _("name without accents or capitals"), max_length=255, editable=False, db_index=True
    )
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    neq = models.CharField(
        _("NEQ"),
        max_length=10,
        blank=True,
        help_text=_("Quebec enterprise number: 10 digits starting with 11, 22, 33 or 88."),
    )
    neq_checksum_failed = models.BooleanField(
        _("NEQ fails its check digit"),
        default=False,
        editable=False,
        help_text=_("Flagged for review; the number is kept as entered."),
    )
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm.choices)
    description_fr = models.TextField(_("description in French"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="enterprises"
    )
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("products and services"),
        blank=True,
        related_name="enterprises",
    )
    labels = models.ManyToManyField(
        Label,
        verbose_name=_("labels"),
        through="EnterpriseLabel",
        blank=True,
        related_name="enterprises",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="enterprises"
    )
    service_area = models.ManyToManyField(
        Region, verbose_name=_("regions served"), blank=True, related_name="served_enterprises"
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True, validators=[http_url_validator])
    employee_band = models.CharField(
        _("number of employees"), max_length=10, choices=EmployeeBand.choices, blank=True
    )
    year_founded = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    status = models.CharField(
        _("publication status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True, editable=False)
    verification_status = models.CharField(
        _("verification"), max_length=15, choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["neq"], condition=~Q(neq=""), name="enterprise_unique_neq"
            ),
            models.CheckConstraint(
                condition=Q(legal_form__in=LegalForm.values),
                name="enterprise_known_legal_form",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="enterprise_known_status",
            ),
        ]
        indexes = [
            # The public listing sorted by name: published().order_by("name").
            models.Index(fields=["status", "name"], name="enterprise_status_name_idx"),
            # "Latest published enterprises" on the home page and the "newest" sort.
            models.Index(fields=["status", "-published_at"], name="enterprise_status_pub_idx"),
            # Listing filtered by legal form.
            models.Index(fields=["status", "legal_form"], name="enterprise_status_form_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:detail", kwargs={"slug": self.slug})

    @property
    def description(self):
        if translation.get_language() == "en" and self.description_en:
            return self.description_en
        return self.description_fr

    def clean(self):
        errors = {}
        for field, normalize in (
            ("neq", normalize_neq),
            ("postal_code", normalize_postal_code),
            ("phone", normalize_phone),
        ):
            try:
                setattr(self, field, normalize(getattr(self, field)))
            except ValidationError as error:
                errors[field] = error
        self.email = self.email.strip().lower()
        if errors:
            raise ValidationError(errors)

    def refresh_derived_fields(self):
        """Set the fields computed from others; bulk writers call this since they skip save()."""
        self.name_folded = fold(self.name)
        self.neq_checksum_failed = bool(self.neq) and not neq_passes_checksum(self.neq)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        super().save(*args, **kwargs)


class EnterpriseLabel(models.Model):
    """A label held by an enterprise: when it was awarded, and by whom."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="label_awards",
    )
    label = models.ForeignKey(
        Label, verbose_name=_("label"), on_delete=models.PROTECT, related_name="awards"
    )
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("label held")
        verbose_name_plural = _("labels held")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "label"], name="enterprise_label_unique"
            )
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.label}"


class EnterpriseSource(models.Model):
    """Where an entry comes from: one row per network and that network's own record id."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="sources",
    )
    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="sources"
    )
    external_id = models.CharField(_("record id in the network"), max_length=100)
    raw_record = models.JSONField(_("record as received"), default=dict, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["network", "external_id"]
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "external_id"], name="enterprise_source_unique_record"
            ),
            models.CheckConstraint(
                condition=Q(last_seen_at__gte=models.F("first_seen_at")),
                name="enterprise_source_seen_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.network} #{self.external_id}"
