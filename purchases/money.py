"""Amounts of money typed by people, read the way their language writes them.

French writes `12 500,50 $` (spaces between thousands, a comma before the cents), English
`$12,500.50`. The comma means opposite things in the two, so a value that only one reading of
the page's language would take, and that another common reading takes differently, is refused
with a message showing both readings rather than guessed:

- French: `12,500` (a comma followed by three digits) reads 12,5 in French but twelve thousand
  five hundred in English; money never has three decimals, so it is surely a slip, of which kind
  we cannot tell.
- English: `12,50` (a comma followed by two digits) is the French way of writing 12.50.
- Both languages: `1.250,50` or `1,250.50` on a French page mix a thousands separator and a decimal
  mark of another convention.

A point followed by one or two digits is a decimal point in both languages (`12500.50` on a French
page, as typed on a numeric keypad), and spaces between groups of three digits are thousands in
both. `$`, `CAD` and `$ CA` may stand before or after the figure.
"""

import re
from decimal import Decimal

from babel.numbers import format_decimal
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

# Every space a keyboard, a spreadsheet or a formatter may put between thousands.
SPACES = " \u00a0\u202f\u2009\t"
CURRENCY = re.compile(r"^(?:CAD|\$\s*CA|\$)|(?:CAD|\$\s*CA|\$)$", re.IGNORECASE)
GROUPS_OF_THREE = re.compile(r"^\d{1,3}(?:[,.]\d{3})+$")
DIGITS = re.compile(r"^\d+$")
LOCALES = {"fr": "fr_CA", "en": "en_CA"}
CENT = Decimal("0.01")


def locale_of(language=None):
    language = (language or translation.get_language() or "fr")[:2]
    return LOCALES.get(language, LOCALES["fr"])


def format_amount(amount, language=None, grouping=True):
    """An amount as the language writes it, cents always shown (`12 500,50`, `12,500.50`)."""
    pattern = "#,##0.00" if grouping else "0.00"
    return format_decimal(amount, format=pattern, locale=locale_of(language))


def example(language=None):
    return format_amount(Decimal("12500.50"), language)


def how_to_write(value, language=None):
    return ValidationError(
        _("“%(value)s” cannot be read as an amount: write it like %(example)s.")
        % {"value": value, "example": example(language)},
        code="invalid",
    )


def ambiguous(value, first, second):
    return ValidationError(
        _("“%(value)s” could be read as %(first)s or as %(second)s: write the one you mean, "
          "exactly as shown.") % {"value": value, "first": first, "second": second},
        code="ambiguous",
    )


def parse_amount(text, language=None):
    """The Decimal an amount typed in `language` (the active one by default) stands for.

    Raises ValidationError, in the active language, saying how to write the amount.
    """
    language = locale_of(language)[:2]
    shown = str(text).strip()[:40]
    figure = CURRENCY.sub("", str(text).strip()).strip()
    if figure.startswith(("-", "(")) or figure.endswith("-"):
        raise ValidationError(
            _("An amount cannot be negative: write a credit note as a purchase of its own."),
            code="negative",
        )
    groups = re.split(f"[{SPACES}]+", figure)
    # Spaces may only separate thousands: every group after the first starts with three digits.
    if any(len(re.split(r"[,.]", group)[0]) != 3 for group in groups[1:]):
        raise how_to_write(shown, language)
    compact = "".join(groups)
    if not compact or any(character not in "0123456789,." for character in compact):
        raise how_to_write(shown, language)
    return read_separators(compact, shown, language)


def read_separators(compact, shown, language):
    """The number in `compact` (ASCII digits, commas, points), or the error its marks call for."""
    if DIGITS.match(compact):
        return Decimal(compact)
    commas, points = compact.count(","), compact.count(".")
    if commas and points:
        integer, _mark, cents = compact.rpartition(".")
        if language == "en" and GROUPS_OF_THREE.match(integer) and 1 <= len(cents) <= 2 \
                and DIGITS.match(cents):
            return Decimal(integer.replace(",", "") + "." + cents)
        raise ValidationError(
            _("“%(value)s” mixes the ways of writing thousands and cents: write it like "
              "%(example)s.") % {"value": shown, "example": example(language)},
            code="mixed",
        )
    mark = "," if commas else "."
    if commas + points > 1:
        # Several identical marks can only separate thousands, which English writes with commas.
        if mark == "," and language == "en" and GROUPS_OF_THREE.match(compact):
            return Decimal(compact.replace(",", ""))
        raise how_to_write(shown, language)
    integer, _mark, tail = compact.partition(mark)
    integer = integer or "0"
    as_thousands, as_decimal = Decimal(integer + tail), Decimal(f"{integer}.{tail or 0}")
    if len(tail) == 3:
        if mark == "," and language == "en":
            return as_thousands
        if as_decimal != as_decimal.quantize(CENT):
            raise how_to_write(shown, language)
        raise ambiguous(shown, format_amount(as_thousands, language),
                        format_amount(as_decimal, language))
    if not 1 <= len(tail) <= 2:
        raise how_to_write(shown, language)
    if mark == "," and language == "en":
        raise ambiguous(shown, format_amount(as_decimal, language),
                        format_amount(as_thousands, language))
    return as_decimal


class AmountInput(forms.TextInput):
    """A text box, so that `12 500,50` reaches the server as typed; phones show digits."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format_amount(value, grouping=False)
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """A DecimalField that reads the amount in the page's language (see `parse_amount`)."""

    widget = AmountInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        # DecimalField would add a `step` meant for number inputs; a text box takes none.
        return {key: value for key, value in super().widget_attrs(widget).items()
                if key != "step"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_amount(value)

    def validate(self, value):
        super(forms.DecimalField, self).validate(value)
