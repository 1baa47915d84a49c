"""Names that third-party apps show to staff in the admin without a French translation of
their own. Listed here so that ``makemessages`` keeps their French in the project's catalogue."""

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = [
    gettext_noop("Task Results"),  # django-tasks-db's model, in the admin's sidebar
]
