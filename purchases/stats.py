"""Aggregates for the member dashboard and the public repertory of purchases.

Two strategies, each where it pays:

- The member dashboard aggregates the organization's purchases on every request, through the
  covering index `purchase_dashboard_cover_idx`: its aggregates read the index alone, never the
  table. The largest member's year is some seven thousand purchases, and a validation shows at
  once with nothing to keep in step (a per-organization monthly summary would hold about one row
  for every two purchases, its categories and brackets being that many).
- The public repertory spans every member's purchases (a million rows in the benchmark), so it
  reads the `PurchaseSummary` table kept up to date on write: a few thousand summary rows,
  whatever the number of purchases, filtered by category too.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from enterprises.models import Category, Sector

from .models import ContractSizeBracket, Purchase, PurchaseSummary

ZERO = Decimal("0")


@dataclass
class Line:
    """One row of a breakdown: what it counts, how many purchases, for how much."""

    label: str
    count: int = 0
    total: Decimal = ZERO
    key: object = None


@dataclass
class SectorRow:
    label: str
    cells: list = field(default_factory=list)  # one Line per contract-size bracket

    @property
    def count(self):
        return sum(cell.count for cell in self.cells)

    @property
    def total(self):
        return sum((cell.total for cell in self.cells), ZERO)


def chart(lines, label, chart_type="bar"):
    """The data a chart is drawn from, for `json_script`; the page shows the same as a table."""
    return {
        "type": chart_type,
        "labels": [str(line.label) for line in lines],
        "datasets": [{"label": str(label), "data": [float(line.total) for line in lines]}],
    }


def localized(name, name_en):
    return name_en if translation.get_language() == "en" and name_en else name


def bracket_lines(totals_by_bracket):
    return [
        Line(label, *totals_by_bracket.get(value, (0, ZERO)), key=value)
        for value, label in ContractSizeBracket.choices
    ]


class OrganizationDashboard:
    """What a member organization has bought: this year against last year and its target."""

    def __init__(self, organization, today=None):
        self.organization = organization
        self.year = (today or timezone.localdate()).year
        self.last_year = self.year - 1
        self.validated = Purchase.objects.for_organization(organization).validated().order_by()
        self.this_year = self.validated.filter(award_date__year=self.year)

    @cached_property
    def totals(self):
        """One query for the headline figures of both years.

        Purchases are counted by their award date, never null: it is in the covering index,
        where the primary key is not, so the database reads the index alone.
        """
        this_year = Q(award_date__year=self.year)
        last_year = Q(award_date__year=self.last_year)
        figures = self.validated.filter(this_year | last_year).aggregate(
            total=Sum("amount", filter=this_year),
            count=Count("award_date", filter=this_year),
            enterprises=Count("enterprise", filter=this_year, distinct=True),
            last_year_total=Sum("amount", filter=last_year),
            last_year_count=Count("award_date", filter=last_year),
        )
        figures["total"] = figures["total"] or ZERO
        figures["last_year_total"] = figures["last_year_total"] or ZERO
        return figures

    @property
    def target(self):
        return self.organization.yearly_target

    @property
    def progress_percent(self):
        """Share of the yearly target reached, or None when no target is set."""
        if not self.target:
            return None
        return min(Decimal("100"), self.totals["total"] * 100 / self.target).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )

    @cached_property
    def status_counts(self):
        counts = dict(
            Purchase.objects.for_organization(self.organization)
            .order_by()
            .values_list("status")
            .annotate(count=Count("*"))
        )
        return [
            Line(label, counts.get(value, 0), key=value)
            for value, label in Purchase.Status.choices
        ]

    def _lines(self, queryset, label_of):
        rows = queryset.annotate(count=Count("*"), total=Sum("amount")).order_by("-total")
        return [Line(label_of(row), row["count"], row["total"]) for row in rows]

    @cached_property
    def by_sector(self):
        """A purchase from an enterprise in several sectors counts under each of them."""
        return self._lines(
            self.this_year.values("enterprise__sectors__name", "enterprise__sectors__name_en"),
            lambda row: localized(
                row["enterprise__sectors__name"], row["enterprise__sectors__name_en"]
            )
            or _("No sector (supplier outside the directory or unclassified)"),
        )

    @cached_property
    def by_category(self):
        return self._lines(
            self.this_year.values("category__name", "category__name_en"),
            lambda row: localized(row["category__name"], row["category__name_en"])
            or _("No category"),
        )

    @cached_property
    def by_bracket(self):
        rows = self.this_year.values_list("contract_size_bracket").annotate(
            count=Count("*"), total=Sum("amount")
        )
        return bracket_lines({bracket: (count, total) for bracket, count, total in rows})

    @cached_property
    def by_month(self):
        rows = (
            self.this_year.annotate(month=ExtractMonth("award_date"))
            .values_list("month")
            .annotate(count=Count("*"), total=Sum("amount"))
        )
        figures = {month: (count, total) for month, count, total in rows}
        return [
            Line(
                formats.date_format(datetime.date(self.year, month, 1), "F"),
                *figures.get(month, (0, ZERO)),
                key=month,
            )
            for month in range(1, 13)
        ]

    def charts(self):
        return {
            "month": chart(self.by_month, _("Spend by month"), "line"),
            "sector": chart(self.by_sector, _("Spend by sector")),
            "category": chart(self.by_category, _("Spend by category")),
            "bracket": chart(self.by_bracket, _("Spend by contract size")),
        }


class RepertoryStatistics:
    """Counts and values of the published purchases, for any combination of the filters."""

    def __init__(self, sector=None, category=None, bracket=None, year=None, region=None,
                 member_kind=None):
        self.sector = sector
        self.category = category
        self.bracket = bracket
        self.year = year
        self.region = region
        self.member_kind = member_kind

    def purchases(self):
        """The published purchases these statistics count."""
        purchases = Purchase.objects.published()
        if self.category is not None:
            # A literal list of ids, so that the database picks purchase_category_cover_idx.
            categories = Category.objects.with_descendants([self.category])
            purchases = purchases.filter(
                category__in=list(categories.values_list("pk", flat=True))
            )
        if self.sector is not None:
            purchases = purchases.filter(enterprise__sectors=self.sector)
        if self.bracket:
            purchases = purchases.filter(contract_size_bracket=self.bracket)
        if self.year:
            purchases = purchases.filter(award_date__year=self.year)
        if self.region is not None:
            purchases = purchases.filter(organization__region=self.region)
        if self.member_kind:
            purchases = purchases.filter(organization__kind=self.member_kind)
        return purchases

    def _summary(self):
        if self.category is None:
            rows = PurchaseSummary.objects.filter(category=None)
        else:
            categories = Category.objects.with_descendants([self.category])
            rows = PurchaseSummary.objects.filter(
                category__in=list(categories.values_list("pk", flat=True))
            )
        if self.bracket:
            rows = rows.filter(contract_size_bracket=self.bracket)
        if self.year:
            rows = rows.filter(year=self.year)
        if self.region is not None:
            rows = rows.filter(region=self.region)
        if self.member_kind:
            rows = rows.filter(member_kind=self.member_kind)
        return rows

    def _once_by_year_and_bracket(self):
        """(year, bracket, count, total), each purchase counted once."""
        rows = self._summary()
        rows = rows.filter(sector=self.sector) if self.sector else rows.filter(sector=None)
        return rows.values_list("year", "contract_size_bracket").annotate(
            Sum("purchase_count"), Sum("total_amount")
        ).order_by()

    def _by_sector_and_bracket(self):
        """(sector id, bracket, count, total), a purchase counted under each of its sectors."""
        rows = self._summary().exclude(sector=None)
        if self.sector:
            rows = rows.filter(sector=self.sector)
        return rows.values_list("sector", "contract_size_bracket").annotate(
            Sum("purchase_count"), Sum("total_amount")
        ).order_by()

    @cached_property
    def _once(self):
        return [(year, bracket, count, total or ZERO)
                for year, bracket, count, total in self._once_by_year_and_bracket()]

    @cached_property
    def total(self):
        return Line(_("All published purchases"), sum(row[2] for row in self._once),
                    sum((row[3] for row in self._once), ZERO))

    @cached_property
    def by_bracket(self):
        figures = defaultdict(lambda: [0, ZERO])
        for _year, bracket, count, total in self._once:
            figures[bracket][0] += count
            figures[bracket][1] += total
        return bracket_lines(figures)

    @cached_property
    def by_year(self):
        figures = defaultdict(lambda: [0, ZERO])
        for year, _bracket, count, total in self._once:
            figures[year][0] += count
            figures[year][1] += total
        return [Line(str(year), *figures[year], key=year) for year in sorted(figures)]

    @cached_property
    def by_sector(self):
        """The sector × contract-size table, largest sectors first."""
        cells = defaultdict(dict)
        for sector_id, bracket, count, total in self._by_sector_and_bracket():
            cells[sector_id][bracket] = (count, total or ZERO)
        sectors = Sector.objects.in_bulk(list(cells))
        rows = [
            SectorRow(sectors[sector_id].localized_name, bracket_lines(cells[sector_id]))
            for sector_id in cells
        ]
        return sorted(rows, key=lambda row: (-row.total, row.label))

    def charts(self):
        return {
            "bracket": chart(self.by_bracket, _("Value by contract size")),
            "sector": chart(self.by_sector, _("Value by sector")),
            "year": chart(self.by_year, _("Value by year"), "line"),
        }
