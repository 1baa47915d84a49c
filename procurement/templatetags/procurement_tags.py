"""Figures that other apps' pages show through one include line: the member dashboard's
request counts and the repertory's public, anonymized counts."""

from django import template
from django.utils import translation

from .. import stats

register = template.Library()


def localized(row, field):
    english = row.get(f"{field}__name_en")
    return english if translation.get_language() == "en" and english else row[f"{field}__name"]


@register.simple_tag
def organization_request_counts(organization):
    return stats.organization_counts(organization)


@register.simple_tag
def public_request_counts():
    return {
        "by_category": [
            {**row, "label": localized(row, "category")} for row in stats.by_category()
        ],
        "by_region": [{**row, "label": localized(row, "region")} for row in stats.by_region()],
    }
