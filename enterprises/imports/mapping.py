"""Stage 2: which column feeds which field, and how a network's words map onto our lists.

Headers are recognized as people write them: any accents, case, punctuation or camel case
(``NomEntreprise`` = ``Nom de l'entreprise`` = ``NOM_ENTREPRISE``), words in any order and
common abbreviations (``No tél.``), and a small leftover (``Téléphone (principal)``). A network's
``ImportProfile`` overrides them and adds value maps for its own vocabulary. Every header gets
an explanation the curator sees on the columns step.
"""

import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..models import Category, Enterprise, Label, Mrc, Region, Sector
from ..places import ARTICLE, MRC_PREFIX
from ..validators import fold

SCALAR_FIELDS = [
    "name", "neq", "legal_form", "description_fr", "description_en", "region", "address",
    "city", "municipality", "mrc", "postal_code", "phone", "email", "website", "employee_band",
    "year_founded",
]
MULTI_FIELDS = ["sectors", "categories", "labels", "service_area", "mrcs_served"]
FIELDS = SCALAR_FIELDS + MULTI_FIELDS
RECORD_ID = "record_id"
RECORD_ID_LABEL = _("record id in the network")

# The usual names of each field, most specific first: when two columns claim one field, the
# column with the more specific name feeds it (``Forme juridique`` beats ``Statut``, which in
# the enterprise register is the registration status).
ALIASES = {
    RECORD_ID: [
        "Record id", "External id", "Identifiant", "Identifiant unique", "ID entreprise",
        "ID organisme", "ID membre", "ID", "No membre",
        "Numéro de membre", "No de membre", "Code membre", "Member id", "Member number",
        "No de dossier", "Numéro de dossier", "Clé", "No", "slug",
    ],
    "name": [
        "Nom de l'entreprise", "Nom de l'organisme", "Nom de l'organisation",
        "Nom de l'OBNL", "Nom de la coopérative", "Nom de l'assujetti", "NOM_ASSUJ",
        "Nom légal", "Nom officiel", "Nom usuel",
        "Raison sociale", "Dénomination sociale", "Dénomination", "Enterprise name",
        "Company name", "Business name", "Organization name", "Organisation name",
        "Legal name", "Nom", "Entreprise", "Organisme", "Organisation", "Company",
        "Organization", "Enterprise",
    ],
    "neq": [
        "NEQ", "No NEQ", "Numéro NEQ", "Numéro d'entreprise du Québec",
        "No d'entreprise du Québec", "Numéro d'entreprise", "Quebec enterprise number",
        "Quebec business number", "Enterprise number",
    ],
    "legal_form": [
        "Forme juridique", "Statut juridique", "Forme d'entreprise", "Type d'entreprise",
        "Type d'organisation", "Type d'organisme", "Legal form", "Legal status",
        "Legal structure", "Business type", "Forme", "Statut",
    ],
    "description_fr": [
        "Description en français", "Description française", "Description (français)",
        "Description FR", "Description in French", "French description",
        "Description de l'entreprise", "Description de l'organisme", "Description des activités",
        "Description", "Mission", "Présentation",
    ],
    "description_en": [
        "Description en anglais", "Description anglaise", "Description (anglais)",
        "Description EN", "Description in English", "English description", "Mission en anglais",
    ],
    "region": [
        "Région administrative", "Code de région", "Code région", "No de région",
        "Numéro de région", "Administrative region", "Region code", "Région",
    ],
    "address": [
        "Adresse civique", "Adresse du siège social", "Adresse du siège", "Adresse du domicile",
        "Adresse de l'établissement", "Adresse principale", "Adresse ligne 1", "Adresse 1",
        "Numéro civique et rue", "No civique", "Numéro civique", "Adresse postale",
        "Street address", "Address line 1", "Address", "Adresse", "Rue", "Street",
    ],
    "city": [
        "Municipalité", "Ville", "Localité", "Ville du siège social", "Municipalité du domicile",
        "Municipality", "City", "Town",
    ],
    # The official geographic code (what the canonical export writes): it names the
    # municipality exactly, whatever the city cell says.
    "municipality": [
        "municipality_code", "Code géographique", "Code de la municipalité",
        "Code municipal", "Geographic code", "Municipality code",
    ],
    "mrc": [
        "MRC / Territoire", "MRC ou territoire équivalent", "Municipalité régionale de comté",
        "Territoire équivalent", "Nom de la MRC", "Regional county municipality", "MRC",
        "RCM", "Territoire",
    ],
    "postal_code": [
        "Code postal", "CodePostal", "Postal code", "Postcode", "Zip code", "CP", "C.P.", "Zip",
    ],
    "phone": [
        "Téléphone", "Numéro de téléphone", "No de téléphone", "Téléphone principal",
        "Téléphone du bureau", "Téléphone bureau", "Tél.", "Phone number", "Main phone",
        "Telephone", "Phone",
    ],
    "email": [
        "Courriel", "Adresse courriel", "Courriel principal", "Courriel général",
        "Adresse électronique", "Courrier électronique", "Email address", "E-mail", "Email",
        "Mél", "Mail",
    ],
    "website": [
        "Site web", "Site Internet", "Adresse du site web", "Adresse du site Internet",
        "Adresse web", "SiteWeb", "Website", "Web site", "URL", "Site", "Web", "Lien",
    ],
    "sectors": [
        "Secteur d'activité", "Secteurs d'activité", "Secteur d'activité principal",
        "Secteur d'activités", "Domaine d'activité", "Domaines d'activité", "Code SCIAN",
        "SCIAN", "NAICS code", "NAICS", "Activity sector", "Industry", "Secteur", "Secteurs",
        "Sector", "Sectors", "Domaine",
    ],
    "categories": [
        "Produits et services", "Produits/services", "Offre de services", "Codes UNSPSC",
        "Code UNSPSC", "UNSPSC", "Products and services", "Catégories", "Catégorie",
        "Produits", "Services", "Products", "Categories",
    ],
    "labels": [
        "Certifications", "Certification", "Accréditations", "Reconnaissances", "Sceaux",
        "Labels", "Label",
    ],
    "service_area": [
        "Territoire desservi", "Territoires desservis", "Régions desservies",
        "Région desservie", "Zone desservie", "Zone de service", "Regions served",
        "Service area",
    ],
    # Before these names, « MRC desservies » fed ``mrc`` (where it is based) by partial match.
    "mrcs_served": [
        "MRC desservies", "MRC desservie", "MRCs desservies", "Territoires MRC desservis",
        "MRCs served", "MRC served", "RCMs served", "RCM served",
        "Regional county municipalities served",
    ],
    "employee_band": [
        "Nombre d'employés", "Nombre d'employé(e)s", "Nb employés", "Nombre de salariés",
        "Nombre de salariés au Québec", "Effectif", "Number of employees", "Headcount",
        "Employés", "Employees", "Taille",
    ],
    "year_founded": [
        "Année de fondation", "Date de fondation", "Année de création", "Date de création",
        "Fondée en", "Date de constitution", "Fondation", "Year founded", "Founding year",
        "Founded", "Established", "Année",
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
    # The enterprise register's names for these forms.
    "personne morale sans but lucratif": Enterprise.LegalForm.NON_PROFIT,
    "association personnifiee": Enterprise.LegalForm.NON_PROFIT,
    "non profit": Enterprise.LegalForm.NON_PROFIT,
    "mutuelle": Enterprise.LegalForm.MUTUAL,
    "mutuelle d assurance": Enterprise.LegalForm.MUTUAL,
    "autre": Enterprise.LegalForm.OTHER,
    # The register's word for every cooperative outside finance; normalization reads the
    # kind (solidarity, work) from the name when it says so.
    "cooperative non financiere": Enterprise.LegalForm.COOPERATIVE,
    # Register forms outside the social economy's own.
    "societe par actions ou compagnie": Enterprise.LegalForm.OTHER,
    "societe par actions": Enterprise.LegalForm.OTHER,
    "compagnie": Enterprise.LegalForm.OTHER,
    "entreprise individuelle": Enterprise.LegalForm.OTHER,
    "societe en nom collectif": Enterprise.LegalForm.OTHER,
    "societe en commandite": Enterprise.LegalForm.OTHER,
}

UNSPSC = re.compile(r"^\d{8}$")
HEADCOUNT = re.compile(r"^(?:de |from )?(\d+)(?: (?:a|to|et|and) \d+| et plus| or more)?$")

# Where one word ends and the next begins in ``NomEntreprise``, ``NoNEQ`` or ``Adresse1``.
CAMEL_CASE = re.compile(
    r"(?<=[a-zà-öø-ÿ])(?=[A-ZÀ-ÖØ-Þ])"
    r"|(?<=[A-ZÀ-ÖØ-Þ])(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ])"
    r"|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])"
)
NOT_A_WORD = re.compile(r"[\W_]+")
QUALIFIER = re.compile(r"[(\[][^)\]]*[)\]]")


@functools.lru_cache(maxsize=100_000)
def header_key(text):
    """Compare headers and vocabulary without accents, case, punctuation, extra spaces or
    camel case: ``NomEntreprise``, ``nom_entreprise`` and ``NOM ENTREPRISE`` share a key."""
    return " ".join(NOT_A_WORD.sub(" ", fold(CAMEL_CASE.sub(" ", text))).split())


# Words a header may add or leave out without changing what it names.
FILLER_WORDS = frozenset({
    "a", "au", "aux", "d", "de", "des", "du", "et", "l", "la", "le", "les", "ou", "par", "pour",
    "sur", "and", "for", "in", "of", "the",
})
# Abbreviations and English words folded onto one spelling.
WORD_FORMS = {
    "tel": ("telephone",), "no": ("numero",), "num": ("numero",), "nb": ("nombre",),
    "nbr": ("nombre",), "nbre": ("nombre",), "adr": ("adresse",), "desc": ("description",),
    "fr": ("francais",), "french": ("francais",), "francaise": ("francais",),
    "ang": ("anglais",), "eng": ("anglais",), "english": ("anglais",),
    "anglaise": ("anglais",), "siteweb": ("site", "web"), "codepostal": ("code", "postal"),
    "courriels": ("courriel",), "qc": ("quebec",),
}
# A header holding one of these words describes someone or something else than the
# enterprise (``Nom du contact``, ``Courriel du responsable``): never matched partially.
OTHER_SUBJECT_WORDS = frozenset({
    "contact", "responsable", "personne", "prenom", "famille", "directeur", "directrice",
    "dg", "president", "presidente", "representant", "representante", "signataire",
    "gestionnaire", "coordonnateur", "coordonnatrice", "autre", "ancien", "ancienne",
    "precedent", "emprunt", "fiche", "modification",
})
# Names too vague to claim a column that says more than them.
VAGUE_ALIASES = frozenset({
    "no", "id", "cle", "slug", "site", "web", "lien", "url", "forme", "statut", "annee",
    "mail", "rue", "street", "cp", "c p", "zip", "domaine", "taille", "services", "produits",
    "products", "territoire", "label", "labels", "code", "entreprise", "organisme",
    "organisation", "company", "organization", "enterprise", "effectif", "fondation",
})
MAX_LEFTOVER_WORDS = 2


def _word_form(word):
    if word in WORD_FORMS:
        return WORD_FORMS[word]
    # Plurals: « Secteurs d'activités » names what « Secteur d'activité » names.
    return (word[:-1],) if len(word) > 3 and word.endswith("s") else (word,)


@functools.lru_cache(maxsize=10_000)
def header_words(text):
    """The words that carry a header's meaning, in no order: fillers dropped, abbreviations
    and plurals folded (``No tél.`` and ``Numéro de téléphone`` give the same words)."""
    return frozenset(
        form
        for word in header_key(text).split() if word not in FILLER_WORDS
        for form in _word_form(word)
    )


@dataclass(frozen=True)
class HeaderMatch:
    """What one column feeds and why, as the columns step explains it."""

    header: str
    field: str | None  # None: the column is ignored
    via: str | None  # "profile", "alias", "partial" or None (unknown, or its field is taken)
    alias: str = ""  # the usual name it matched
    leftover: str = ""  # the words left aside by a partial match
    wanted: str | None = None  # the field it would feed, when another column feeds it
    taken_by: str = ""  # that other column

    @property
    def reason(self):
        """A sentence in the active language for the curator."""
        if self.via == "profile":
            if self.field:
                return _("Chosen in the network's import profile.")
            return _("Ignored in the network's import profile.")
        if self.via == "alias":
            return _("Matches the usual name “%(alias)s”.") % {"alias": self.alias}
        if self.via == "partial":
            return _("Matches “%(alias)s”, leaving aside “%(leftover)s”.") % {
                "alias": self.alias, "leftover": self.leftover,
            }
        if self.wanted:
            return _("Would feed “%(field)s”, already fed by the column “%(other)s”.") % {
                "field": field_label(self.wanted), "other": self.taken_by,
            }
        return _("No field has this usual name: ignored unless you choose one.")


def field_label(name):
    if name == RECORD_ID:
        return RECORD_ID_LABEL
    return Enterprise._meta.get_field(name).verbose_name


def build_alias_indexes():
    """Usual name → (field, rank), by exact key and by words in any order."""
    exact, loose = {}, {}
    for field, aliases in ALIASES.items():
        for rank, alias in enumerate(aliases):
            exact.setdefault(header_key(alias), (field, rank, alias))
            loose.setdefault(header_words(alias), (field, rank, alias))
    for field in FIELDS:
        exact.setdefault(header_key(field), (field, 0, field))
    return exact, loose


ALIAS_INDEX, LOOSE_ALIAS_INDEX = build_alias_indexes()
PARTIAL_ALIASES = sorted(
    ((words, entry) for words, entry in LOOSE_ALIAS_INDEX.items()
     if words and header_key(entry[2]) not in VAGUE_ALIASES),
    key=lambda item: -len(item[0]),
)


@functools.lru_cache(maxsize=10_000)
def recognize(header):
    """(field, rank, usual name, leftover words, via) for a header, or None."""
    key = header_key(header)
    if not key:
        return None
    found = ALIAS_INDEX.get(key) or LOOSE_ALIAS_INDEX.get(header_words(header))
    if found:
        return (*found, "", "alias")
    words = header_words(header)
    if words & OTHER_SUBJECT_WORDS:
        return None
    bare = QUALIFIER.sub(" ", header)
    if bare != header and (found := ALIAS_INDEX.get(header_key(bare))):
        # « Téléphone (siège social) »: the words in brackets only qualify the usual name.
        qualifiers = " ".join(" ".join(QUALIFIER.findall(header)).strip("()[] ").split())
        return (*found, qualifiers, "partial")
    for alias_words, (field, rank, alias) in PARTIAL_ALIASES:
        leftover = words - alias_words
        if alias_words < words and len(leftover) <= min(MAX_LEFTOVER_WORDS, len(alias_words)):
            kept = [word for word in NOT_A_WORD.sub(" ", CAMEL_CASE.sub(" ", header)).split()
                    if set(_word_form(header_key(word))) & leftover]
            return field, rank, alias, " ".join(kept), "partial"
    return None


QUALITY = {"profile": 0, "alias": 1, "partial": 2}


def match_headers(headers, profile_map=None, partial=True):
    """A ``HeaderMatch`` per header. The profile's choices come first, then the usual names,
    then partial matches; each field is fed by one column only, the most specific one (the
    leftmost on a tie). A profile may map a header to anything else (such as "-") to ignore it.
    """
    explicit = {header_key(header): field for header, field in (profile_map or {}).items()}
    proposals = []  # per header: the HeaderMatch it would get alone, and its precedence
    for position, header in enumerate(headers):
        key = header_key(header)
        if key in explicit:
            field = explicit[key] if explicit[key] in FIELDS or explicit[key] == RECORD_ID else None
            proposals.append((HeaderMatch(header, field, "profile"), (0, 0, position)))
            continue
        found = recognize(header)
        if found is None or (found[4] == "partial" and not partial):
            proposals.append((HeaderMatch(header, None, None), None))
            continue
        field, rank, alias, leftover, via = found
        proposals.append((HeaderMatch(header, field, via, alias, leftover),
                          (QUALITY[via], rank, position)))
    feeding = {}  # field → the position of the column that feeds it
    for match, precedence in sorted(
        (proposal for proposal in proposals if proposal[0].field),
        key=lambda proposal: proposal[1],
    ):
        feeding.setdefault(match.field, precedence[2])
    return [
        match if not match.field or feeding[match.field] == position
        else HeaderMatch(match.header, None, None, wanted=match.field,
                         taken_by=headers[feeding[match.field]])
        for position, (match, _precedence) in enumerate(proposals)
    ]


def suggest_column_map(headers, profile_map=None):
    """Header → field for every header we recognize; the profile's choices come first."""
    return {m.header: m.field for m in match_headers(headers, profile_map) if m.field}


def looks_like_header(values, profile_map=None):
    """A row is the header when at least two of its cells name known fields (partial matches
    don't count: a data row's words could contain a usual name)."""
    cells = [value for value in values if value.strip()]
    return sum(1 for m in match_headers(cells, profile_map, partial=False) if m.field) >= 2


class ColumnMapping:
    """Turns a row (list of cells) into {field: raw text} using the resolved column map."""

    def __init__(self, headers, profile):
        profile_map = dict(profile.column_map) if profile else {}
        if profile and profile.record_id_column:
            profile_map[profile.record_id_column] = RECORD_ID
        self.headers = headers
        self.matches = match_headers(headers, profile_map)
        self.column_map = {m.header: m.field for m in self.matches if m.field}
        self.positions = [
            (position, match.field)
            for position, match in enumerate(self.matches)
            if match.field
        ]
        self.ignored = [m.header for m in self.matches if not m.field and m.header.strip()]
        self.record_id_position = next(
            (position for position, field in self.positions if field == RECORD_ID), None
        )

    @property
    def has_name(self):
        return "name" in self.column_map.values()

    @property
    def has_record_id(self):
        return self.record_id_position is not None

    def explain(self, header):
        """Why this column feeds its field, or why it is ignored (a translated sentence)."""
        return next((m.reason for m in self.matches if m.header == header), "")

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


def separators_pattern(separators):
    """A pattern splitting on each of these characters (``\\n`` typed in the admin means a
    new line); None when there are none. Without a profile, the default ones."""
    if separators is None:
        separators = DEFAULT_LIST_SEPARATORS
    # A comma always follows the rule that keeps known names whole, even when listed here.
    separators = separators.replace("\\n", "\n").replace("\\t", "\t").replace(",", "")
    if not separators:
        return None
    return re.compile("[" + "".join(map(re.escape, sorted(set(separators)))) + "]")


DEFAULT_LIST_SEPARATORS = "|;\n"
COMMA = re.compile(r"\s*,\s*")


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
            "mrcs_served": self._mrc_index(),
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
        self.separators = separators_pattern(profile.list_separators if profile else None)
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
    def _mrc_index():
        """MRCs by code (``010`` or ``10``), slug, and name with or without its article
        (« Les Etchemins », « Etchemins »)."""
        index = {}
        for pk, code, name, slug in Mrc.objects.values_list("pk", "code", "name", "slug"):
            name_key = header_key(name)
            for key in (code, code.lstrip("0"), slug, name_key, ARTICLE.sub("", name_key)):
                if key:
                    index.setdefault(header_key(key), pk)
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
        if found is None and field == "employee_band" and (count := HEADCOUNT.match(key)):
            # A count, or a range by its lower bound: the register's « De 6 à 10 » → 5-9.
            found = employee_band_for(int(count.group(1)))
        if found is None and field in ("region", "service_area"):
            code = re.match(r"^(\d{1,2})\b", key)
            found = self.lookups[field].get(code.group(1)) if code else None
        if found is None and field == "mrcs_served":
            # « MRC de Bellechasse », « TE de Lévis »: the name after the kind of territory.
            found = self.lookups[field].get(ARTICLE.sub("", MRC_PREFIX.sub("", key)))
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
        """Split a multi-valued cell on the profile's separators; a comma splits too, except
        inside a known name or value map entry (« Arts, culture et communications »)."""
        values = []
        for piece in self.separators.split(text) if self.separators else [text]:
            piece = " ".join(piece.split())
            if "," in piece:
                values.extend(self._split_commas(field, piece))
            elif piece:
                values.append(piece)
        return values

    def _split_commas(self, field, text):
        """The longest runs of comma-separated pieces that name a known value, else each
        piece alone."""
        known = self.known_keys(field)
        if header_key(text) in known:
            return [text]
        pieces = [piece for piece in COMMA.split(text) if piece]
        values, start = [], 0
        while start < len(pieces):
            end = len(pieces)
            while end > start + 1 and header_key(", ".join(pieces[start:end])) not in known:
                end -= 1
            values.append(", ".join(pieces[start:end]))
            start = end
        return values


def employee_band_for(count):
    for band, low in (("250+", 250), ("100-249", 100), ("50-99", 50), ("10-49", 10),
                      ("5-9", 5), ("1-4", 1)):
        if count >= low:
            return band
    return None


UNKNOWN_VALUE_MESSAGE = _("Unknown value: map it in the network's import profile.")
