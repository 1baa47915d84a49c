"""Sections that other apps add to the enterprise page.

The directory imports no other app of the project (``tests/test_dependencies.py`` checks it):
an app that knows something about an enterprise, such as its buyers or its video capsules,
registers a section from its ``AppConfig.ready()``, and the enterprise page shows it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """A block of the enterprise page, rendered with ``template_name``.

    ``presence`` is a boolean expression on the enterprise (an ``Exists``), read with the
    enterprise in its one query as ``has_<name>``: ``context`` runs its own queries only for
    the enterprises that have something to show. ``context(enterprise, request)`` returns what
    the template reads as ``section``.
    """

    name: str
    template_name: str
    context: Callable[[Any, Any], Any]
    order: int
    presence: Any = None

    @property
    def presence_name(self):
        return f"has_{self.name}"


_sections = {}


def register_section(name, template_name, context, order, presence=None):
    """Add a section to the enterprise page; registering a name again replaces it."""
    _sections[name] = Section(name, template_name, context, order, presence)


def registered_sections():
    return sorted(_sections.values(), key=lambda section: (section.order, section.name))


def with_presence(queryset):
    """The enterprises with, for each section that declares one, its ``has_<name>`` flag."""
    return queryset.annotate(**{
        section.presence_name: section.presence
        for section in registered_sections()
        if section.presence is not None
    })


@dataclass(frozen=True)
class RenderedSection:
    template_name: str
    context: Any


def sections_for(enterprise, request):
    """The sections the enterprise has something to show in, in page order."""
    return [
        RenderedSection(section.template_name, section.context(enterprise, request))
        for section in registered_sections()
        if section.presence is None or getattr(enterprise, section.presence_name)
    ]
