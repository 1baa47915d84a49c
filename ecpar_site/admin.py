"""The site's admin: Django's, with every view refusing input that would end in a 500.

Django's own views type their input, but not every view does: simple-history's pages and some
of ours look an object up with the id from the URL as typed, and a year lookup is checked only
when the query runs. This site checks that input once, in front of every admin view.
"""

import inspect
from functools import wraps

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from simple_history.utils import get_history_model_for_model

# Years a date filter may ask for; Python's dates, and so Django's year lookups, fail outside
# 1..9999, and the directory holds nothing outside this range.
YEARS = range(1900, 2101)
MONTHS = range(1, 13)
DAYS = range(1, 32)
# The lookups that turn a year into a range of dates when the query is compiled.
YEAR_LOOKUPS = ("year", "iso_year")
COMPARISONS = ("exact", "gt", "gte", "lt", "lte")


def has_null_character(request, args, kwargs):
    """NUL in the query string or the URL: PostgreSQL refuses it in any text it is sent."""
    values = [*args, *kwargs.values()]
    for key, listed in request.GET.lists():
        values += [key, *listed]
    return any("\x00" in value for value in values if isinstance(value, str))


def within(values, allowed):
    try:
        return all(int(value) in allowed for value in values)
    except ValueError:
        return False


def dates_fit(query, date_hierarchy):
    """Whether every year, month and day the changelist would filter on is a real date part."""
    for key, values in query.lists():
        parts = key.split("__")
        if parts[-1] in COMPARISONS and len(parts) > 2:
            parts.pop()
        if len(parts) > 1 and parts[-1] in YEAR_LOOKUPS and not within(values, YEARS):
            return False
    if date_hierarchy:
        for part, allowed in (("month", MONTHS), ("day", DAYS)):
            if not within(query.getlist(f"{date_hierarchy}__{part}"), allowed):
                return False
    return True


def ids_fit(model, arguments):
    """Whether the object id (and a history page's version id) can be a primary key."""
    fields = {"object_id": model._meta.pk}
    if "version_id" in arguments:
        fields["version_id"] = get_history_model_for_model(model)._meta.pk
    for name, field in fields.items():
        if name in arguments:
            try:
                field.to_python(unquote(arguments[name]))
            except ValidationError:
                return False
    return True


def checked_input(view):
    """The view, behind checks of its URL arguments and query string.

    NUL anywhere is a 400; an id that cannot be a primary key is a 404, as a missing object
    is; a date filter outside real dates sends the changelist back to its unfiltered page,
    as Django does for any other lookup it cannot apply.
    """
    model_admin = getattr(view, "__self__", None)
    is_model_view = isinstance(model_admin, admin.ModelAdmin)

    @wraps(view)
    def checked(request, *args, **kwargs):
        if has_null_character(request, args, kwargs):
            return HttpResponseBadRequest(_("Null characters are not allowed."))
        if is_model_view:
            arguments = inspect.signature(view).bind_partial(request, *args, **kwargs).arguments
            if not ids_fit(model_admin.model, arguments):
                raise Http404
            is_changelist = view == model_admin.changelist_view
            if is_changelist and not dates_fit(request.GET, model_admin.date_hierarchy):
                return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return view(request, *args, **kwargs)

    return checked


class AdminSite(admin.AdminSite):
    """Django's admin site, every view of which checks its input first (``checked_input``)."""

    def admin_view(self, view, cacheable=False):
        return super().admin_view(checked_input(view), cacheable)
