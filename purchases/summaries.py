"""The summary tables the repertory and the dashboards read, and how they are kept in step.

Scanning a million purchases on every request is too slow, so two tables hold their margins:
``PurchaseSummary`` for the public repertory, sliced by (year, buyer region, kind of buyer),
and ``OrganizationPurchaseSummary`` for each member's dashboard, sliced by (organization,
year). A write recounts only the slices it touches, through one entry point, ``recount()``:
the save and delete signals below call it with the purchase as it is and as it was loaded,
bulk status changes with the purchases they changed. Writes that skip both (``bulk_create``,
``QuerySet.update`` elsewhere) must call it too, or run ``manage.py rebuild_purchase_summary``.
"""

import itertools
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import ExtractYear
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from enterprises.models import Category, Enterprise, Region, Sector

from .models import ContractSizeBracket, MemberOrganization, Purchase


def analyze(*models_to_analyze):
    """Refresh the planner's statistics after a full rebuild: without them SQLite reads a
    category's purchases through the status index instead of the category one."""
    with connection.cursor() as cursor:
        for model in models_to_analyze:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# The repertory's summary ----------------------------------------------------------------------


class PurchaseSummaryQuerySet(models.QuerySet):
    def rebuild(self, **slice_filters):
        """Recount published purchases into summary rows, for every slice or for the given one.

        `slice_filters` narrow both sides alike: `year`, `region`, `member_kind`.
        """
        published = Purchase.objects.published().order_by()
        if "year" in slice_filters:
            published = published.filter(award_date__year=slice_filters["year"])
        if "region" in slice_filters or "member_kind" in slice_filters:
            # Through the buyers' ids, so that the database walks purchase_dashboard_cover_idx.
            buyers = MemberOrganization.objects.all()
            if "region" in slice_filters:
                buyers = buyers.filter(region=slice_filters["region"])
            if "member_kind" in slice_filters:
                buyers = buyers.filter(kind=slice_filters["member_kind"])
            published = published.filter(organization__in=list(buyers.values_list("pk", flat=True)))
        dimensions = {
            "year": ExtractYear("award_date"),
            "region_id": F("organization__region"),
            "member_kind": F("organization__kind"),
            "bracket": F("contract_size_bracket"),
        }
        totals = {"purchase_count": Count("pk"), "total_amount": Sum("amount")}
        sectors = {"sector_id": F("enterprise__sectors")}
        with_sector = published.filter(enterprise__sectors__isnull=False)
        with_category = published.filter(category__isnull=False)
        with_both = with_sector.filter(category__isnull=False)
        groupings = (
            published.values(**dimensions),
            with_sector.values(**sectors, **dimensions),
            with_category.values("category", **dimensions),
            with_both.values("category", **sectors, **dimensions),
        )
        rows = [
            PurchaseSummary(
                year=row["year"],
                region_id=row["region_id"],
                member_kind=row["member_kind"],
                contract_size_bracket=row["bracket"],
                sector_id=row.get("sector_id"),
                category_id=row.get("category"),
                purchase_count=row["purchase_count"],
                total_amount=row["total_amount"],
            )
            for row in itertools.chain.from_iterable(
                grouping.annotate(**totals) for grouping in groupings
            )
        ]
        with transaction.atomic():
            self.filter(**slice_filters).delete()
            self.bulk_create(rows, batch_size=2000)
        if not slice_filters:
            analyze(Purchase, PurchaseSummary)


class PurchaseSummary(models.Model):
    """Published purchases counted and summed by year, buyer region and kind, bracket and sector.

    Each change recounts only its slice (one year, one region, one kind of buyer), a few
    thousand purchases. A row with no sector counts every purchase once; rows with a sector
    count a purchase under each sector of its enterprise. Rows with no category count every
    category; rows with a category count only its purchases, for the repertory filtered by
    category. Both kinds of rows share the slice, so one recount keeps them in step.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        Region, verbose_name=_("buyer's region"), on_delete=models.CASCADE, related_name="+"
    )
    member_kind = models.CharField(
        _("kind of buyer"), max_length=20, choices=MemberOrganization.Kind.choices
    )
    contract_size_bracket = models.CharField(
        _("contract size"), max_length=20, choices=ContractSizeBracket.choices
    )
    sector = models.ForeignKey(
        "enterprises.Sector", verbose_name=_("sector"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("product or service"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    purchase_count = models.PositiveIntegerField(_("number of purchases"))
    total_amount = models.DecimalField(_("total (CAD)"), max_digits=18, decimal_places=2)

    objects = PurchaseSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase summary")
        verbose_name_plural = _("purchase summaries")
        indexes = [
            # Recounting one slice on write: rebuild(year=…, region=…, member_kind=…).
            models.Index(fields=["year", "region", "member_kind"], name="summary_slice_idx"),
            # The repertory's rows for every category (category is null) or for the chosen ones:
            # its totals (sector is null) and its sector rows, filtered by sector.
            models.Index(fields=["category", "sector", "year"], name="summary_category_sector_idx"),
        ]

    def __str__(self):
        return f"{self.year} {self.region_id} {self.member_kind} {self.contract_size_bracket}"


# The dashboards' summary ----------------------------------------------------------------------

# Count("*"), not the key: PostgreSQL then answers from purchase_dashboard_cover_idx.
TOTALS = {"purchase_count": Count("*"), "total_amount": Sum("amount")}


class OrganizationSummaryQuerySet(models.QuerySet):
    def rebuild(self, organization=None, year=None, statuses_only=False):
        """Recount purchases into summary rows: all of them, or one organization's year.

        `statuses_only` recounts the status rows alone, for a change that touches no validated
        purchase (a draft saved, submitted or withdrawn). A slice is recounted under a lock on
        its organization's row, so that two writes to the same organization recount one after
        the other and the last one sees both.
        """
        purchases = Purchase.objects.order_by()
        slice_filters = {}
        if organization is not None:
            purchases = purchases.filter(organization=organization)
            slice_filters["organization"] = organization
        if year is not None:
            purchases = purchases.filter(award_date__year=year)
            slice_filters["year"] = year
        # One year's slice names its year rather than extract it row by row (on SQLite, a call
        # into Python for each purchase).
        year_of = Value(year) if year is not None else ExtractYear("award_date")
        validated = purchases.validated()
        with transaction.atomic():
            if organization is not None:
                list(MemberOrganization.objects.select_for_update().filter(pk=organization)
                     .values_list("pk"))
            rows = self.status_rows(purchases, year_of)
            if statuses_only:
                slice_filters["breakdown"] = OrganizationPurchaseSummary.Breakdown.STATUS
            else:
                rows += [
                    *self.month_rows(validated),
                    *self.sector_rows(validated, year_of),
                    *self.category_rows(validated, year_of),
                    *self.year_rows(validated, year_of),
                ]
            self.filter(**slice_filters).delete()
            self.bulk_create(rows, batch_size=2000)
        if not slice_filters:
            analyze(OrganizationPurchaseSummary)

    def status_rows(self, purchases, year_of):
        """Every purchase, validated or not, counted by status."""
        return [
            OrganizationPurchaseSummary(
                breakdown=OrganizationPurchaseSummary.Breakdown.STATUS,
                organization_id=row.pop("organization"), **row,
            )
            for row in purchases.values("organization", "status", year=year_of).annotate(**TOTALS)
        ]

    def month_rows(self, validated):
        """Month × contract size, folded here from the totals by award date."""
        months = defaultdict(lambda: [0, Decimal("0")])
        by_day = validated.values("organization", "award_date", "contract_size_bracket")
        for row in by_day.annotate(**TOTALS):
            day = row["award_date"]
            month = months[row["organization"], day.year, day.month, row["contract_size_bracket"]]
            month[0] += row["purchase_count"]
            month[1] += row["total_amount"]
        return [
            OrganizationPurchaseSummary(
                breakdown=OrganizationPurchaseSummary.Breakdown.MONTH,
                organization_id=organization_id, year=year, month=month,
                contract_size_bracket=bracket, purchase_count=count, total_amount=total,
            )
            for (organization_id, year, month, bracket), (count, total) in months.items()
        ]

    def sector_rows(self, validated, year_of):
        """A purchase counts under each sector of its enterprise (or none)."""
        by_sector = validated.values(
            "organization", year=year_of, sector_id=F("enterprise__sectors")
        )
        return [
            OrganizationPurchaseSummary(
                breakdown=OrganizationPurchaseSummary.Breakdown.SECTOR,
                organization_id=row.pop("organization"), **row,
            )
            for row in by_sector.annotate(**TOTALS)
        ]

    def category_rows(self, validated, year_of):
        by_category = validated.values("organization", "category", year=year_of)
        return [
            OrganizationPurchaseSummary(
                breakdown=OrganizationPurchaseSummary.Breakdown.CATEGORY,
                organization_id=row.pop("organization"), category_id=row.pop("category"), **row,
            )
            for row in by_category.annotate(**TOTALS)
        ]

    def year_rows(self, validated, year_of):
        """The year's totals, with its distinct enterprises: they cannot be added up from other
        rows, but a slice is always recounted whole, so the year's count is exact."""
        by_year = validated.values("organization", year=year_of).annotate(
            **TOTALS, enterprise_count=Count("enterprise", distinct=True)
        )
        return [
            OrganizationPurchaseSummary(
                breakdown=OrganizationPurchaseSummary.Breakdown.YEAR,
                organization_id=row.pop("organization"), **row,
            )
            for row in by_year
        ]


class OrganizationPurchaseSummary(models.Model):
    """One organization's validated purchases counted and summed by year, for its dashboard.

    Per organization and year it holds only the margins the dashboard shows: the year's totals,
    month × contract size, sector and category of the validated purchases, and the count of
    every purchase by status, about a hundred rows. `breakdown` says which margin a row belongs
    to, so that a null sector or category means "none", not "all".

    The number of distinct enterprises cannot be added up from other rows, so the year row
    carries it (`enterprise_count`). A table of (organization, year, enterprise) rows would be
    nearly as large as the validated purchases, since a member seldom buys twice from the same
    enterprise.
    """

    class Breakdown(models.TextChoices):
        YEAR = "year", _("Year")
        MONTH = "month", _("Month and contract size")
        SECTOR = "sector", _("Sector")
        CATEGORY = "category", _("Category")
        STATUS = "status", _("Status")

    organization = models.ForeignKey(
        MemberOrganization, verbose_name=_("member organization"), on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    breakdown = models.CharField(_("breakdown"), max_length=10, choices=Breakdown.choices)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    contract_size_bracket = models.CharField(
        _("contract size"), max_length=20, choices=ContractSizeBracket.choices, blank=True
    )
    sector = models.ForeignKey(
        "enterprises.Sector", verbose_name=_("sector"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("product or service"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Purchase.Status.choices, blank=True
    )
    purchase_count = models.PositiveIntegerField(_("number of purchases"))
    total_amount = models.DecimalField(_("total (CAD)"), max_digits=18, decimal_places=2)
    enterprise_count = models.PositiveIntegerField(
        _("number of distinct enterprises"), null=True, blank=True
    )

    objects = OrganizationSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization purchase summary")
        verbose_name_plural = _("organization purchase summaries")
        indexes = [
            # The dashboard reads, and a write recounts, one organization's year.
            models.Index(fields=["organization", "year"], name="org_summary_slice_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    breakdown="year", enterprise_count__isnull=False, month=None,
                    contract_size_bracket="", sector=None, category=None, status="",
                )
                | Q(
                    breakdown="status", enterprise_count=None, month=None,
                    contract_size_bracket="", sector=None, category=None,
                ) & ~Q(status="")
                | Q(enterprise_count=None, status="")
                & (Q(breakdown="month", month__isnull=False, sector=None, category=None)
                   | Q(breakdown="sector", month=None, contract_size_bracket="", category=None)
                   | Q(breakdown="category", month=None, contract_size_bracket="", sector=None)),
                name="org_summary_row_fits_its_breakdown",
            ),
        ]

    def __str__(self):
        return f"{self.organization_id} {self.year} {self.breakdown}"


# Recounting -----------------------------------------------------------------------------------


class Slices:
    """The slices a change touched: the repertory's, and the dashboards' with whether whole."""

    def __init__(self):
        self.published = set()
        self.organizations = defaultdict(bool)

    def add(self, purchases):
        """Every purchase counts in its organization's status rows; only a validated one in
        the rest of the dashboard's slice, which is recounted whole only then."""
        kinds = {}
        for purchase in purchases:
            if purchase.status == Purchase.Status.VALIDATED and purchase.consent_to_publish:
                if purchase.organization_id not in kinds:
                    kinds[purchase.organization_id] = MemberOrganization.objects.values_list(
                        "region", "kind").get(pk=purchase.organization_id)
                self.published.add((purchase.award_date.year, *kinds[purchase.organization_id]))
            self.organizations[purchase.organization_id, purchase.award_date.year] |= (
                purchase.status == Purchase.Status.VALIDATED
            )

    def add_whole(self, purchases):
        """Every slice the purchases of a queryset count in, whatever their status was."""
        slices = purchases.order_by().values_list(
            ExtractYear("award_date"), "organization__region", "organization__kind", "organization"
        ).distinct()
        for year, region, member_kind, organization in list(slices):
            self.published.add((year, region, member_kind))
            self.organizations[organization, year] = True

    def update(self, other):
        self.published |= other.published
        for key, whole in other.organizations.items():
            self.organizations[key] |= whole

    def recount(self):
        for year, region, member_kind in self.published:
            PurchaseSummary.objects.rebuild(year=year, region=region, member_kind=member_kind)
        for (organization, year), whole in self.organizations.items():
            OrganizationPurchaseSummary.objects.rebuild(
                organization=organization, year=year, statuses_only=not whole
            )


_deferred = ContextVar("deferred_recount", default=None)


def recount(purchases):
    """Recount the summary slices these purchases count in.

    ``purchases`` is a queryset, whose slices are recounted whole (after a bulk change of
    status, whatever the status was before), or purchase instances: for a saved purchase, the
    purchase as it is now and as it was loaded. Inside ``recount_once()`` the slices wait for
    the end of the block.
    """
    slices = Slices()
    if isinstance(purchases, models.QuerySet):
        slices.add_whole(purchases)
    else:
        slices.add(purchase for purchase in purchases if purchase is not None)
    pending = _deferred.get()
    if pending is not None:
        pending.update(slices)
    else:
        slices.recount()


@contextmanager
def recount_once():
    """Within the block, recounts wait for its end and run once per slice: for bulk entry,
    where a thousand drafts of one organization would otherwise recount its slice each."""
    if _deferred.get() is not None:
        yield
        return
    pending = Slices()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
        pending.recount()


def rebuild_all():
    """Recount both summaries from scratch, after a bulk load or a change of thresholds."""
    PurchaseSummary.objects.rebuild()
    OrganizationPurchaseSummary.objects.rebuild()


# The signals that call recount(): a purchase's slice is remembered as it was loaded, so that a
# change that moves it (another year, another status) recounts the slice it leaves too.

PURCHASE_SLICE_FIELDS = ("status", "consent_to_publish", "award_date", "organization_id")
ORGANIZATION_SLICE_FIELDS = ("region_id", "kind")


def loaded_values(instance, fields):
    """The fields' values as loaded, or None when one was deferred (reading it would query)."""
    if any(name not in instance.__dict__ for name in fields):
        return None
    return tuple(instance.__dict__[name] for name in fields)


def as_loaded(purchase):
    """The purchase as it was in the database, with only its slice fields, or None if new."""
    if purchase._loaded_slice is None:
        return None
    return Purchase(**dict(zip(PURCHASE_SLICE_FIELDS, purchase._loaded_slice, strict=True)))


@receiver(post_init, sender=Purchase)
def remember_purchase_slice(sender, instance, **kwargs):
    instance._loaded_slice = loaded_values(instance, PURCHASE_SLICE_FIELDS)


@receiver(pre_delete, sender=Purchase)
@receiver(pre_save, sender=Purchase)
def fetch_deferred_purchase_slice(sender, instance, raw=False, **kwargs):
    """A purchase loaded with its slice deferred reads it from the database before it changes."""
    if instance._loaded_slice is None and not raw and not instance._state.adding:
        instance._loaded_slice = (
            Purchase.objects.filter(pk=instance.pk).values_list(*PURCHASE_SLICE_FIELDS).first()
        )


@receiver(post_save, sender=Purchase)
def recount_saved_purchase(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata restores the summary rows as they were dumped
        return
    recount([instance, None if created else as_loaded(instance)])
    remember_purchase_slice(sender, instance)


@receiver(post_delete, sender=Purchase)
def recount_deleted_purchase(sender, instance, **kwargs):
    recount([as_loaded(instance)])


@receiver(post_init, sender=MemberOrganization)
def remember_organization_slice(sender, instance, **kwargs):
    instance._loaded_slice = loaded_values(instance, ORGANIZATION_SLICE_FIELDS)


@receiver(pre_save, sender=MemberOrganization)
def fetch_deferred_organization_slice(sender, instance, raw=False, **kwargs):
    """An organization loaded with its region or kind deferred reads them before they change."""
    if instance._loaded_slice is None and not raw and not instance._state.adding:
        instance._loaded_slice = (
            MemberOrganization.objects.filter(pk=instance.pk)
            .values_list(*ORGANIZATION_SLICE_FIELDS).first()
        )


@receiver(post_save, sender=MemberOrganization)
def recount_moved_organization(sender, instance, created, raw=False, **kwargs):
    """A buyer that changes region or kind moves its purchases between the repertory's slices."""
    if raw:
        return
    before = instance._loaded_slice
    if not created and before is not None and before != (instance.region_id, instance.kind):
        PurchaseSummary.objects.rebuild(region=before[0], member_kind=before[1])
        PurchaseSummary.objects.rebuild(region=instance.region_id, member_kind=instance.kind)
    remember_organization_slice(sender, instance)


@receiver(m2m_changed, sender=Enterprise.sectors.through)
def recount_enterprise_sectors(sender, instance, action, reverse, pk_set, **kwargs):
    """An enterprise's sectors decide under which sectors its purchases count."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse and not pk_set:
        rebuild_all()
        return
    enterprises = pk_set if reverse else [instance.pk]
    recount(Purchase.objects.validated().filter(enterprise__in=enterprises))


@receiver(pre_delete, sender=Sector)
def remember_sector_slices(sender, instance, **kwargs):
    """Deleting a sector drops its enterprises' links without an m2m signal: note the dashboard
    slices whose purchases may fall back to "no sector", to recount them once it is gone.

    The repertory's summary needs nothing: its rows for the sector go with it (cascade), and
    its rows without a sector count every purchase, whatever its sectors.
    """
    instance._organization_slices = list(
        Purchase.objects.validated().filter(enterprise__sectors=instance).order_by()
        .values_list("organization", ExtractYear("award_date")).distinct()
    )


@receiver(post_delete, sender=Sector)
def recount_deleted_sector(sender, instance, **kwargs):
    for organization, year in getattr(instance, "_organization_slices", []):
        OrganizationPurchaseSummary.objects.rebuild(organization=organization, year=year)
