"""Sections that other apps add to the directory's pages.

The directory imports no other app of the project (``tests/test_dependencies.py`` checks it):
an app that has something to show on the home page, or knows something about an enterprise
(its buyers, its video capsules), registers a section from its ``AppConfig.ready()``, and the
page includes the section's template.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

ENTERPRISE_PAGE = "enterprise"
HOME_PAGE = "home"
# A category's page, and the listing (for the categories chosen in its filters).
CATEGORY_PAGE = "category"
LISTING_PAGE = "listing"
# A page of the enterprise portal (enterprise_accounts) that another app adds, such as the
# requests for quotes (procurement): its context is read only once the portal has checked
# that the visitor keeps the enterprise. A section of the same name on ENTERPRISE_PORTAL_TITLE,
# rendered with no context, gives its title, which is also its link in the portal's menu.
ENTERPRISE_PORTAL = "enterprise_portal"
ENTERPRISE_PORTAL_TITLE = "enterprise_portal_title"
# Links under each result card. Cards are cached for everyone, so an action is a template
# that reads only ``enterprise`` (a plain link, the same for every visitor); its ``context``
# is not called.
CARD_ACTIONS = "card"


@dataclass(frozen=True)
class Section:
    """A block of a page, rendered with ``template_name``, which reads what
    ``context(enterprise, request)`` returns as ``section`` (the enterprise is None on the
    home page, the category on a category's page, the list of chosen categories on the
    listing).

    ``presence``, on the enterprise page, is a boolean expression on the enterprise (an
    ``Exists``), read for all sections in one query as ``has_<name>`` (``read_presence``):
    ``context`` then runs its own queries only for the enterprises that have something to
    show. Its SQL is kept once composed, so it must not depend on the moment (no ``now()``).
    """

    page: str
    name: str
    template_name: str
    context: Callable[[Any, Any], Any]
    order: int
    presence: Any = None

    @property
    def presence_name(self):
        return f"has_{self.name}"


_sections = {}
# The SQL that ``read_presence`` runs, by database alias and the flags it reads.
_presence_sql = {}


def register_section(page, name, template_name, context, order, presence=None):
    """Add a section to a page; registering a name again replaces it."""
    _sections[page, name] = Section(page, name, template_name, context, order, presence)
    _presence_sql.clear()


def registered_sections(page):
    return sorted(
        (section for section in _sections.values() if section.page == page),
        key=lambda section: (section.order, section.name),
    )


def read_presence(enterprise):
    """Set on ``enterprise``, for each section of its page that declares a ``presence``, its
    ``has_<name>`` flag: one query, whose SQL is composed once per process and database, since
    composing the sections' ``Exists`` took twenty times longer than running them. The
    enterprise is chosen around that SQL, which reads every enterprise's flags."""
    sections = [section for section in registered_sections(ENTERPRISE_PAGE)
                if section.presence is not None]
    if not sections:
        return
    model = type(enterprise)
    connection = connections[router.db_for_read(model)]
    names = tuple(section.presence_name for section in sections)
    if (sql := _presence_sql.get((connection.alias, names))) is None:
        flags = model.objects.order_by().annotate(**{
            section.presence_name: section.presence for section in sections
        }).values_list("pk", *names)
        sql = _presence_sql[connection.alias, names] = flags.query.sql_with_params()
    flags_sql, params = sql
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ({flags_sql}) presence WHERE {connection.ops.quote_name('pk')} = %s",
            [*params, enterprise.pk],
        )
        row = cursor.fetchone()
    # No row: the enterprise was deleted since it was read, and has nothing to show.
    flags = row[1:] if row else [False] * len(sections)
    for section, flag in zip(sections, flags, strict=True):
        setattr(enterprise, section.presence_name, bool(flag))


@dataclass(frozen=True)
class RenderedSection:
    template_name: str
    context: Any


def sections_for(page, request, enterprise=None):
    """The page's sections that have something to show, in order."""
    return [
        RenderedSection(section.template_name, section.context(enterprise, request))
        for section in registered_sections(page)
        if section.presence is None or getattr(enterprise, section.presence_name)
    ]


def card_action_templates():
    """The templates other apps add under each result card, which
    ``includes/enterprise_card.html`` includes in turn."""
    return [section.template_name for section in registered_sections(CARD_ACTIONS)]
