"""Stage 4: check a tidy record against the model's rules and resolve vocabulary to our ids.

Every problem names its line, column, value and reason; the row is rejected on an error and
kept (without the value) on a warning, such as a sector nobody has mapped yet.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
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
REQUIRED_TO_CREATE = ("name", "legal_form", "region")
VOCABULARY_FIELDS = ("legal_form", "region", "employee_band")
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


class RecordValidator:
    """Validates one record at a time with the lookups loaded once per import."""

    def __init__(self, vocabulary, mapping, missing):
        self.vocabulary = vocabulary
        self.mapping = mapping
        self.missing = missing

    def problem(self, line, field, value, message, severity=ERROR, params=None):
        return Problem(line, self.mapping.column_of(field), value, message, severity,
                       params or {})

    def validate(self, line, record):
        """Return (clean values, problems): scalars as text or ids, multi-values as sorted
        tuples of ids. A field absent or blank in the file is left out of the clean values."""
        clean, problems = {}, []
        for field, value in record.items():
            if field == RECORD_ID:
                if len(value) > 100:
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
                            line, field, item, UNKNOWN_VALUE_MESSAGE, WARNING
                        ))
                    else:
                        ids.add(found)
                clean[field] = tuple(sorted(ids))
                continue
            if field in VOCABULARY_FIELDS:
                found = self.vocabulary.resolve(field, value)
                if found is None:
                    problems.append(self.problem(line, field, value, UNKNOWN_VALUE_MESSAGE))
                else:
                    clean[field] = found
                continue
            if field == "year_founded":
                year = int(value) if value.isdigit() else None
                if year is None or not 1800 <= year <= 2100:
                    problems.append(self.problem(
                        line, field, value, _("Enter a year between 1800 and 2100.")
                    ))
                else:
                    clean[field] = year
                continue
            limit = MAX_LENGTHS.get(field)
            if limit and len(value) > limit:
                problems.append(self.problem(
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
                    problems.append(self.problem(
                        line, field, value, reason.message, params=reason.params
                    ))
                    continue
            clean[field] = value
        return clean, problems

    def missing_required(self, line, clean):
        """A new enterprise needs a name, a legal form and a region."""
        return [
            self.problem(line, field, "", _("This field is required for a new enterprise."))
            for field in REQUIRED_TO_CREATE
            if not clean.get(field)
        ]
