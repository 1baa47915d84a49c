"""Validation and normalization of the identifiers an enterprise record carries.

Each normalizer returns the canonical form or raises ``ValidationError`` with a message in
the active language; the model, the admin forms and the import pipeline all use them.
"""

import itertools
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from localflavor.ca.forms import CAPostalCodeField
from stdnum import luhn

NEQ_PREFIXES = ("11", "22", "33", "88")

http_url_validator = URLValidator(
    schemes=["http", "https"], message=_("Enter a web address that starts with http:// or https://.")
)


def fold(text):
    """Lower-case text without accents, for accent-insensitive matching on any database."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    if not decomposed.isascii():
        # filterfalse runs in C: an import folds a few names per row.
        decomposed = "".join(itertools.filterfalse(unicodedata.combining, decomposed))
    return decomposed.casefold().strip()


def normalize_neq(value):
    """Return the NEQ as 10 digits, accepting the spaces and dashes people type."""
    digits = re.sub(r"[\s\-.]", "", value or "")
    if not digits:
        return ""
    if not digits.isdigit() or len(digits) != 10:
        raise ValidationError(
            _("A Quebec enterprise number (NEQ) has exactly 10 digits."), code="neq_length"
        )
    if not digits.startswith(NEQ_PREFIXES):
        raise ValidationError(
            _("A Quebec enterprise number (NEQ) starts with 11, 22, 33 or 88."),
            code="neq_prefix",
        )
    return digits


def neq_passes_checksum(neq):
    """Digits 3 to 10 of a NEQ normally pass a Luhn check; a failure is worth a second look."""
    return bool(neq) and luhn.is_valid(neq[2:])


def normalize_postal_code(value):
    """Return a Canadian postal code as ``A1A 1A1``."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return CAPostalCodeField().clean(value.replace("-", " "))
    except ValidationError:
        raise ValidationError(
            _("Enter a Canadian postal code such as H2X 1Y4."), code="postal_code"
        ) from None


def normalize_phone(value):
    """Return a North American phone number in international format, extension kept."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "CA")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _("Enter a phone number such as 514 555-1234."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Control characters that no output accepts (XML, spreadsheets, PostgreSQL text): everything
# below U+0020 except tab, newline and carriage return, plus DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Word writes a manual line break as a vertical tab and a page break as a form feed: each
# becomes a space, so that the words on either side stay apart.
BREAKS_FROM_WORD = str.maketrans("\x0b\x0c", "  ")


def strip_control_characters(text):
    """The text without control characters that exports and databases refuse (a vertical tab
    pasted from Word, a NUL byte from a damaged file); tab and line breaks are kept."""
    if not isinstance(text, str) or text.isprintable():
        return text
    return CONTROL_CHARACTERS.sub("", text.translate(BREAKS_FROM_WORD))
