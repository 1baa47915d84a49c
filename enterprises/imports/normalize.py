"""Stage 3: tidy raw cells without judging them — trim, blank out "missing" markers, fix names
typed in capitals, and put identifiers in their canonical form when they can be read.

Normalization never damages: text that holds lower-case letters keeps the case its source gave
(and so does a name in capitals from a file that writes its names in mixed case), a word
holding a digit (``11E``, ``1022PV-3351``) is never changed, and values that cannot be
normalized are left as received so that validation reports them.
"""

import functools
import re

from django.core.exceptions import ValidationError

from ..validators import fold, normalize_neq, normalize_phone, normalize_postal_code
from .mapping import MULTI_FIELDS

# Articles, prepositions and conjunctions: lower case in a title, except as its first word.
SMALL_WORDS = frozenset({
    "a", "à", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou",
    "pour", "sur", "and", "of", "the",
})
# Kept in capitals as written.
ACRONYMS = frozenset({
    "CAB", "CDC", "CDEC", "CFP", "CHSLD", "CISSS", "CIUSSS", "CJE", "CLD", "CLSC", "CPE",
    "CSSS", "HLM", "MRC", "OBNL", "OMH", "OSBL", "PME", "RH", "SADC", "TI", "UPA", "YMCA",
    "YWCA",
})
# Legal suffixes, written in lower case: « inc. », « ltée », « enr. ».
LEGAL_SUFFIXES = frozenset({"inc", "ltee", "enr", "senc"})
# Words without a vowel are read as acronyms (« RCM », « CP ») except these abbreviations.
ABBREVIATIONS = frozenset({"st", "mgr", "dr", "mr", "ch", "pl", "bd", "blvd", "rg"})
VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿæœ")
ROMAN_NUMERAL = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
# In an address, the street's generic name is in lower case before its specific one
# (« 120, rue Principale »), in capitals after an ordinal (« 11E Avenue »).
STREET_WORDS = frozenset({
    "rue", "avenue", "av", "ave", "boulevard", "boul", "bd", "chemin", "ch", "rang", "rg",
    "route", "rte", "place", "pl", "montée", "côte", "impasse", "allée", "croissant",
    "terrasse", "promenade", "autoroute", "sentier", "bureau", "local", "suite", "app",
    "appartement", "unité", "porte", "case", "postale", "casier",
})
LETTERS = re.compile(r"[^\W\d_]+")
APOSTROPHES = ("'", "’")
# Elided words after which a new word starts: « L'ORCHESTRE », « D'ORLÉANS », « O'BRIEN ».
ELISIONS = frozenset({"l", "d", "o", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu",
                      "puisqu"})
ORDINAL = re.compile(r"^\d+[^\W\d_]+\.?,?$")
# A token after which the next word starts a title again.
TITLE_BREAKS = frozenset({"-", "–", "—", ":", "/", "|"})

LONG_TEXT = {"description_fr", "description_en"}
# Exports prefix text a spreadsheet would run as a formula with « ' »; reading it back drops it.
INERT_FORMULA = re.compile(r"^'(?= *[=+\-@\t\r])")
EXTENSION = re.compile(r"\s*(?:poste|post|p\.|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
PLAIN_PHONE = re.compile(
    r"^(?:\+?1[ .-]?)?(?:\(([2-9]\d{2})\)|([2-9]\d{2}))[ .-]?([2-9]\d{2})[ .-]?(\d{4})"
    r"(?: ext\. (\d{1,6}))?$"
)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
URL_PARTS = re.compile(r"^([a-z][a-z0-9+.-]*://)([^/?#]*)(.*)$", re.IGNORECASE | re.DOTALL)
# A trailing province after a municipality: « (Québec) », « (QC) », « , QC », « Québec ».
PROVINCE_SUFFIX = re.compile(
    r"(?:\s*\(\s*(?:québec|quebec|qué|que|qc|pq)\s*\)"
    r"|\s*,\s*(?:québec|quebec|qc|pq)|(\s+)(?:québec|quebec|qc|pq))\s*$",
    re.IGNORECASE,
)
# A city cell that holds an address's second line: a post-office box or a unit, perhaps
# followed by the municipality (« C.P. 490, Saint-Tite »).
SECOND_LINE = re.compile(
    r"^((?:c\.?\s?p\.?|case\s+postale|casier\s+postal|p\.?\s?o\.?\s*box|b\.?\s?p\.?)\s*#?\s*\d+"
    r"|(?:bureau|bur\.|local|suite|app(?:artement)?\.?|apt\.?|unit[ée]|porte)"
    r"\s*(?:no\.?|#)?\s*[\w-]*\d[\w-]*)"
    r"(?:\s*[,;]?\s+|\s*[,;]\s*|$)(.*)$",
    re.IGNORECASE,
)
# The register's word for every cooperative outside finance (a canonical file's own
# « cooperative » is a curator's choice, kept as it is).
GENERIC_COOPERATIVE = "cooperative non financiere"
WORKER_COOPERATIVE = re.compile(r"\bcoop(?:erative)? de (?:travail|travailleurs)\b")
# An email address in a website cell is no web address, whatever a URL's user part allows.
EMAIL_LIKE = re.compile(r"^(?:mailto:)?[^/@:]+@", re.IGNORECASE)
YEAR_IN_DATE = re.compile(
    r"^(?:(\d{4})[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T][\d:.]+)?|\d{1,2}[-/.]\d{1,2}[-/.](\d{4}))$"
)


def _title_word(word, *, first, next_char, street, after_ordinal):
    """One run of letters of an all-capitals value, in title case."""
    lower = word.lower()
    if len(word) == 1:
        # « L'ÎLE », « D'ORLÉANS », « À LA »; a lone letter (« PLAN A », « C.P. ») is kept.
        elided = lower in ("l", "d") and next_char in APOSTROPHES
        return lower if (elided or lower == "à") and not first else word
    if word in ACRONYMS or ROMAN_NUMERAL.fullmatch(word):
        return word
    if not VOWELS.intersection(lower) and lower not in ABBREVIATIONS:
        return word
    if fold(lower) in LEGAL_SUFFIXES and not first:
        return lower
    if lower in SMALL_WORDS and not first:
        return lower
    if street and lower in STREET_WORDS and not first and not after_ordinal:
        return lower
    return lower[:1].upper() + lower[1:]


@functools.lru_cache(maxsize=50_000)
def _title_token(token, first, street, after_ordinal):
    """(the token in title case, whether the next token starts a title again). Tokens repeat
    from name to name (« COOP », « DE », « TROIS-RIVIÈRES »): each is worked out once."""
    if any(character.isdigit() for character in token):
        return token, False
    first = first or token.startswith(("(", "«", '"'))
    pieces, end, previous = [], 0, ""
    for match in LETTERS.finditer(token):
        word, separator = match.group(0), token[end:match.start()]
        pieces.append(separator)
        if previous and separator[-1:] in APOSTROPHES and previous.lower() not in ELISIONS:
            # The rest of one word, as in « AUJOURD'HUI » or « PRUD'HOMME ».
            pieces.append(word.lower())
        else:
            # A street word inside a compound (« BUREAU-CHEF ») is a name, not a generic.
            alone = end == 0 and LETTERS.search(token, match.end()) is None
            pieces.append(_title_word(
                word, first=first and end == 0, next_char=token[match.end():match.end() + 1],
                street=street and alone, after_ordinal=after_ordinal,
            ))
        end, previous = match.end(), word
    if not pieces:
        return token, first or token in TITLE_BREAKS
    return "".join(pieces) + token[end:], False


def title_case(text, street=False):
    """« L'ORCHESTRE SYMPHONIQUE DE TROIS-RIVIÈRES INC. » → « L'Orchestre Symphonique de
    Trois-Rivières inc. ». Acronyms, roman numerals and words holding a digit are kept."""
    tokens = text.split(" ")
    first, after_ordinal = True, False
    for index, token in enumerate(tokens):
        tokens[index], first = _title_token(token, first, street, after_ordinal)
        after_ordinal = street and ORDINAL.match(token) is not None
    return " ".join(tokens)


def is_all_capitals(text):
    return text == text.upper() and text != text.lower()


def is_shouted_sentence(name):
    """An all-capitals name of three words or more (« COOPÉRATIVE DE SOLIDARITÉ LA CLÉ DES
    CHAMPS ») is typed in capitals, whatever the rest of the file does; a shorter one
    (« CLUB LOA ») may be the enterprise's own spelling."""
    return is_all_capitals(name) and len(name.split()) >= 3


def fix_capitals(text):
    """« COOPÉRATIVE DE L'ÎLE » → « Coopérative de l'Île »; mixed-case text is left alone."""
    return title_case(text) if text and is_all_capitals(text) else text


def fix_address(text):
    """« 120, 11E AVENUE NORD » → « 120, 11E Avenue Nord »; mixed-case text is left alone."""
    return title_case(text, street=True) if text and is_all_capitals(text) else text


def strip_province(text):
    """« Trois-Rivières (Québec) » → « Trois-Rivières »; « Québec » or « Ville de Québec »
    stay whole."""
    while match := PROVINCE_SUFFIX.search(text):
        rest = text[:match.start()].rstrip(" ,")
        if not rest or (match.group(1) and fold(rest.split()[-1]) in SMALL_WORDS):
            break
        text = rest
    return text


@functools.lru_cache(maxsize=10_000)
def normalize_city(text):
    return fix_capitals(strip_province(text))


def split_city(text):
    """(second address line, municipality) of a city cell: « CP 1281 » → (« CP 1281 », "")."""
    match = SECOND_LINE.match(text)
    if match is None:
        return "", text
    return match.group(1), match.group(2).strip(" ,;")


def with_second_line(address, line):
    """The address followed by a post-office box or unit, unless it already holds it."""
    if not address:
        return line
    if fold(line) in fold(address):
        return address
    return f"{address}, {line}"


# Values already in the form our normalizers write: a canonical file skips the work.
CANONICAL = {
    "neq": re.compile(r"^(11|22|33|88)\d{8}$"),
    "postal_code": re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$"),
    "phone": re.compile(r"^\+1 [2-9]\d{2}-[2-9]\d{2}-\d{4}( ext\. \d{1,6})?$"),
    # Plain lower-case addresses that Django's validators accept: most of every file.
    "email": re.compile(
        r"^[a-z0-9_+-]+(\.[a-z0-9_+-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
    ),
    "website": re.compile(
        r"^https?://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(/[A-Za-z0-9._~/-]*)?$"
    ),
}


def is_canonical(field, value):
    return field in CANONICAL and CANONICAL[field].match(value) is not None


def try_normalize(normalizer, value):
    try:
        return normalizer(value)
    except ValidationError:
        return value


def normalize_phone_number(value):
    """Read « poste 22 » and « p. 22 » as an extension, which the phone library understands.

    A plain ten-digit number (« (819) 555-0101 », « 819.555.0101 ») is written directly in the
    form the library gives it: parsing costs more than the rest of a row's normalization.
    """
    value = EXTENSION.sub(r" ext. \1", value)
    if match := PLAIN_PHONE.match(value):
        bracketed, area, exchange, line, extension = match.groups()
        area = bracketed or area
        return f"+1 {area}-{exchange}-{line}" + (f" ext. {extension}" if extension else "")
    return try_normalize(normalize_phone, value)


def normalize_postal(value):
    """« g8y5g7 », « G8Y-5G7 » → « G8Y 5G7 » without the form field's cost; anything else goes
    through it."""
    compact = value.replace(" ", "").replace("-", "").upper()
    if len(compact) == 6 and CANONICAL["postal_code"].match(f"{compact[:3]} {compact[3:]}"):
        return f"{compact[:3]} {compact[3:]}"
    return try_normalize(normalize_postal_code, value)


def normalize_website(value):
    """Scheme and host in lower case, the path as given. A cell that is plainly not a web
    address (spaces, no dot, an email address) is left alone for validation to report."""
    value = value.strip()
    if " " in value or "." not in value or EMAIL_LIKE.match(value):
        return value
    if not SCHEME.match(value):
        value = "https://" + value.removeprefix("//")
    scheme, host, rest = URL_PARTS.match(value).groups()
    return scheme.lower() + host.lower() + rest


def normalize_year(value):
    """« 1995.0 » (a spreadsheet number) or a date such as « 1995-03-12 » → « 1995 »."""
    if match := YEAR_IN_DATE.match(value):
        return match.group(1) or match.group(2)
    return value.removesuffix(".0")


NORMALIZERS = {
    "name": fix_capitals,
    "city": normalize_city,
    "address": fix_address,
    "neq": lambda value: try_normalize(normalize_neq, value),
    "postal_code": normalize_postal,
    "phone": normalize_phone_number,
    "website": normalize_website,
    "email": lambda value: value.strip().lower().removeprefix("mailto:"),
    "year_founded": normalize_year,
}


class MissingValues:
    """The profile's "missing" markers; ``value in missing`` folds only short values."""

    def __init__(self, tokens):
        self.tokens = {fold(token) for token in tokens or []}
        self.longest = max(map(len, self.tokens), default=0)

    def __contains__(self, value):
        if len(value) > self.longest:
            return False
        return (value.lower() if value.isascii() else fold(value)) in self.tokens


def missing_tokens(profile_values):
    return MissingValues(profile_values)


KEEP_LINES = LONG_TEXT | set(MULTI_FIELDS)


def collapse_spaces(field, value):
    """Runs of spaces become one; descriptions keep their lines, and so do multi-valued
    cells, where a new line may separate values."""
    if field in LONG_TEXT:
        return value.strip()
    if field in MULTI_FIELDS and "\n" in value:
        lines = (" ".join(line.split()) for line in value.splitlines())
        return "\n".join(line for line in lines if line)
    return " ".join(value.split())


def names_in_capitals(records, share=0.5):
    """Whether a file writes its names in capitals, as the enterprise register does, judging
    by a sample of its records (the first chunk). Only then are all its all-capitals names put
    in title case: elsewhere a short name in capitals among mixed-case ones (« CLUB LOA ») is
    its source's choice (see ``is_shouted_sentence``)."""
    names = [record["name"] for record in records if record.get("name", "").strip()]
    shouted = sum(1 for name in names if is_all_capitals(name))
    return bool(names) and shouted >= share * len(names)


def normalize_record(raw, missing, title_case_names=True):
    """{field: raw text} → {field: tidy text}; "missing" markers and blanks become "".

    A city cell holding a post-office box or a unit (« CP 1281 », « Bureau 200 ») moves it to
    the end of the address. Names in capitals are put in title case when
    ``title_case_names`` (see ``names_in_capitals``).
    """
    record, second_line = {}, ""
    for field, value in raw.items():
        if value.startswith("'"):
            value = INERT_FORMULA.sub("", value)
        if field in KEEP_LINES:
            value = collapse_spaces(field, value)
        else:
            value = " ".join(value.split())
        if len(value) <= missing.longest and value in missing:
            value = ""
        if value and field == "city":
            second_line, value = split_city(value)
        if value and field in NORMALIZERS and not is_canonical(field, value):
            if field != "name" or title_case_names or is_shouted_sentence(value):
                value = NORMALIZERS[field](value)
        record[field] = value
    if second_line:
        record["address"] = with_second_line(record.get("address", ""), fix_address(second_line))
    if record.get("legal_form") and record.get("name"):
        record["legal_form"] = cooperative_kind(record["legal_form"], record["name"])
    return record


def cooperative_kind(legal_form, name):
    """A cooperative of no stated kind (the register's « Coopérative non financière ») takes
    the kind its name states: Quebec's law puts « solidarité » or « travail » in those names,
    and a source that knows the kind is not overruled by one that does not."""
    if legal_form[:4].lower() != "coop" or fold(legal_form) != GENERIC_COOPERATIVE:
        return legal_form
    folded = fold(name)
    if "solidarite" in folded:
        return "Coopérative de solidarité"
    if WORKER_COOPERATIVE.search(folded):
        return "Coopérative de travail"
    return legal_form
