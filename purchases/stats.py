"""Aggregates for the member dashboard and the public repertory of purchases.

Both read summary tables kept up to date on write (see `purchases.summaries`):

- The member dashboard reads `OrganizationPurchaseSummary`: per organization and year, only the
  margins it shows (the year's totals and distinct enterprises, month × contract size, sector,
  category), a hundred-odd rows, instead of aggregating the member's purchases on each request.
- The public repertory spans every member's purchases, so it reads `PurchaseSummary`: a few
  thousand summary rows whatever the number of purchases, filtered by category too.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Q, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from enterprises.models import Category, Sector

from .models import (
    ContractSizeBracket,
    OrganizationPurchaseSummary,
    Purchase,
    PurchaseSummary,
)

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
    """What a member organization has bought: this year against last year and its target.

    Every figure comes from `OrganizationPurchaseSummary`, in one query for a hundred-odd rows.
    """

    def __init__(self, organization, today=None):
        self.organization = organization
        self.year = (today or timezone.localdate()).year
        self.last_year = self.year - 1

    @cached_property
    def _rows(self):
        """This year's summary rows, last year's totals, every year's statuses, labels joined in."""
        breakdown = OrganizationPurchaseSummary.Breakdown
        return list(
            OrganizationPurchaseSummary.objects.filter(organization=self.organization)
            .filter(Q(year=self.year) | Q(year=self.last_year, breakdown=breakdown.YEAR)
                    | Q(breakdown=breakdown.STATUS))
            .values(
                "year", "breakdown", "month", "contract_size_bracket", "status",
                "purchase_count", "total_amount", "enterprise_count", "sector__name",
                "sector__name_en", "category__name", "category__name_en",
            )
        )

    def _margin(self, breakdown, year=None):
        year = year or self.year
        return [row for row in self._rows
                if row["breakdown"] == breakdown and row["year"] == year]

    def _month_rows(self):
        return self._margin(OrganizationPurchaseSummary.Breakdown.MONTH)

    def _year_row(self, year):
        """The year's totals; a year without validated purchases has no row."""
        rows = self._margin(OrganizationPurchaseSummary.Breakdown.YEAR, year)
        return rows[0] if rows else {"purchase_count": 0, "total_amount": ZERO,
                                     "enterprise_count": 0}

    @cached_property
    def totals(self):
        """The headline figures of both years."""
        this_year, last_year = self._year_row(self.year), self._year_row(self.last_year)
        return {
            "total": this_year["total_amount"],
            "count": this_year["purchase_count"],
            "enterprises": this_year["enterprise_count"],
            "last_year_total": last_year["total_amount"],
            "last_year_count": last_year["purchase_count"],
        }

    @property
    def target(self):
        return self.organization.yearly_target

    @property
    def progress_percent(self):
        """Share of the yearly target reached, or None when no target is set."""
        if not self.target:
            return None
        return (self.totals["total"] * 100 / self.target).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )

    @property
    def progress_bar(self):
        """How much of the bar to fill: a target passed fills it, the figure says by how much."""
        percent = self.progress_percent
        return None if percent is None else min(Decimal("100"), percent)

    @cached_property
    def status_counts(self):
        """Every purchase of the organization by status, whatever its year."""
        counts = defaultdict(int)
        for row in self._rows:
            if row["breakdown"] == OrganizationPurchaseSummary.Breakdown.STATUS:
                counts[row["status"]] += row["purchase_count"]
        return [
            Line(label, counts.get(value, 0), key=value)
            for value, label in Purchase.Status.choices
        ]

    def _lines(self, breakdown, label_of):
        rows = self._margin(breakdown)
        lines = [Line(label_of(row), row["purchase_count"], row["total_amount"]) for row in rows]
        return sorted(lines, key=lambda line: (-line.total, str(line.label)))

    @cached_property
    def by_sector(self):
        """A purchase from an enterprise in several sectors counts under each of them."""
        return self._lines(
            OrganizationPurchaseSummary.Breakdown.SECTOR,
            lambda row: localized(row["sector__name"], row["sector__name_en"])
            or _("No sector (supplier outside the directory or unclassified)"),
        )

    @cached_property
    def by_category(self):
        return self._lines(
            OrganizationPurchaseSummary.Breakdown.CATEGORY,
            lambda row: localized(row["category__name"], row["category__name_en"])
            or _("No category"),
        )

    @cached_property
    def by_bracket(self):
        figures = defaultdict(lambda: [0, ZERO])
        for row in self._month_rows():
            figures[row["contract_size_bracket"]][0] += row["purchase_count"]
            figures[row["contract_size_bracket"]][1] += row["total_amount"]
        return bracket_lines(figures)

    @cached_property
    def by_month(self):
        figures = defaultdict(lambda: [0, ZERO])
        for row in self._month_rows():
            figures[row["month"]][0] += row["purchase_count"]
            figures[row["month"]][1] += row["total_amount"]
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
