"""The search index as Django sees it (one row per enterprise, written only by the database),
and the synonym sets staff edit."""

import re

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _

from enterprises.history import History
from enterprises.models import Category, Enterprise

from .text import words

# Staff write one term a line, or several on a line separated by commas or semicolons.
TERM_SEPARATORS = re.compile(r"[\n,;]+")


class FullTextColumn(models.TextField):
    """SQLite's FTS5 hidden column, named after its table: the left side of MATCH and bm25()."""


@FullTextColumn.register_lookup
class Match(Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SearchDocument(models.Model):
    """An enterprise's entry in the full-text index, kept in sync by database triggers.

    Unmanaged: the table is an FTS5 virtual table on SQLite and a tsvector table on
    PostgreSQL (see ``sqlite.py`` and ``postgresql.py``). Each database has only the
    column its own backend reads; the model exists so that a search is an ordinary join.
    """

    enterprise = models.OneToOneField(
        Enterprise,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="search_document",
    )
    fts = FullTextColumn(db_column="enterprises_search")
    search_vector = SearchVectorField()

    class Meta:
        managed = False
        db_table = "enterprises_search"

    def __str__(self):
        return str(self.enterprise_id)


class SynonymSet(models.Model):
    """Words and phrases a buyer may use for one thing, in French or English: a search for any
    of them also finds the others (« traiteur » ↔ ``caterer`` ↔ « buffet »).

    Queries are expanded, not the index, so an edit takes effect on the next search without
    reindexing. Saving or deleting a set bumps the directory's revision (``synonyms``): each
    process then drops its copy of the sets and the matches it kept for recent searches.
    """

    terms = models.TextField(
        _("terms"),
        help_text=_(
            "One word or phrase per line (or separated by commas), in French or English, "
            "singular is enough: plurals and accents are ignored."
        ),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="synonym_sets",
        help_text=_(
            "The category these words name, if any: a search for them then offers that "
            "category as a filter."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = History()

    class Meta:
        verbose_name = _("synonym set")
        verbose_name_plural = _("synonym sets")
        ordering = ["pk"]

    def __str__(self):
        return " ↔ ".join(self.term_list())

    def term_list(self):
        """The set's terms as staff wrote them, without blanks or repeats."""
        terms = (term.strip() for term in TERM_SEPARATORS.split(self.terms or ""))
        return list(dict.fromkeys(term for term in terms if term))

    def clean(self):
        if len({" ".join(words(term)) for term in self.term_list()} - {""}) < 2:
            raise ValidationError(
                {"terms": _("Give at least two different words or phrases.")}
            )
