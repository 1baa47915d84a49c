"""Template tags of the site as a whole: ``{% load site %}`` (TEMPLATES' ``libraries``)."""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_supported_language_variant, override

from enterprises import formatting
from enterprises.history import labelled_history

register = template.Library()


@register.simple_tag(takes_context=True)
def in_language(context, language):
    """This page's address in ``language`` ("fr", "en"), query string included; the home page
    in that language for an address the site does not know."""
    if language == get_supported_language_variant(settings.LANGUAGE_CODE):
        language = settings.LANGUAGE_CODE  # the default ("fr-ca"), whose URLs have no prefix
    path = context["request"].get_full_path()
    translated = translate_url(path, language)
    if translated == path:
        with override(language):
            return reverse("enterprises:home")
    return translated


# Figures and typography by the page's language (enterprises/formatting.py has the rules);
# each filter returns a value it cannot read as a number unchanged.


@register.filter(is_safe=True)
def money(value, decimals=None):
    """``{{ amount|money }}``: ``1 250 000 $`` / ``$1,250,000``; ``money:0`` or ``money:2``."""
    return formatting.format_money(value, None if decimals in (None, "") else int(decimals))


@register.filter(is_safe=True)
def number(value, decimals=0):
    """``{{ count|number }}``: ``380 734`` / ``380,734``; ``number:1`` for one decimal."""
    return formatting.format_number(value, decimals)


@register.filter(is_safe=True)
def percent(value, decimals=1):
    """``{{ share|percent }}`` for a figure in percent: ``12,5 %`` / ``12.5%``."""
    return formatting.format_percent(value, decimals)


@register.filter(needs_autoescape=True)
def typo(value, autoescape=True):
    """``{{ text|typo }}``: the text escaped, then set by the page's language's typography."""
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(formatting.typeset(text))  # noqa: S308 - escaped on the line above


@register.filter
def collate(items, attributes=""):
    """``{% for region in regions|collate:"name" %}``: sorted by that attribute (or the item's
    text) as a dictionary of the page's language orders it, accents and case set aside. Dotted
    paths and several keys, comma-separated: ``collate:"family.localized_name,localized_title"``."""
    paths = [path.split(".") for path in attributes.split(",") if path.strip()]
    if not paths:
        return formatting.sorted_by_language(items)
    return sorted(items, key=lambda item: [
        formatting.collation_key(_lookup(item, path)) for path in paths
    ])


def _lookup(item, path):
    for attribute in path:
        item = item.get(attribute) if isinstance(item, dict) else getattr(item, attribute)
        item = item() if callable(item) else item
    return item


@register.simple_tag
def history_rows(records):
    """``{% history_rows page_obj as rows %}``: each history record with its changes labelled
    and translated (``enterprises.history.labelled_history``), whatever admin lists them."""
    return labelled_history(records)
