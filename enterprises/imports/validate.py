"""Stage 4: check a tidy record against the model's rules and resolve vocabulary to our ids.

Every problem names its line, column, value and reason. Only a row without a name is rejected
here: a bad or unknown optional value is a warning, and the row lands without it (a draft, which
a curator completes), since losing a whole enterprise for one bad cell loses more than it saves.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..models import Enterprise
from ..validators import (
    http_url_validator,
    normalize_neq,
    normalize_phone,
    normalize_postal_code,
)
from .mapping import MULTI_FIELDS, RECORD_ID, UNKNOWN_VALUE_MESSAGE
from .normalize import is_canonical

ERROR = "error"
WARNING = "warning"
REQUIRED_TO_CREATE = ("name",)
# What a new enterprise gets when the file gives no legal form it can read.
DEFAULT_LEGAL_FORM = Enterprise.LegalForm.OTHER
RECORD_ID_LENGTH = 255  # as long as a slug: every slug the export writes comes back


class WarningKind(models.TextChoices):
    """The kinds of warning a run counts, shown first in its preview."""

    UNKNOWN_VALUE = "unknown_value", _("Value to map")
    INVALID_VALUE = "invalid_value", _("Value left out")
    UNKNOWN_CITY = "unknown_city", _("Unknown municipality")
    IDENTITY_CONFLICT = "identity_conflict", _("Same identifier, different enterprise")
    POSSIBLE_DUPLICATE = "possible_duplicate", _("Possible duplicate")
    SHARED_NEQ = "shared_neq", _("NEQ already given to another row")


VOCABULARY_FIELDS = ("legal_form", "region", "employee_band")
# Place names, read together once the row's other values are known (``locate``).
PLACE_TEXT = ("city", "municipality", "mrc")
CHECKS = {
    "neq": normalize_neq,
    "postal_code": normalize_postal_code,
    "phone": normalize_phone,
    "email": EmailValidator(message=_("Enter a valid email address.")),
    "website": http_url_validator,
}


@dataclasses.dataclass
class Problem:
    line: int
    column: str
    value: str
    message: str
    severity: str = ERROR
    params: dict = dataclasses.field(default_factory=dict)
    kind: str = ""  # a ``WarningKind`` for warnings
    field: str = ""

    def text(self, language=None):
        """The reason in the given language (both go into the error report)."""
        with translation.override(language or translation.get_language()):
            return str(self.message) % self.params if self.params else str(self.message)


def max_lengths():
    return {
        field.name: field.max_length
        for field in Enterprise._meta.concrete_fields
        if getattr(field, "max_length", None)
    }


MAX_LENGTHS = max_lengths()


class FieldNames:
    """For values that come from no column (a profile's constants): problems name the field."""

    @staticmethod
    def column_of(field):
        return field


class RecordValidator:
    """Validates one record at a time with the lookups loaded once per import."""

    def __init__(self, vocabulary, mapping, missing, places=None):
        self.vocabulary = vocabulary
        self.mapping = mapping
        self.missing = missing
        self.places = places

    def problem(self, line, field, value, message, severity=ERROR, params=None, kind=""):
        return Problem(line, self.mapping.column_of(field), value, message, severity,
                       params or {}, kind, field)

    def left_out(self, line, field, value, message, params=None):
        """A bad optional value: the row lands without it."""
        return self.problem(line, field, value, message, WARNING, params,
                            WarningKind.INVALID_VALUE)

    def validate(self, line, record):
        """Return (clean values, problems): scalars as text or ids, multi-values as sorted
        tuples of ids. A field absent or blank in the file is left out of the clean values."""
        clean, problems = {}, []
        for field, value in record.items():
            if field in PLACE_TEXT:
                continue
            if field == RECORD_ID:
                if len(value) > RECORD_ID_LENGTH:
                    problems.append(self.problem(line, field, value, _("This id is too long.")))
                clean[field] = value
                continue
            if not value:
                continue
            if field in MULTI_FIELDS:
                ids = set()
                for item in self.vocabulary.split(field, value):
                    if item in self.missing:
                        continue
                    found = self.vocabulary.resolve(field, item)
                    if found is None:
                        problems.append(self.problem(
                            line, field, item, UNKNOWN_VALUE_MESSAGE, WARNING,
                            kind=WarningKind.UNKNOWN_VALUE,
                        ))
                    else:
                        ids.add(found)
                clean[field] = tuple(sorted(ids))
                continue
            if field in VOCABULARY_FIELDS:
                found = self.vocabulary.resolve(field, value)
                if found is None:
                    problems.append(self.left_out(line, field, value, UNKNOWN_VALUE_MESSAGE))
                else:
                    clean[field] = found
                continue
            if field == "year_founded":
                year = int(value) if value.isdigit() else None
                if year is None or not 1800 <= year <= 2100:
                    problems.append(self.left_out(
                        line, field, value, _("Enter a year between 1800 and 2100.")
                    ))
                else:
                    clean[field] = year
                continue
            limit = MAX_LENGTHS.get(field)
            if limit and len(value) > limit:
                # Cut, a name would no longer be the one the network wrote: the row waits.
                report = self.problem if field == "name" else self.left_out
                problems.append(report(
                    line, field, value,
                    _("This value is too long (%(length)d characters, at most %(limit)d)."),
                    params={"length": len(value), "limit": limit},
                ))
                continue
            if field in CHECKS and not is_canonical(field, value):
                try:
                    CHECKS[field](value)
                except ValidationError as error:
                    reason = error.error_list[0]
                    problems.append(self.left_out(
                        line, field, value, reason.message, params=reason.params
                    ))
                    continue
            clean[field] = value
        if self.places and (record.get("city") or record.get("municipality") or record.get("mrc")
                            or clean.get("postal_code")):
            self.locate(line, record, clean, problems)
        elif record.get("city"):
            self.keep_city(line, record["city"], clean, problems)
        return clean, problems

    def keep_city(self, line, city, clean, problems):
        limit = MAX_LENGTHS["city"]
        if len(city) <= limit:
            clean["city"] = city
        else:
            problems.append(self.left_out(
                line, "city", city,
                _("This value is too long (%(length)d characters, at most %(limit)d)."),
                params={"length": len(city), "limit": limit},
            ))

    def locate(self, line, record, clean, problems):
        """The municipality, MRC and region from the row's place cells; a region cell wins.
        An unknown municipality is kept as text, with a warning."""
        city = record.get("city", "")
        # A geographic code names the municipality exactly; the city cell stays as text.
        place = self.places.resolve(city=record.get("municipality") or city,
                                    mrc=record.get("mrc", ""),
                                    postal_code=clean.get("postal_code", ""),
                                    region_id=clean.get("region"))
        if city:
            self.keep_city(line, city, clean, problems)
        for field, value in (("municipality", place.municipality_id), ("mrc", place.mrc_id),
                             ("region", place.region_id)):
            if value is not None:
                clean[field] = value
        if place.unknown_city:
            problems.append(self.problem(
                line, "city", place.unknown_city,
                _("No municipality of Quebec's official list has this name: the text is kept; "
                  "map a former name in the network's import profile."),
                WARNING, kind=WarningKind.UNKNOWN_CITY,
            ))

    def missing_required(self, line, clean):
        """A new enterprise needs a name; the rest a curator completes before publishing."""
        return [
            self.problem(line, field, "", _("This field is required for a new enterprise."))
            for field in REQUIRED_TO_CREATE
            if not clean.get(field)
        ]
