"""The directory: enterprises and the reference lists that describe them."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .history import History
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

    history = History()

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative region")
        verbose_name_plural = _("administrative regions")

    def __str__(self):
        return f"{self.code} {self.localized_name}"


class Mrc(models.Model):
    """A regional county municipality (MRC) or equivalent territory, in one region."""

    code = models.CharField(
        _("code"), max_length=3, unique=True,
        help_text=_("Three digits, as in the official list of municipalities."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="mrcs"
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("MRC or equivalent territory")
        verbose_name_plural = _("MRCs and equivalent territories")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    """A municipality or equivalent place of Quebec's official list, with its MRC and region."""

    code = models.CharField(_("geographic code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    designation = models.CharField(_("designation"), max_length=60, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT,
        related_name="municipalities",
    )
    mrc = models.ForeignKey(
        Mrc, verbose_name=_("MRC or equivalent territory"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="municipalities",
    )
    census_division_code = models.CharField(_("census division code"), max_length=2, blank=True)
    census_division_name = models.CharField(_("census division"), max_length=100, blank=True)
    town_hall_postal_code = models.CharField(_("town hall postal code"), max_length=7, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["name", "code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name


class PlaceParents:
    """Each municipality's MRC and region, and each MRC's region, by id, read once per process:
    an import derives thousands of enterprises' places without a query each. The official lists
    change only through migrations; an id not met yet reads them again."""

    municipalities = {}
    mrcs = {}

    @classmethod
    def of_municipality(cls, pk):
        """(MRC id, region id) of the municipality, or (None, None) if there is none."""
        if pk not in cls.municipalities:
            cls.municipalities = {
                pk: (mrc_id, region_id)
                for pk, mrc_id, region_id in Municipality.objects.values_list(
                    "pk", "mrc_id", "region_id"
                )
            }
        return cls.municipalities.get(pk, (None, None))

    @classmethod
    def of_mrc(cls, pk):
        """The region id of the MRC, or None if there is none."""
        if pk not in cls.mrcs:
            cls.mrcs = dict(Mrc.objects.values_list("pk", "region_id"))
        return cls.mrcs.get(pk)


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

    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class CategoryTree:
    """The categories' parent links, walked in memory: the tree holds a few hundred
    categories, read in one query rather than one query per level.

    A cycle would be a data error (``Category.clean`` refuses one); the walks never loop on it.
    """

    def __init__(self, links):
        """From (category id, parent id) pairs."""
        self.parents = dict(links)
        self.children = {}
        for pk, parent_id in self.parents.items():
            self.children.setdefault(parent_id, []).append(pk)

    @classmethod
    def of(cls, categories):
        return cls((category.pk, category.parent_id) for category in categories)

    def with_descendants(self, ids):
        """These category ids and every id below them."""
        found = set(ids)
        frontier = list(found)
        while frontier:
            for child in self.children.get(frontier.pop(), ()):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def path(self, pk):
        """``[root id, …, pk]``."""
        path = [pk]
        while (parent := self.parents.get(path[0])) in self.parents and parent not in path:
            path.insert(0, parent)
        return path


class CategoryQuerySet(models.QuerySet):
    def tree(self):
        return CategoryTree(Category.objects.values_list("pk", "parent_id"))

    def with_descendants(self, categories):
        """The given categories and every category below them (a parent matches its children)."""
        ids = {getattr(category, "pk", category) for category in categories}
        return self.filter(pk__in=self.tree().with_descendants(ids))


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

    history = History()

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


class FieldGroup(models.TextChoices):
    """Fields a source is trusted for together (survivorship ranks are given per group)."""

    IDENTITY = "identity", _("Identity (name)")
    LEGAL = "legal", _("Legal (NEQ, legal form)")
    CONTACT = "contact", _("Contact (address, municipality, region, postal code, phone, email, "
                           "website)")
    DESCRIPTION = "description", _("Description")
    CLASSIFICATION = "classification", _("Sectors, products and services, labels, regions "
                                         "served")
    PROFILE = "profile", _("Size and year founded")


FIELD_GROUPS = {
    "name": FieldGroup.IDENTITY,
    "neq": FieldGroup.LEGAL, "legal_form": FieldGroup.LEGAL,
    **dict.fromkeys(["address", "city", "municipality", "mrc", "region", "postal_code", "phone",
                     "email", "website"], FieldGroup.CONTACT),
    "description_fr": FieldGroup.DESCRIPTION, "description_en": FieldGroup.DESCRIPTION,
    **dict.fromkeys(["sectors", "categories", "labels", "service_area", "mrcs_served"],
                    FieldGroup.CLASSIFICATION),
    "employee_band": FieldGroup.PROFILE, "year_founded": FieldGroup.PROFILE,
}


class Network(models.Model):
    """A member network that publishes its own directory of enterprises, or a public register
    (such as the Registre des entreprises du Québec) that describes them too."""

    class Kind(models.TextChoices):
        NETWORK = "network", _("Member network")
        REGISTER = "register", _("Public register")

    # A network knows its members' names, words and contacts; the register knows their legal
    # identity. A curator's edit outranks every source (``Enterprise.curated_fields``).
    DEFAULT_RANKS = {
        Kind.NETWORK: dict.fromkeys(FieldGroup, 20) | {FieldGroup.LEGAL: 10},
        Kind.REGISTER: dict.fromkeys(FieldGroup, 10) | {FieldGroup.LEGAL: 20},
    }

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    website = models.URLField(_("website"), validators=[http_url_validator])
    directory_url = models.URLField(
        _("directory address"), blank=True, validators=[http_url_validator]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NETWORK)
    # Edited as one number per group on the network's admin page (``NetworkForm``).
    field_ranks = models.JSONField(
        _("rank per field group"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Field group → rank; a source never overwrites a field last set by a higher-ranked "
            "one. Groups left out take the default for the network's kind."
        ),
    )

    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self):
        return self.name

    @property
    def ranks(self):
        """Field group → this source's rank: its own choices over its kind's defaults."""
        defaults = self.DEFAULT_RANKS.get(self.kind, self.DEFAULT_RANKS[self.Kind.NETWORK])
        return {str(group): int(self.field_ranks.get(group, rank))
                for group, rank in defaults.items()}


class Label(BilingualNameMixin, models.Model):
    """A certification or accreditation, such as « entreprise d'insertion »."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")


class DirectoryRevision(models.Model):
    """A token that changes with every write that could change what the public directory shows.

    Each process keeps the directory's facet bitsets in memory (``directory_index``) and
    reads this one row per request to know whether they are still true. Saves and deletions
    bump it through signals; bulk writes (imports, publishing in bulk, demo data) call
    ``bump()`` themselves.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("directory revision")
        verbose_name_plural = _("directory revisions")

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls):
        """The token, or None before the first write. Every public request reads it (a 304
        reads nothing else): through a plain cursor, since composing the ORM's query took
        longer than running it."""
        with connections[router.db_for_read(cls)].cursor() as cursor:
            cursor.execute(f'SELECT "token" FROM "{cls._meta.db_table}" WHERE "id" = 1')
            row = cursor.fetchone()
        # SQLite returns the UUID's hex digits, PostgreSQL a UUID.
        return None if row is None else uuid.UUID(str(row[0]))

    @classmethod
    def bump(cls, **signal_arguments):
        """Mark the directory as changed; also a receiver for the model signals."""
        # Fixtures load raw; many-to-many changes signal before and after: count them once.
        if signal_arguments.get("raw") or signal_arguments.get("action", "").startswith("pre_"):
            return
        if not cls.objects.filter(pk=1).update(token=uuid.uuid4(), changed_at=timezone.now()):
            cls.objects.create(pk=1)


class EnterpriseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Enterprise.Status.PUBLISHED)

    # Multi-valued relations are matched through "pk IN (subquery)" on their through-tables:
    # no join, so no duplicates and no DISTINCT, and the filters combine freely.

    def in_regions(self, regions):
        """Enterprises based in, or serving, any of these regions."""
        served = Enterprise.service_area.through.objects.filter(region__in=regions)
        return self.filter(Q(region__in=regions) | Q(pk__in=served.values("enterprise_id")))

    def in_mrcs(self, mrcs):
        """Enterprises based in any of these MRCs (or equivalent territories)."""
        return self.filter(mrc__in=mrcs)

    def offering(self, categories):
        """Enterprises offering any of these categories or a category below them."""
        offers = Enterprise.categories.through.objects.filter(
            category__in=Category.objects.with_descendants(categories)
        )
        return self.filter(pk__in=offers.values("enterprise_id"))

    def in_sectors(self, sectors):
        """Enterprises active in any of these sectors."""
        active = Enterprise.sectors.through.objects.filter(sector__in=sectors)
        return self.filter(pk__in=active.values("enterprise_id"))

    def holding_labels(self, labels):
        """Enterprises holding any of these labels."""
        held = EnterpriseLabel.objects.filter(label__in=labels)
        return self.filter(pk__in=held.values("enterprise_id"))

    def latest(self, count=6):
        return self.published().order_by("-published_at", "-pk")[:count]

    def publish(self):
        """Publish these enterprises, keeping the date of a first publication; returns the count.

        Those without a region stay as they are: the public directory places every enterprise
        in a region (``enterprise_published_has_region``)."""
        now = timezone.now()
        unpublished = self.exclude(status=Enterprise.Status.PUBLISHED).filter(
            region__isnull=False
        )
        unpublished.filter(published_at__isnull=True).update(published_at=now)
        count = unpublished.update(status=Enterprise.Status.PUBLISHED, updated_at=now)
        DirectoryRevision.bump()
        return count

    def archive(self):
        """Withdraw these enterprises from the public directory; returns the count."""
        count = self.exclude(status=Enterprise.Status.ARCHIVED).update(
            status=Enterprise.Status.ARCHIVED, updated_at=timezone.now()
        )
        DirectoryRevision.bump()
        return count


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
        _("name without accents or capitals"), max_length=255, editable=False
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
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enterprises",
        help_text=_("Required to publish; set from the municipality or MRC when they are known."),
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="enterprises",
    )
    mrc = models.ForeignKey(
        Mrc, verbose_name=_("MRC or equivalent territory"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="enterprises",
    )
    service_area = models.ManyToManyField(
        Region, verbose_name=_("regions served"), blank=True, related_name="served_enterprises"
    )
    # Finer than the regions: the MRCs (or equivalent territories) it serves, which its own
    # people give in their portal. Where it is based is ``mrc``, which follows its municipality.
    mrcs_served = models.ManyToManyField(
        Mrc, verbose_name=_("MRCs served"), blank=True, related_name="served_enterprises"
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
    # Social-impact facts an enterprise states on its own profile (enterprise accounts).
    integration_workers = models.PositiveIntegerField(
        _("workers in social integration"), null=True, blank=True
    )
    employees_with_disabilities = models.PositiveIntegerField(
        _("employees with disabilities"), null=True, blank=True
    )
    # When one of the enterprise's own people last confirmed the profile as up to date.
    confirmed_on = models.DateField(_("confirmed by the enterprise on"), null=True, blank=True)
    status = models.CharField(
        _("publication status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True, editable=False)
    verification_status = models.CharField(
        _("verification"), max_length=15, choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    curated_fields = models.JSONField(
        _("fields edited by hand"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Imports never overwrite these fields; they queue the incoming value instead."),
    )
    field_origins = models.JSONField(
        _("where each field comes from"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Field → the source that last set it and when (« * »: every field an "
                    "import filled when it created the enterprise), so that a lower-ranked "
                    "source never overwrites it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    # Staff and member edits, with who made them; bulk imports are recorded by their ImportRun.
    # Derived and bookkeeping fields stay out: they would show as changes on every save.
    history = History(
        excluded_fields=[
            "name_folded", "neq_checksum_failed", "curated_fields", "field_origins", "updated_at",
        ]
    )

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
            # Imports may land a draft without a region; the public directory never shows one.
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(region__isnull=False),
                name="enterprise_published_has_region",
            ),
        ]
        indexes = [
            # The public listing sorted by name: published().order_by("name_folded").
            models.Index(fields=["status", "name_folded"], name="enterprise_status_name_idx"),
            # The region facet: published enterprises grouped by region.
            models.Index(fields=["status", "region"], name="enterprise_status_region_idx"),
            # "Latest published enterprises" on the home page and the "newest" sort.
            models.Index(fields=["status", "-published_at"], name="enterprise_status_pub_idx"),
            # Listing filtered by legal form.
            models.Index(fields=["status", "legal_form"], name="enterprise_status_form_idx"),
            # A supplier or registrant typed by name: filter(name_folded=fold(text)). Declared
            # here rather than with db_index, which on PostgreSQL adds a second index for
            # LIKE prefixes that nothing runs, and costs every bulk insert.
            models.Index(fields=["name_folded"], name="enterprise_name_folded_idx"),
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

    def clean_fields(self, exclude=None):
        """Normalize before the field checks, so "1160 0000 05" fits its 10 characters."""
        exclude = set(exclude or ())
        errors = {}
        for field, normalize in (
            ("neq", normalize_neq),
            ("postal_code", normalize_postal_code),
            ("phone", normalize_phone),
        ):
            if field in exclude:
                continue
            try:
                setattr(self, field, normalize(getattr(self, field)))
            except ValidationError as error:
                errors[field] = error.error_list
        self.email = self.email.strip().lower()
        try:
            super().clean_fields(exclude=exclude | set(errors))
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def derived_from_text(name, neq):
        """The columns computed from the name and the NEQ, for writers without an instance."""
        return {
            "name_folded": fold(name),
            "neq_checksum_failed": bool(neq) and not neq_passes_checksum(neq),
        }

    def refresh_derived_fields(self):
        """Set the fields computed from others; bulk writers call this since they skip save()."""
        for attname, value in self.derived_from_text(self.name, self.neq).items():
            setattr(self, attname, value)
        self.derive_place()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def derive_place(self):
        """The MRC and region follow from the municipality; an MRC alone gives the region."""
        if self.municipality_id is not None:
            mrc_id, region_id = PlaceParents.of_municipality(self.municipality_id)
            if region_id is not None:
                self.mrc_id, self.region_id = mrc_id, region_id
        elif self.mrc_id is not None:
            region_id = PlaceParents.of_mrc(self.mrc_id)
            if region_id is not None:
                self.region_id = region_id

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        super().save(*args, **kwargs)

    def record_curator_edit(self, field_names):
        """Remember the fields staff changed by hand so that imports leave them alone."""
        self.curated_fields = sorted(set(self.curated_fields) | set(field_names))

    def current_values(self):
        """Field → value as an import's source record keeps it (ids for related objects)."""
        values = {}
        for name in FIELD_GROUPS:
            field = self._meta.get_field(name)
            if field.many_to_many:
                values[name] = sorted(getattr(self, name).values_list("pk", flat=True))
            else:
                values[name] = getattr(self, field.attname)
        return values

    def adopt(self, name, value):
        """Take a source's value for one field (related objects as ids): a curator's edit,
        which imports then leave alone."""
        field = self._meta.get_field(name)
        if field.many_to_many:
            getattr(self, name).add(*value)
        else:
            setattr(self, field.attname, value)
        self.record_curator_edit([name])
        self.save()


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


class EnterpriseRedirect(models.Model):
    """An old slug kept after a merge or a rename, so links and bookmarks still arrive."""

    old_slug = models.SlugField(_("old slug"), max_length=255, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="redirects",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]
        verbose_name = _("enterprise redirect")
        verbose_name_plural = _("enterprise redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.enterprise}"


class EnterpriseSource(models.Model):
    """Where an entry comes from: one row per network and that network's own record id."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="sources",
    )
    # No index of its own: the unique (network, external id) serves lookups by network.
    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="sources",
        db_index=False,
    )
    external_id = models.CharField(_("record id in the network"), max_length=255)
    raw_record = models.JSONField(_("record as received"), default=dict, blank=True)
    values = models.JSONField(
        _("values as read"), default=dict, blank=True,
        help_text=_("The record's values after normalization, kept even where a higher-ranked "
                    "source set the field: a curator can adopt them."),
    )
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
            models.UniqueConstraint(
                fields=["enterprise", "network"], name="enterprise_source_one_per_network"
            ),
            models.CheckConstraint(
                condition=Q(last_seen_at__gte=models.F("first_seen_at")),
                name="enterprise_source_seen_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.network} #{self.external_id}"


def default_missing_values():
    return ["NA", "N/A", "N/D", "ND", "-", "--", "?", "nil", "null", "aucun"]


class ImportProfile(models.Model):
    """How one network's directory export maps onto ours; curators edit it in the admin."""

    network = models.OneToOneField(
        Network, verbose_name=_("network"), on_delete=models.CASCADE,
        related_name="import_profile",
    )
    column_map = models.JSONField(
        _("columns"),
        default=dict,
        blank=True,
        help_text=_(
            "Column header → field name, e.g. {\"Raison sociale\": \"name\"}. "
            "Columns left out are recognized from their usual names."
        ),
    )
    value_maps = models.JSONField(
        _("value maps"),
        default=dict,
        blank=True,
        help_text=_(
            "Per field (legal_form, region, sectors, categories, labels, service_area): "
            "value in the file → our slug, code or name, "
            "e.g. {\"legal_form\": {\"COOP\": \"cooperative\"}}."
        ),
    )
    unknown_values = models.JSONField(
        _("values still to map"),
        default=dict,
        blank=True,
        help_text=_("Values met in imports that match nothing yet; add them to the value maps."),
    )
    constant_values = models.JSONField(
        _("values for every row"),
        default=dict,
        blank=True,
        help_text=_(
            "Field → value given to every row whose cell is empty or absent, "
            "e.g. {\"legal_form\": \"cooperative\", \"region\": \"04\"}."
        ),
    )
    list_separators = models.CharField(
        _("list separators"), max_length=10, blank=True, default="|;\n",
        help_text=_("Characters that separate several values in one cell. A comma splits a "
                    "cell only when the whole cell is not a known value."),
    )
    record_id_column = models.CharField(
        _("record id column"), max_length=255, blank=True,
        help_text=_("The column holding the network's own id for each enterprise."),
    )
    missing_values = models.JSONField(
        _("values meaning missing"), default=default_missing_values, blank=True
    )
    sheet_name = models.CharField(
        _("spreadsheet sheet"), max_length=100, blank=True,
        help_text=_("Leave blank to read the first sheet."),
    )
    complete_exports = models.BooleanField(
        _("files list every enterprise"),
        default=True,
        help_text=_("Enterprises missing from a new file are then flagged for review."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["network"]
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")

    def __str__(self):
        return str(self.network)

    def remember_unknown_values(self, unknown):
        """Add newly met unmapped values to the list staff works through."""
        changed = False
        for field, values in unknown.items():
            known = set(self.unknown_values.get(field, []))
            mapped = set(self.value_maps.get(field, {}))
            new = set(values) - known - mapped
            if new:
                self.unknown_values[field] = sorted(known | new)
                changed = True
        return changed


class ImportRun(models.Model):
    """One file loaded (or previewed) for a network: who, when, what it changed."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="import_runs"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    upload = models.FileField(_("uploaded file"), upload_to="imports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    failure = models.TextField(_("why nothing was applied"), blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"), null=True, blank=True,
        help_text=_("Written by the process running the import: a running import whose "
                    "heartbeat stopped was killed."),
    )
    processed_rows = models.PositiveIntegerField(_("rows processed so far"), default=0)
    total_rows = models.PositiveIntegerField(_("rows read"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("rejected"), default=0)
    missing_count = models.PositiveIntegerField(_("missing from the file"), default=0)
    warning_counts = models.JSONField(
        _("warnings by kind"), default=dict, blank=True,
        help_text=_("Warning kind → number of rows, shown first in the preview."),
    )
    column_map = models.JSONField(_("columns used"), default=dict, blank=True)
    error_report = models.TextField(_("error report (CSV)"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        indexes = [
            # The admin's run list for one network, newest first.
            models.Index(fields=["network", "-created_at"], name="import_run_network_idx"),
        ]

    def __str__(self):
        return f"{self.network} · {self.file_name}"

    @property
    def counts(self):
        return {
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
            "skipped": self.skipped_count,
            "errors": self.error_count,
            "missing": self.missing_count,
        }


class ImportChange(models.Model):
    """One row's outcome in an import run: what the preview lists, page by page."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        UNCHANGED = "unchanged", _("Unchanged")
        SKIPPED = "skipped", _("Skipped")
        ERROR = "error", _("Refused")

    # A log row per line of every file: no database constraint to check for each of them
    # when an import commits (Django still cascades and nulls them), and the run's rows are
    # found through the index below, so the key needs none of its own.
    run = models.ForeignKey(
        ImportRun, verbose_name=_("import run"), on_delete=models.CASCADE,
        related_name="change_rows", db_constraint=False, db_index=False,
    )
    line = models.PositiveIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["run", "line"]
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")
        indexes = [
            # The preview: one run's changes of one kind, in the file's order.
            models.Index(fields=["run", "kind", "line"], name="import_change_run_kind_idx"),
        ]

    def __str__(self):
        return f"{self.run_id}:{self.line} {self.kind}"


class ImportReviewItem(models.Model):
    """A decision an import left to a curator: it never merges or overwrites on its own."""

    class Kind(models.TextChoices):
        AMBIGUOUS_MATCH = "ambiguous", _("Several enterprises could match")
        CURATED_FIELD = "curated", _("Incoming value for a field edited by hand")
        MISSING = "missing", _("Missing from the network's latest file")
        IDENTITY_CONFLICT = "identity", _("Same identifier, different enterprise")
        POSSIBLE_DUPLICATE = "duplicate", _("Possible duplicate")
        INVALID_VALUE = "invalid", _("Value left out")

    class State(models.TextChoices):
        OPEN = "open", _("To review")
        RESOLVED = "resolved", _("Resolved")

    run = models.ForeignKey(
        ImportRun, verbose_name=_("import run"), on_delete=models.CASCADE,
        related_name="review_items",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="import_review_items",
        help_text=_("For an ambiguous match: choose the enterprise this record is."),
    )
    candidates = models.ManyToManyField(
        Enterprise, verbose_name=_("possible matches"), blank=True, related_name="+"
    )
    external_id = models.CharField(_("record id in the network"), max_length=255, blank=True)
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=50, blank=True)
    current_value = models.JSONField(_("current value"), null=True, blank=True)
    incoming_value = models.JSONField(_("incoming value"), null=True, blank=True)
    record = models.JSONField(_("record as received"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import review item")
        verbose_name_plural = _("import review queue")
        indexes = [
            # The review queue: open items of one kind.
            models.Index(fields=["state", "kind"], name="import_review_state_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.external_id or self.field}"

    def resolve(self):
        self.state = self.State.RESOLVED
        self.resolved_at = timezone.now()
        self.save(update_fields=["state", "resolved_at", "enterprise"])

    def accept_incoming_value(self):
        """For a hand-edited field: take the network's value after all."""
        enterprise = self.enterprise
        if self.field in ("sectors", "categories", "labels", "service_area", "mrcs_served"):
            getattr(enterprise, self.field).add(*self.incoming_value)
        else:
            attribute = "region_id" if self.field == "region" else self.field
            setattr(enterprise, attribute, self.incoming_value)
            enterprise.save()
        self.resolve()

    def link_to_enterprise(self):
        """For an ambiguous match: the curator chose ``enterprise``; later imports of this
        record go straight to it."""
        EnterpriseSource.objects.update_or_create(
            network=self.run.network, external_id=self.external_id,
            defaults={"enterprise": self.enterprise, "raw_record": self.record},
        )
        self.resolve()
