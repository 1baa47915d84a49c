"""Figures and typography by the page's language: the ``site`` filters and their Python side."""

from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from enterprises.formatting import (
    format_money,
    format_number,
    format_percent,
    sorted_by_language,
    typeset,
)

NBSP = "\u00a0"


def render(source, language, **context):
    template = engines["django"].from_string("{% load site %}" + source)
    with translation.override(language):
        return template.render(context)


@pytest.mark.parametrize(("language", "value", "expected"), [
    ("fr-ca", 1250000, f"1{NBSP}250{NBSP}000{NBSP}$"),
    ("fr", Decimal("380734.00"), f"380{NBSP}734{NBSP}$"),
    ("fr-ca", "12500.5", f"12{NBSP}500,50{NBSP}$"),
    ("en", 1250000, "$1,250,000"),
    ("en", Decimal("12500.50"), "$12,500.50"),
    ("en", -12, "-$12"),
])
def test_money_is_written_as_the_language_writes_it(language, value, expected):
    assert render("{{ value|money }}", language, value=value) == expected


def test_money_rounds_to_the_dollar_or_shows_cents_on_request():
    assert render("{{ v|money:0 }}", "en", v=Decimal("12500.50")) == "$12,500"
    assert render("{{ v|money:2 }}", "fr", v=12) == f"12,00{NBSP}$"


@pytest.mark.parametrize(("language", "source", "expected"), [
    ("fr", "{{ v|number }}", f"380{NBSP}734"),
    ("en", "{{ v|number }}", "380,734"),
    ("fr", "{{ v|number:1 }}", f"380{NBSP}734,0"),
    ("fr", "{{ p|percent }}", f"12,5{NBSP}%"),
    ("en", "{{ p|percent }}", "12.5%"),
    ("fr", "{{ whole|percent }}", f"100{NBSP}%"),
    ("en", "{{ beyond|percent }}", "295%"),
])
def test_counts_and_percentages_are_written_as_the_language_writes_them(
    language, source, expected
):
    assert render(source, language, v=380734, p=12.5, whole=100.0, beyond=295) == expected


@pytest.mark.parametrize("value", [None, "", "n/a"])
def test_a_value_that_is_not_a_number_is_shown_as_it_is(value):
    shown = value or ""
    assert render("{{ v|money }}|{{ v|percent }}|{{ v|number }}", "fr", v=value) == (
        f"{shown}|{shown}|{shown}"
    )


def test_french_typography_binds_signs_to_their_words_with_no_break_spaces():
    html = render("{{ text|typo }}", "fr", text="Brouillon : 9 ; « oui » ! 100 % <b>")
    assert html == f"Brouillon{NBSP}: 9{NBSP}; «{NBSP}oui{NBSP}»{NBSP}! 100{NBSP}% &lt;b&gt;"


def test_french_typography_adds_no_space_where_the_writer_put_none():
    assert typeset("https://example.org 13:40", "fr") == "https://example.org 13:40"


def test_english_pages_get_no_french_typography():
    assert typeset("Draft : 9, « yes » ! 100 % of the target", "en") == (
        "Draft: 9, “yes”! 100% of the target"
    )


def test_lists_sort_as_a_dictionary_does_accents_and_case_aside():
    names = ["Zone", "école", "Est", "Abitibi", "Éducation", "eau"]
    assert sorted_by_language(names) == ["Abitibi", "eau", "école", "Éducation", "Est", "Zone"]
    rows = [{"name": "Érable"}, {"name": "Outaouais"}, {"name": "estrie"}]
    assert render('{% for r in rows|collate:"name" %}{{ r.name }},{% endfor %}', "fr",
                  rows=rows) == "Érable,estrie,Outaouais,"


def test_python_side_takes_the_language_it_is_given():
    assert format_money(1250000, language="en") == "$1,250,000"
    assert format_number(1250000, language="fr") == f"1{NBSP}250{NBSP}000"
    assert format_percent(Decimal("152.04"), language="fr") == f"152{NBSP}%"


def test_lists_sort_by_a_related_name_then_their_own_in_the_page_language():
    class Named:
        def __init__(self, name, family=None):
            self.localized_name, self.family = name, family

    cleaning, catering = Named("Cleaning"), Named("Catering")
    items = [Named("Windows", cleaning), Named("buffets", catering), Named("Offices", cleaning)]
    html = render('{% for i in items|collate:"family.localized_name,localized_name" %}'
                  "{{ i.localized_name }},{% endfor %}", "en", items=items)
    assert html == "buffets,Offices,Windows,"
