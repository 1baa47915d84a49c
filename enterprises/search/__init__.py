"""Full-text search over the directory: one interface, one backend per database vendor.

Views and the API call only ``search``, ``suggest`` and ``rebuild_index``; whether PostgreSQL
(tsvector, unaccent, GIN, pg_trgm) or SQLite (FTS5, Snowball, rapidfuzz) answers is decided by
``connection.vendor``. Both follow the rules of ``text.Query``: accents, case and plurals
ignored, every word required, the last word also matched as a prefix, a NEQ matched exactly.
"""

from contextlib import ExitStack, contextmanager

from django.db import connection, connections, transaction
from django.db.models import FloatField, Value

from enterprises.models import Enterprise

from . import postgresql, sqlite
from .models import SearchDocument
from .text import MAX_TERMS, STOP_WORDS, Query, clean, words

__all__ = [
    "SearchDocument",
    "deferred_index",
    "matching_ids",
    "ranks",
    "rebuild_index",
    "search",
    "suggest",
]

BACKENDS = {"postgresql": postgresql, "sqlite": sqlite}


def backend(db_connection=connection):
    return BACKENDS[db_connection.vendor]


def search(queryset, q):
    """Enterprises of ``queryset`` matching the user's text ``q``, annotated with ``search_rank``.

    The order of ``queryset`` is kept: sort by ``-search_rank`` for relevance. A query with no
    searchable word (only punctuation, emoji, operators) matches nothing.
    """
    if not clean(q):
        return queryset
    query = Query.parse(q)
    if query.neq:
        # `neq != ""` lets SQLite use the partial unique index enterprise_unique_neq.
        return queryset.filter(neq=query.neq).exclude(neq="").annotate(
            search_rank=Value(1.0, output_field=FloatField())
        )
    if not query:
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    return backend(connections[queryset.db]).search(queryset, query)


def matching_ids(q):
    """The ids of every enterprise matching ``q``, published or not, read from the index alone.

    The same rules as ``search``: the directory's in-memory facets combine them with the other
    filters. None when ``q`` has nothing searchable in it, so filters nothing.
    """
    if not clean(q):
        return None
    query = Query.parse(q)
    if query.neq:
        return list(Enterprise.objects.filter(neq=query.neq).exclude(neq="").values_list(
            "pk", flat=True))
    if not query:
        return []
    return backend().matching_ids(query)


def ranks(q, ids):
    """``{enterprise id: relevance}`` for those of ``ids`` that match ``q``, as ``search`` ranks.

    Ranking reads each entry whole, so it is done only for the enterprises that the other
    filters kept. Its rows are read from a plain cursor: Django's converters, called for each
    of ten thousand ranks, took longer than SQLite's ranking itself.
    """
    query = Query.parse(q)
    if query.neq:
        return dict.fromkeys(ids, 1.0)
    if not ids or not query:
        return {}
    wanted = set(ids)
    sql, params = backend().ranked(query, ids).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: rank for pk, rank in cursor if pk in wanted}


def suggest(q):
    """A "did you mean" correction for a misspelled query, or None.

    Each word that matches nothing is replaced by the closest known word; the correction is
    offered only if it finds published enterprises, so it never reveals an unpublished name.
    """
    published = Enterprise.objects.published()
    typed = words(clean(q))[:MAX_TERMS]
    corrected = [
        word if is_known(word, published) else closest_word(word, published) for word in typed
    ]
    if None in corrected or corrected == typed:
        return None
    suggestion = " ".join(corrected)
    return suggestion if search(published, suggestion).exists() else None


def is_known(word, published):
    return len(word) < 3 or word in STOP_WORDS or search(published, word).exists()


def closest_word(word, published, candidates=5):
    for spelling in backend().similar_words(connection, word, candidates):
        if search(published, spelling).exists():
            return spelling
    return None


def rebuild_index():
    """Rebuild the whole index and the "did you mean" vocabulary, e.g. after a bulk load."""
    backend().rebuild(connection)


@contextmanager
def deferred_index(touched=None):
    """For bulk loads, in one transaction: index in bulk instead of row by row.

    ``touched`` is a set the caller fills with the ids of the enterprises it wrote (created, or
    changed in a name, a description, a category or a sector): only those are indexed, by
    set-based statements. Without it the whole index is rebuilt on SQLite, and PostgreSQL's
    per-statement triggers keep working. An error rolls everything back, the index and its
    triggers included.

    Yields an object whose ``index_touched()`` the caller calls after each batch: on
    PostgreSQL the batch is indexed on the server while the caller prepares the next one
    (``postgresql.BackgroundIndexer``); elsewhere the ids wait for the end.
    """
    if connection.vendor not in BACKENDS:
        yield IndexAtTheEnd()
        return
    vendor = backend()
    with transaction.atomic(), ExitStack() as stack:
        if touched is not None or connection.vendor == "sqlite":
            vendor.defer(connection)
        indexer = IndexAtTheEnd()
        if touched is not None and connection.vendor == "postgresql":
            indexer = postgresql.BackgroundIndexer(connection, touched)
            stack.enter_context(connection.execute_wrapper(indexer))
            stack.callback(indexer.collect)  # before the transaction ends, however it ends
        yield indexer
        if touched is not None:
            vendor.index(connection, touched)
        elif connection.vendor == "sqlite":
            sqlite.create_triggers(connection)
            sqlite.rebuild(connection)
        if connection.vendor == "postgresql":
            postgresql.analyze(connection)


class IndexAtTheEnd:
    """The indexer where batches cannot be indexed in the background: all of it at the end."""

    def index_touched(self):
        pass


def update_triggers(schema_editor):
    """Bring PostgreSQL's trigger functions up to this code's; SQLite's follow ``migrate``."""
    if schema_editor.connection.vendor == "postgresql":
        postgresql.update_triggers(schema_editor.connection)


def create_index(schema_editor):
    """Create the index's tables (and, on PostgreSQL, its triggers); called by migration 0003."""
    if schema_editor.connection.vendor in BACKENDS:
        backend(schema_editor.connection).create_index(schema_editor.connection)


def drop_index(schema_editor):
    if schema_editor.connection.vendor in BACKENDS:
        backend(schema_editor.connection).drop_index(schema_editor.connection)


def prepare_connection(sender, connection, **kwargs):
    """``connection_created``: SQLite triggers and queries call Python to fold and stem."""
    if connection.vendor == "sqlite":
        sqlite.register_functions(connection.connection)


def before_migrate(sender, using, plan=None, **kwargs):
    """``pre_migrate``: drop SQLite triggers, which would break Django's table rebuilds."""
    db_connection = connections[using]
    if plan and db_connection.vendor == "sqlite":
        sqlite.drop_triggers(db_connection)


def after_migrate(sender, using, **kwargs):
    """``post_migrate``: put SQLite triggers back (or update them) and rebuild the index."""
    db_connection = connections[using]
    if db_connection.vendor != "sqlite" or not sqlite.index_exists(db_connection):
        return
    if sqlite.outdated_triggers(db_connection):
        sqlite.create_triggers(db_connection)
        sqlite.rebuild(db_connection)
