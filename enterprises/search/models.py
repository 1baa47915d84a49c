"""The search index as Django sees it: one row per enterprise, written only by the database."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Lookup

from enterprises.models import Enterprise


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
