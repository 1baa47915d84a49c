"""Amounts typed by members are read the way their page's language writes them, or refused with
a message that says how to write them."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from purchases.money import MoneyField, parse_amount

CENTS = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)


@pytest.mark.parametrize(("typed", "language", "amount"), [
    ("12 500,50", "fr", "12500.50"),
    ("12500,50", "fr", "12500.50"),
    ("12 500 $", "fr", "12500"),
    ("12\u00a0500,50\u00a0$", "fr", "12500.50"),
    ("12\u202f500,50", "fr", "12500.50"),
    ("12500.50", "fr", "12500.50"),  # a numeric keypad's point: a decimal mark in both languages
    ("12,5", "fr", "12.5"),
    ("12,500.50", "en", "12500.50"),
    ("$12,500", "en", "12500"),
    ("12 500", "en", "12500"),
    ("1,250,000", "en", "1250000"),
    ("$ 12,500.5", "en", "12500.5"),
    ("CAD 300", "en", "300"),
])
def test_amounts_are_read_as_the_language_writes_them(typed, language, amount):
    assert parse_amount(typed, language) == Decimal(amount)


@pytest.mark.parametrize(("typed", "language", "says"), [
    # French reads 12,500 as twelve and a half, but money never has three decimals: it is
    # surely the English twelve thousand five hundred, or a slip; the member chooses.
    ("12,500", "fr", "12\u00a0500,00 ou comme 12,50"),
    ("$12,500", "fr", "12\u00a0500,00 ou comme 12,50"),
    ("12,50", "en", "12.50 or as 1,250.00"),
    ("12.500", "en", "12,500.00 or as 12.50"),
    ("1.250,50", "fr", "12\u00a0500,50"),
    ("1.250,50", "en", "12,500.50"),
    ("1,250.50", "fr", "12\u00a0500,50"),
    ("12 50", "fr", "12\u00a0500,50"),
    ("douze", "fr", "12\u00a0500,50"),
    ("1e5", "en", "12,500.50"),
    ("12,345", "fr", "12\u00a0500,50"),
    ("-5", "en", "negative"),
    ("-5", "fr", "négatif"),
])
def test_ambiguous_or_wrong_amounts_say_how_to_write_them(typed, language, says):
    with translation.override(language), pytest.raises(ValidationError) as refusal:
        parse_amount(typed)
    assert says in refusal.value.messages[0]
    assert typed in refusal.value.messages[0] or refusal.value.code == "negative"


@given(CENTS)
def test_an_amount_written_by_the_french_formatter_reads_back_the_same(amount):
    assert parse_amount(format_currency(amount, "CAD", locale="fr_CA"), "fr") == amount
    assert parse_amount(format_decimal(amount, "#,##0.00", locale="fr_CA"), "fr") == amount
    assert parse_amount(format_decimal(amount, "0.00", locale="fr_CA"), "fr") == amount


@given(CENTS)
def test_an_amount_written_by_the_english_formatter_reads_back_the_same(amount):
    assert parse_amount(format_currency(amount, "CAD", locale="en_CA"), "en") == amount
    assert parse_amount(format_decimal(amount, "#,##0.00", locale="en_CA"), "en") == amount
    assert parse_amount(format_decimal(amount, "0.00", locale="en_CA"), "en") == amount


@given(st.text(max_size=30))
def test_any_text_is_an_amount_or_a_message_never_a_crash(text):
    for language in ("fr", "en"):
        try:
            amount = parse_amount(text, language)
        except ValidationError as refusal:
            assert refusal.messages[0]
        else:
            assert amount >= 0


def test_the_money_field_is_a_text_box_phones_show_digits_for():
    rendered = MoneyField(max_digits=14).widget.render("amount", Decimal("12500.50"))
    assert 'type="text"' in rendered and 'inputmode="decimal"' in rendered
    assert "step" not in rendered


def test_the_money_field_shows_a_stored_amount_the_way_the_page_writes_it():
    field = MoneyField(max_digits=14)
    with translation.override("fr"):
        assert 'value="12500,50"' in field.widget.render("amount", Decimal("12500.50"))
    with translation.override("en"):
        assert 'value="12500.50"' in field.widget.render("amount", Decimal("12500.50"))
