"""Numbers, money, percentages, typography and sorting by the page's language.

The one place that knows how fr-CA and en-CA write a figure: templates reach it through the
``site`` tag library (``ecpar_site/templatetags.py``), Python code (statistics labels, exports)
imports it from here, at the bottom of the apps so that every app may. CLDR's data (babel)
decides the separators: fr-CA groups thousands with U+00A0 and puts U+00A0 before ``$`` and
``%``; en-CA writes ``$1,250,000`` and ``12.5%``.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as babel_format_percent
from django.utils.translation import get_language

NBSP = "\u00a0"


def babel_locale(language=None):
    """The CLDR locale for a Django language code (``fr``, ``fr-ca``, ``en``); French when
    nothing is active, as on the site's unprefixed pages."""
    language = (language or get_language() or "fr").lower()
    return "en_CA" if language.startswith("en") else "fr_CA"


def _as_decimal(value):
    """``value`` as a Decimal, or None when it is not a number (empty, text, None)."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@lru_cache(maxsize=8)
def _whole_currency_pattern(locale):
    # The locale's own pattern without its cents: amounts in whole dollars read "1 250 000 $".
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return pattern.replace(".00", "")


def format_money(value, decimals=None, language=None):
    """``1 250 000 $`` / ``$1,250,000``; cents shown when the amount has some, or always with
    ``decimals=2``; ``decimals=0`` rounds to the dollar. None is shown as nothing; anything else
    that is not a number is returned unchanged (so are those of the other functions)."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else value
    locale = babel_locale(language)
    if decimals is None:
        decimals = 0 if number == number.to_integral_value() else 2
    if int(decimals) == 0:
        return format_currency(
            number.quantize(Decimal(1)), "CAD", format=_whole_currency_pattern(locale),
            locale=locale, currency_digits=False,
        )
    return format_currency(number, "CAD", locale=locale)


def format_number(value, decimals=0, language=None):
    """``380 734`` / ``380,734``; ``decimals`` fixes the digits after the decimal mark
    (``12,5`` / ``12.5``). Not a number: returned unchanged."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else value
    decimals = int(decimals)
    quantum = Decimal(1).scaleb(-decimals)
    return format_decimal(
        number.quantize(quantum), format="#,##0" + ("." + "0" * decimals if decimals else ""),
        locale=babel_locale(language),
    )


def format_percent(value, decimals=1, language=None):
    """A figure already in percent (12.5, not 0.125): ``12,5 %`` / ``12.5%``; at most
    ``decimals`` digits after the mark, none when they are zeros (``100 %``, never capped).
    Not a number: returned unchanged."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else value
    rounded = number.quantize(Decimal(1).scaleb(-int(decimals))).normalize()
    return babel_format_percent(
        rounded / 100, locale=babel_locale(language), decimal_quantization=False
    )


# French: the spaces that come before these signs (or after «) must not break the line.
_FRENCH_SPACE_BEFORE = re.compile(r"[ \u202f](?=[:;!?%$»])")
_FRENCH_SPACE_AFTER = re.compile(r"(?<=«)[ \u202f]")
# English: no space before a colon, semicolon, exclamation or question mark, nor before %.
_ENGLISH_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]+(?=[:;!?](?:\s|$)|%)")
_ENGLISH_QUOTES = re.compile(r"«[ \u00a0\u202f]*(.*?)[ \u00a0\u202f]*»", re.DOTALL)


def typeset(text, language=None):
    """``text`` set by the language's rules. French: the spaces before ``: ; ! ? % $ »`` and
    after ``«`` become non-breaking (none is added where the writer put none, so addresses and
    times are left alone). English: no space before ``: ; ! ? %``, and « » become “ ”."""
    if not text:
        return text
    text = str(text)
    if babel_locale(language) == "fr_CA":
        text = _FRENCH_SPACE_BEFORE.sub(NBSP, text)
        return _FRENCH_SPACE_AFTER.sub(NBSP, text)
    text = _ENGLISH_QUOTES.sub(r"“\1”", text)
    return _ENGLISH_SPACE_BEFORE.sub("", text)


def collation_key(text):
    """A sort key that orders words as a dictionary of either language does: accents and case
    set aside (``École`` between ``Eau`` and ``Est``), the exact text breaking ties."""
    text = str(text or "")
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    return (stripped.casefold(), text)


def sorted_by_language(items, key=str):
    """``items`` sorted by ``key(item)`` (their label in the active language) with
    :func:`collation_key`: call it where the labels are already translated."""
    return sorted(items, key=lambda item: collation_key(key(item)))
