"""The registrant list of an event as CSV, for staff.

Names, organizations and emails are typed by visitors: every cell a spreadsheet could read as
a formula is made inert with the directory export's own helper.
"""

import itertools

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.exports import csv_chunks
from enterprises.models import Category
from enterprises.resources import inert

from .models import Registration


def registrant_rows(event):
    """The header, then one row per registration: confirmed, waitlisted, then cancelled.

    The header is translated now, while the request's language is active; the rows are
    read as the response streams.
    """
    header = [inert(str(title)) for title in (
        _("Status"), _("Registered as"), _("Name"), _("Organization"), _("Email"),
        _("Member organization"), _("Enterprise in the directory"), _("Region"),
        _("Products and services"), _("Registered on"), _("Cancelled on"),
    )]
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("organization", "enterprise", "region")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("name")))
        .in_queue_order()
    )
    return itertools.chain([header], map(registrant_row, registrations))


def registrant_row(registration):
    return [inert(cell) for cell in (
        registration.get_status_display(),
        registration.get_role_display(),
        registration.name,
        registration.organization_name,
        registration.email,
        registration.organization.name if registration.organization_id else "",
        registration.enterprise.name if registration.enterprise_id else "",
        registration.region.localized_name if registration.region_id else "",
        " | ".join(category.localized_name for category in registration.categories.all()),
        timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(registration.cancelled_at).strftime("%Y-%m-%d %H:%M")
        if registration.cancelled_at else "",
    )]


def registrants_csv_response(event):
    response = StreamingHttpResponse(
        csv_chunks(registrant_rows(event)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="inscriptions-{event.slug}.csv"'
    return response
