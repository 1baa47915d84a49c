"""Stage 3: tidy raw cells without judging them — trim, blank out "missing" markers, fix names
typed in capitals, and put identifiers in their canonical form when they can be read.

Values that cannot be normalized are left as received so that validation reports them.
"""

import re

from django.core.exceptions import ValidationError

from ..validators import fold, normalize_neq, normalize_phone, normalize_postal_code

SMALL_WORDS = {
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou", "pour",
    "sur", "and", "of", "the", "rue", "avenue", "boulevard", "boul", "chemin", "rang", "route",
    "bureau", "local", "suite", "app",
}
LONG_TEXT = {"description_fr", "description_en"}
WORD = re.compile(r"[^\W\d_]+")
# Exports prefix text a spreadsheet would run as a formula with « ' »; reading it back drops it.
INERT_FORMULA = re.compile(r"^'(?=[=+\-@\t\r])")
EXTENSION = re.compile(r"\s*(?:poste|post|p\.|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def fix_capitals(text):
    """« COOPÉRATIVE DE L'ÎLE » → « Coopérative de l'Île »; mixed-case text is left alone."""
    if not text or text != text.upper() or not any(c.isalpha() for c in text):
        return text

    def word(match):
        piece = match.group(0)
        if match.start() > 0 and piece in SMALL_WORDS:
            return piece
        return piece[:1].upper() + piece[1:]

    return WORD.sub(word, text.lower())


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
    """Read « poste 22 » and « p. 22 » as an extension, which the phone library understands."""
    return try_normalize(normalize_phone, EXTENSION.sub(r" ext. \1", value))


def normalize_website(value):
    value = value.strip()
    if value and not SCHEME.match(value):
        value = "https://" + value.removeprefix("//")
    return value


NORMALIZERS = {
    "name": fix_capitals,
    "city": fix_capitals,
    "address": fix_capitals,
    "neq": lambda value: try_normalize(normalize_neq, value),
    "postal_code": lambda value: try_normalize(normalize_postal_code, value),
    "phone": normalize_phone_number,
    "website": normalize_website,
    "email": lambda value: value.strip().lower().removeprefix("mailto:"),
    "year_founded": lambda value: value.removesuffix(".0"),
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


def normalize_record(raw, missing):
    """{field: raw text} → {field: tidy text}; "missing" markers and blanks become ""."""
    record = {}
    for field, value in raw.items():
        if value.startswith("'"):
            value = INERT_FORMULA.sub("", value)
        value = value.strip() if field in LONG_TEXT else " ".join(value.split())
        if len(value) <= missing.longest and value in missing:
            value = ""
        if value and field in NORMALIZERS and not is_canonical(field, value):
            value = NORMALIZERS[field](value)
        record[field] = value
    return record
