"""Figures that other apps' pages show through one include line: the member dashboard's
request counts and the repertory's public, anonymized counts."""

from django import template

from .. import stats

register = template.Library()


@register.simple_tag
def organization_request_counts(organization):
    return stats.organization_counts(organization)


@register.simple_tag
def public_request_counts():
    return {
        "by_category": stats.labelled(stats.by_category(), "category"),
        "by_region": stats.labelled(stats.by_region(), "region"),
    }
