"""Stage 2: which column feeds which field, and how a network's words map onto our lists.

Headers are recognized through aliases (French and English, any accents, case or punctuation);
a network's ``ImportProfile`` overrides them and adds value maps for its own vocabulary.
"""

import functools
import re

from django.utils.translation import gettext_lazy as _

from ..models import Category, Enterprise, Label, Region, Sector
from ..validators import fold

SCALAR_FIELDS = [
    "name", "neq", "legal_form", "description_fr", "description_en", "region", "address",
    "city", "postal_code", "phone", "email", "website", "employee_band", "year_founded",
]
MULTI_FIELDS = ["sectors", "categories", "labels", "service_area"]
FIELDS = SCALAR_FIELDS + MULTI_FIELDS
RECORD_ID = "record_id"

ALIASES = {
    RECORD_ID: [
        "record id", "external id", "identifiant", "id", "no", "no membre", "numero de membre",
        "code membre", "no de dossier", "slug",
    ],
    "name": [
        "nom", "nom de l entreprise", "nom de l organisation", "nom de l organisme",
        "raison sociale", "denomination", "entreprise", "organisme", "organisation",
        "enterprise name", "company name", "company", "organization",
    ],
    "neq": ["numero d entreprise du quebec", "no neq", "numero neq", "quebec enterprise number"],
    "legal_form": [
        "forme juridique", "statut juridique", "type d entreprise", "type d organisation",
        "forme", "legal form", "legal status",
    ],
    "description_fr": [
        "description", "mission", "presentation", "description francais",
        "description en francais", "description in french",
    ],
    "description_en": [
        "description anglais", "description en anglais", "english description",
        "description in english",
    ],
    "region": [
        "region administrative", "code region", "no region", "administrative region",
    ],
    "address": ["adresse", "adresse civique", "adresse postale", "rue", "street address"],
    "city": ["ville", "municipalite", "localite", "municipality"],
    "postal_code": ["code postal", "cp", "zip"],
    "phone": [
        "telephone", "tel", "no de telephone", "numero de telephone", "telephone principal",
    ],
    "email": ["courriel", "adresse courriel", "courrier electronique", "e mail", "mail"],
    "website": ["site web", "site internet", "site", "web", "url", "adresse web"],
    "sectors": [
        "secteur", "secteurs", "secteur d activite", "secteurs d activite", "sector",
        "industry",
    ],
    "categories": [
        "produits et services", "produits services", "produits", "services", "categories",
        "categorie", "codes unspsc", "code unspsc", "unspsc", "products and services",
    ],
    "labels": ["certifications", "accreditations", "reconnaissances", "label"],
    "service_area": [
        "territoire desservi", "territoires desservis", "regions desservies",
        "regions served", "service area",
    ],
    "employee_band": [
        "nombre d employes", "nb employes", "employes", "taille", "number of employees",
        "employees",
    ],
    "year_founded": [
        "annee de fondation", "fondation", "fondee en", "annee", "year founded", "founded",
    ],
}

LEGAL_FORM_WORDS = {
    "coop": Enterprise.LegalForm.COOPERATIVE,
    "cooperative": Enterprise.LegalForm.COOPERATIVE,
    "cooperative de consommateurs": Enterprise.LegalForm.COOPERATIVE,
    "cooperative de producteurs": Enterprise.LegalForm.COOPERATIVE,
    "coop de solidarite": Enterprise.LegalForm.SOLIDARITY_COOPERATIVE,
    "cooperative de solidarite": Enterprise.LegalForm.SOLIDARITY_COOPERATIVE,
    "coop de travail": Enterprise.LegalForm.WORKER_COOPERATIVE,
    "cooperative de travail": Enterprise.LegalForm.WORKER_COOPERATIVE,
    "cooperative de travailleurs": Enterprise.LegalForm.WORKER_COOPERATIVE,
    "cooperative de travailleurs actionnaire": Enterprise.LegalForm.WORKER_COOPERATIVE,
    "obnl": Enterprise.LegalForm.NON_PROFIT,
    "osbl": Enterprise.LegalForm.NON_PROFIT,
    "onbl": Enterprise.LegalForm.NON_PROFIT,
    "organisme a but non lucratif": Enterprise.LegalForm.NON_PROFIT,
    "organisme sans but lucratif": Enterprise.LegalForm.NON_PROFIT,
    "non profit": Enterprise.LegalForm.NON_PROFIT,
    "mutuelle": Enterprise.LegalForm.MUTUAL,
    "autre": Enterprise.LegalForm.OTHER,
}

SEPARATORS = re.compile(r"\s*([,;|\n])\s*")
SPLIT_SEPARATORS = re.compile(r"[,;\n]")
UNSPSC = re.compile(r"^\d{8}$")


@functools.lru_cache(maxsize=100_000)
def header_key(text):
    """Compare headers and vocabulary without accents, case, punctuation or extra spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).replace("_", " ").split())


def build_alias_index():
    index = {}
    for field in FIELDS:
        index.setdefault(header_key(field), field)
    for field, aliases in ALIASES.items():
        for alias in aliases:
            index.setdefault(header_key(alias), field)
    return index


ALIAS_INDEX = build_alias_index()


def suggest_column_map(headers, profile_map=None):
    """Header → field for every header we recognize; the profile's choices come first.

    Each field is fed by one column only: the first header that claims it wins. A profile
    may map a header to anything else (such as "-") to ignore it.
    """
    explicit = {header_key(header): field for header, field in (profile_map or {}).items()}
    column_map, taken = {}, set()
    for header in headers:
        key = header_key(header)
        field = explicit[key] if key in explicit else ALIAS_INDEX.get(key)
        if field and field not in taken and (field in FIELDS or field == RECORD_ID):
            column_map[header] = field
            taken.add(field)
    return column_map


def looks_like_header(values, profile_map=None):
    """A row is the header when at least two of its cells name known fields."""
    return len(suggest_column_map([v for v in values if v.strip()], profile_map)) >= 2


class ColumnMapping:
    """Turns a row (list of cells) into {field: raw text} using the resolved column map."""

    def __init__(self, headers, profile):
        profile_map = dict(profile.column_map) if profile else {}
        if profile and profile.record_id_column:
            profile_map[profile.record_id_column] = RECORD_ID
        self.headers = headers
        self.column_map = suggest_column_map(headers, profile_map)
        self.positions = [
            (position, self.column_map[header])
            for position, header in enumerate(headers)
            if header in self.column_map
        ]
        self.ignored = [h for h in headers if h not in self.column_map and h.strip()]
        self.record_id_position = next(
            (position for position, field in self.positions if field == RECORD_ID), None
        )

    @property
    def has_name(self):
        return "name" in self.column_map.values()

    @property
    def has_record_id(self):
        return self.record_id_position is not None

    def record_id(self, values):
        """The row's record id as ``record_key`` sees it (spaces collapsed)."""
        if self.record_id_position is None or self.record_id_position >= len(values):
            return ""
        return " ".join(values[self.record_id_position].split())

    def column_of(self, field):
        return next((h for h, f in self.column_map.items() if f == field), field)

    def apply(self, values):
        return {
            field: values[position] if position < len(values) else ""
            for position, field in self.positions
        }


class Vocabulary:
    """Our reference lists (and a profile's value maps), looked up by slug, name, code…

    Loaded once per import: no per-row queries. Unknown values are collected per field.
    """

    def __init__(self, profile=None):
        regions = {}
        for region in Region.objects.all():
            for key in (region.code, region.code.lstrip("0"), region.name, region.name_en,
                        region.slug):
                if key:
                    regions.setdefault(header_key(key), region.pk)
        self.region_codes = dict(Region.objects.values_list("pk", "code"))
        self.lookups = {
            "region": regions,
            "service_area": regions,
            "sectors": self._index(Sector.objects.all(), ("slug", "name", "name_en", "naics_code")),
            "categories": self._index(
                Category.objects.all(), ("slug", "unspsc_code", "name", "name_en")
            ),
            "labels": self._index(Label.objects.all(), ("slug", "name", "name_en")),
            "legal_form": self._choices(Enterprise.LegalForm, LEGAL_FORM_WORDS),
            "employee_band": self._choices(Enterprise.EmployeeBand, {}),
        }
        self.unspsc = dict(
            Category.objects.exclude(unspsc_code="").values_list("unspsc_code", "pk")
        )
        self.value_maps = {}
        for field, mapping in ((profile.value_maps if profile else None) or {}).items():
            lookup = self.lookups.get(field, {})
            resolved = {}
            for incoming, target in mapping.items():
                target_key = header_key(str(target))
                if target_key in lookup:
                    resolved[header_key(incoming)] = lookup[target_key]
            self.value_maps[field] = resolved
        self.unknown = {}
        self._known = {}

    @staticmethod
    def _index(queryset, attributes):
        index = {}
        for obj in queryset:
            for attribute in attributes:
                key = header_key(getattr(obj, attribute) or "")
                if key:
                    index.setdefault(key, obj.pk)
        return index

    @staticmethod
    def _choices(choices, extra):
        index = {header_key(word): value for word, value in extra.items()}
        for value, label in choices.choices:
            index[header_key(value)] = value
            index[header_key(str(label))] = value
        return index

    def known_keys(self, field):
        if field not in self._known:
            self._known[field] = self.lookups[field].keys() | self.value_maps.get(field, {}).keys()
        return self._known[field]

    def knows(self, field, text):
        """Whether a value map's target names one of our values (checked in the admin)."""
        key = header_key(text)
        return key in self.lookups[field] or (
            field == "categories" and UNSPSC.match(key) and self._nearest_unspsc(key) is not None
        )

    def resolve(self, field, text):
        """Our id for a value, or None (then remembered as unknown for staff to map)."""
        key = header_key(text)
        found = self.value_maps.get(field, {}).get(key, self.lookups[field].get(key))
        if found is None and field == "categories" and UNSPSC.match(key):
            found = self._nearest_unspsc(key)
        if found is None and field == "employee_band" and key.isdigit():
            found = employee_band_for(int(key))
        if found is None and field in ("region", "service_area"):
            code = re.match(r"^(\d{1,2})\b", key)
            found = self.lookups[field].get(code.group(1)) if code else None
        if found is None:
            self.unknown.setdefault(field, set()).add(text.strip())
        return found

    def _nearest_unspsc(self, code):
        """An UNSPSC commodity we don't list falls back to its class, family or segment."""
        for digits in (6, 4, 2):
            found = self.unspsc.get(code[:digits].ljust(8, "0"))
            if found:
                return found
        return None

    def split(self, field, text):
        """Split a multi-valued cell on , ; | or new lines, keeping known names whole even
        when they contain a separator (« Arts, culture et patrimoine »)."""
        text = text.strip()
        if "|" in text and not SPLIT_SEPARATORS.search(text):
            # Only pipes, as in the canonical format: no name of ours holds one.
            return [value for value in (piece.strip() for piece in text.split("|")) if value]
        parts = SEPARATORS.split(text)
        pieces, separators = parts[::2], parts[1::2]

        def joined(start, end):
            text = pieces[start]
            for index in range(start + 1, end):
                text += separators[index - 1] + " " + pieces[index]
            return text

        known = self.known_keys(field)
        values, start = [], 0
        while start < len(pieces):
            end = len(pieces)
            while end > start + 1 and header_key(joined(start, end)) not in known:
                end -= 1
            if joined(start, end).strip():
                values.append(joined(start, end).strip())
            start = end
        return values


def employee_band_for(count):
    for band, low in (("250+", 250), ("100-249", 100), ("50-99", 50), ("10-49", 10),
                      ("5-9", 5), ("1-4", 1)):
        if count >= low:
            return band
    return None


UNKNOWN_VALUE_MESSAGE = _("Unknown value: map it in the network's import profile.")
