"""Template tags of the site as a whole: ``{% load site %}`` (TEMPLATES' ``libraries``)."""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_supported_language_variant, override

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
