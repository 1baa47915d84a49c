"""The columns of the members' purchase template, in one place: their headers in French and in
English, how a cell is read, how to write it. The upload, the CSV and Excel templates and the
template's legend all come from here, so what the legend promises is what the upload accepts.

A cell may hold a code (`direct`, `06`, `1`), or a label in either language (`Contrat de gré à
gré`, `Direct award`, `Montréal`, `oui`). Amounts and percentages are read in the file's
language, which its headers declare (see `file_language`).
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.formatting import sorted_by_language
from enterprises.models import Category, Enterprise, Region
from enterprises.validators import fold, normalize_neq

from .models import Purchase
from .money import example as amount_example
from .money import parse_amount

# Words people write for yes and no, in both languages, folded (accents and case aside).
YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0", ""}
# Short names people give the procurement methods besides their labels.
METHOD_ALIASES = {
    "gre a gre": Purchase.ProcurementMethod.DIRECT,
    "contrat de gre a gre": Purchase.ProcurementMethod.DIRECT,
    "sur invitation": Purchase.ProcurementMethod.INVITATION,
    "invitation": Purchase.ProcurementMethod.INVITATION,
    "appel d'offres public": Purchase.ProcurementMethod.PUBLIC_TENDER,
}
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
SAMPLE_DATE = date(2026, 6, 14)


def quoted(text):
    """Text between the quotation marks of the active language."""
    return _("“%(text)s”") % {"text": text}


def in_language(language, text):
    with translation.override(language):
        return str(text)


@dataclass
class Lookups:
    """What the readers look cells up in, loaded once per file (never once per row)."""

    language: str
    enterprises: dict = field(default_factory=dict)  # NEQ → published enterprise

    def __post_init__(self):
        self.categories = labelled(Category.objects.all(), "slug")
        self.regions = labelled(Region.objects.all(), "code")
        self.methods = {fold(code): code for code in Purchase.ProcurementMethod.values}
        for code, label in Purchase.ProcurementMethod.choices:
            for language in ("fr", "en"):
                self.methods[fold(in_language(language, label))] = code
        self.methods.update(METHOD_ALIASES)

    def load_enterprises(self, neqs):
        valid = set()
        for neq in neqs:
            try:
                valid.add(normalize_neq(neq))
            except ValidationError:
                continue
        self.enterprises = {
            enterprise.neq: enterprise
            for enterprise in Enterprise.objects.published().filter(neq__in=valid - {""})
        }


def labelled(queryset, code_field):
    """Rows of a reference list by their folded code, French name and English name; a name two
    rows share finds neither (the legend's code does)."""
    found, shared = {}, set()
    for item in queryset:
        found[fold(getattr(item, code_field))] = item
        for name in {fold(item.name), fold(item.name_en)} - {""}:
            if name in found and found[name] is not item:
                shared.add(name)
            found[name] = item
    for name in shared:
        del found[name]
    return found


def read_text(text, lookups):
    return text.strip()


def read_neq(text, lookups):
    neq = normalize_neq(text)
    if not neq:
        return None
    enterprise = lookups.enterprises.get(neq)
    if enterprise is None:
        raise ValidationError(_(
            "No published enterprise of the directory has this NEQ: check it, or leave the cell "
            "empty and write the supplier's name in its column."
        ))
    return enterprise


def read_choice(found, hint):
    def read(text, lookups):
        value = text.strip()
        if not value:
            return None
        item = getattr(lookups, found).get(fold(value))
        if item is None and found == "regions":
            # The drop-down's own label, "06 – Montréal", or a code without its zero.
            digits = re.match(r"^(\d{1,2})\b", value)
            item = digits and lookups.regions.get(digits.group(1).zfill(2))
        if item is None:
            raise ValidationError(hint())
        return item
    return read


def read_method(text, lookups):
    method = lookups.methods.get(fold(text))
    if method is None:
        raise ValidationError(_("Write one of: %(choices)s.") % {
            "choices": ", ".join(quoted(label) for label in method_labels(lookups.language))
        })
    return method


def read_amount(text, lookups):
    return parse_amount(text, lookups.language)


def read_percent(text, lookups):
    value = text.strip().rstrip("%").strip()
    if not value:
        return None
    percent = parse_amount(value, lookups.language)
    if percent > 100:
        raise ValidationError(_("A percentage is between 0 and 100."))
    return percent


def read_date(text, lookups, required=False):
    value = text.strip()
    if not value:
        if required:
            raise ValidationError(_("This date is required."))
        return None
    iso = ISO_DATE.match(value)
    if iso:
        try:
            return date(*map(int, iso.groups()))
        except ValueError:
            pass
    suggestion = ""
    day_first = DAY_FIRST.match(value)
    if day_first:
        day, month, year = map(int, day_first.groups())
        # Day first is how French writes dates; in English, only a day over 12 tells.
        if day > 12 or lookups.language == "fr":
            try:
                suggestion = date(year, month, day).isoformat()
            except ValueError:
                suggestion = ""
    if suggestion:
        raise ValidationError(_("Write the date as year-month-day: %(date)s.")
                              % {"date": suggestion})
    raise ValidationError(_("Write the date as year-month-day, like %(date)s.")
                          % {"date": SAMPLE_DATE.isoformat()})


def read_award_date(text, lookups):
    return read_date(text, lookups, required=True)


def read_yes_no(text, lookups):
    value = fold(text)
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValidationError(_("Write %(yes)s or %(no)s.") % {
        "yes": quoted(in_language(lookups.language, gettext_lazy("yes"))),
        "no": quoted(in_language(lookups.language, gettext_lazy("no"))),
    })


def method_labels(language):
    return [in_language(language, label) for label in Purchase.ProcurementMethod.labels]


def category_labels(language):
    with translation.override(language):
        return sorted_by_language({category.localized_name for category in Category.objects.all()})


def region_labels(language):
    with translation.override(language):
        return [f"{region.code} – {region.localized_name}" for region in Region.objects.all()]


def yes_no_labels(language):
    return [in_language(language, gettext_lazy("yes")), in_language(language, gettext_lazy("no"))]


@dataclass(frozen=True)
class Column:
    key: str  # the code header, which the first templates used; the model's attribute
    attribute: str
    header: object  # lazy: evaluated in French and in English
    hint: object  # lazy: how to write the cell, in the reader's language
    read: object
    required: bool = False
    labels: object = None  # language → the drop-down's values, for a coded column
    sample: object = None  # language → the sample row's cell

    def headers(self):
        return {fold(self.key), fold(in_language("fr", self.header)),
                fold(in_language("en", self.header))}


def sample_amount(language):
    return amount_example(language)


def sample_category(language):
    category = Category.objects.filter(slug="traiteur").first() or Category.objects.first()
    with translation.override(language):
        return category.localized_name if category else ""


COLUMNS = [
    Column(
        "supplier_neq", "enterprise", gettext_lazy("Supplier's NEQ"),
        gettext_lazy("The supplier's Quebec enterprise number, 10 digits, if it is in the "
                     "directory; otherwise leave it empty and write its name."),
        read_neq, sample=lambda language: "1140000000",
    ),
    Column(
        "supplier_name", "supplier_name", gettext_lazy("Supplier's name"),
        gettext_lazy("Required when the NEQ is empty: the supplier's name, which staff will "
                     "link to the directory."),
        read_text, sample=lambda language: "",
    ),
    Column(
        "category", "category", gettext_lazy("Product or service"),
        gettext_lazy("A category from the list (its name in French or English, or its code)."),
        read_choice("categories", lambda: _(
            "This is not a category of the list: choose one from the drop-down list or the "
            "legend."
        )),
        labels=category_labels, sample=sample_category,
    ),
    Column(
        "description", "description", gettext_lazy("Description"),
        gettext_lazy("What was bought, in a sentence (optional)."), read_text,
        sample=lambda language: in_language(
            language, gettext_lazy("Catering for the annual general meeting")
        ),
    ),
    Column(
        "amount", "amount", gettext_lazy("Amount before taxes ($)"),
        gettext_lazy("In Canadian dollars, before taxes, like 12 500,50 in a French file or "
                     "12,500.50 in an English one."),
        read_amount, required=True, sample=sample_amount,
    ),
    Column(
        "award_date", "award_date", gettext_lazy("Award date"),
        gettext_lazy("Year-month-day, like 2026-06-14; not in the future."),
        read_award_date, required=True, sample=lambda language: SAMPLE_DATE.isoformat(),
    ),
    Column(
        "contract_start", "contract_start", gettext_lazy("Contract start"),
        gettext_lazy("Year-month-day (optional)."), read_date,
        sample=lambda language: "2026-07-01",
    ),
    Column(
        "contract_end", "contract_end", gettext_lazy("Contract end"),
        gettext_lazy("Year-month-day, not before the start (optional)."), read_date,
        sample=lambda language: "2026-07-01",
    ),
    Column(
        "procurement_method", "procurement_method", gettext_lazy("Procurement method"),
        gettext_lazy("One of the list: direct award (gré à gré), invitation to tender, public "
                     "tender."),
        read_method, required=True, labels=method_labels,
        sample=lambda language: method_labels(language)[0],
    ),
    Column(
        "preferential_margin_percent", "preferential_margin_percent",
        gettext_lazy("Preferential margin applied (%)"),
        gettext_lazy("A percentage from 0 to 100, if a margin was granted (optional)."),
        read_percent, sample=lambda language: "",
    ),
    Column(
        "delivery_region", "delivery_region", gettext_lazy("Region of delivery"),
        gettext_lazy("One of Quebec's 17 regions, by name or code (06 for Montréal)."),
        read_choice("regions", lambda: _(
            "This is not a region of Quebec: write its two-digit code (06 for Montréal) or "
            "its name as in the drop-down list."
        )),
        labels=region_labels,
        sample=lambda language: next(iter(region_labels(language)), ""),
    ),
    Column(
        "consent_to_publish", "consent_to_publish", gettext_lazy("May be published"),
        gettext_lazy("Yes if the purchase may appear in the public repertory; no otherwise."),
        read_yes_no, labels=yes_no_labels, sample=lambda language: yes_no_labels(language)[0],
    ),
]
COLUMNS_BY_ATTRIBUTE = {column.attribute: column for column in COLUMNS}


def match_headers(headers):
    """Each header's column (None for a header the template does not have)."""
    return [
        next((column for column in COLUMNS if fold(header) in column.headers()), None)
        for header in headers
    ]


def file_language(headers, default):
    """The language the headers are written in: their amounts and labels are read in it. Code
    headers (`amount`) say nothing, and leave the page's language."""
    votes = {"fr": 0, "en": 0}
    for header in headers:
        for language in votes:
            names = {fold(in_language(language, column.header)) for column in COLUMNS}
            others = {fold(in_language(other, column.header))
                      for column in COLUMNS for other in votes if other != language}
            if fold(header) in names - others:
                votes[language] += 1
    if votes["fr"] != votes["en"]:
        return max(votes, key=votes.get)
    return default


def template_headers(language):
    return [in_language(language, column.header) for column in COLUMNS]


def sample_row(language):
    return [column.sample(language) if column.sample else "" for column in COLUMNS]
