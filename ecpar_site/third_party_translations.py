"""Names that third-party apps show to staff in the admin without a French translation of
their own, or with one that breaks French spacing (an ordinary space before a colon). Listed
here so that ``makemessages`` keeps the project's French in its catalogue, which wins over
theirs."""

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = [
    gettext_noop("Task Results"),  # django-tasks-db's model, in the admin's sidebar
    # Django's admin: the theme button's label, read by screen readers.
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    # django-simple-history: the title of a historical record's page.
    gettext_noop("View history: %s"),
]
