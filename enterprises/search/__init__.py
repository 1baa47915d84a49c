"""Full-text search over the directory: one interface, one backend class per database.

``search_backend()`` picks the class once from the connection: ``PostgreSQLSearch`` (tsvector,
unaccent, GIN, pg_trgm) or ``SQLiteSearch`` (FTS5, Snowball, rapidfuzz); nothing else asks which
database runs. Both follow the rules of ``text.Query``: accents, case and plurals ignored, every
word required, the last word also matched as a prefix, a NEQ matched exactly.

The functions below are that interface on the default database (``search`` on the queryset's):
views, the directory index and bulk loads call only them.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections

from .backend import SearchBackend
from .models import SearchDocument, SynonymSet
from .postgresql import PostgreSQLSearch
from .sqlite import SQLiteSearch
from .synonyms import current_synonyms

__all__ = [
    "SearchDocument",
    "SynonymSet",
    "current_synonyms",
    "deferred_index",
    "matches",
    "rebuild_index",
    "search",
    "search_backend",
    "suggest",
]

BACKENDS = {"postgresql": PostgreSQLSearch, "sqlite": SQLiteSearch}


def backend_class(connection):
    return BACKENDS.get(connection.vendor, SearchBackend)


@cache
def search_backend(alias=DEFAULT_DB_ALIAS):
    """The search backend of the database ``alias`` names (its vendor never changes)."""
    return backend_class(connections[alias])(alias)


def search(queryset, q):
    """Enterprises of ``queryset`` matching the user's text ``q``, annotated with ``search_rank``.

    The order of ``queryset`` is kept: sort by ``-search_rank`` for relevance.
    """
    return search_backend(queryset.db).match(queryset, q)


def matches(q):
    """``[(id, relevance)]`` of every enterprise matching ``q``, published or not, by increasing
    id, ranked as ``search`` ranks them (None: ``q`` filters nothing); the directory's
    in-memory index combines them with the other filters."""
    return search_backend().matches(q)


def suggest(q):
    """A "did you mean" correction for a misspelled query, or None."""
    return search_backend().suggest(q)


def rebuild_index():
    """Rebuild the whole index and the "did you mean" vocabulary, e.g. after a bulk load."""
    search_backend().rebuild()


def deferred_index(touched=None):
    """For bulk loads: index in bulk, in one transaction (``SearchBackend.deferred``)."""
    return search_backend().deferred(touched)


# Index maintenance called by migrations and by the app's signal receivers.


def update_triggers(schema_editor):
    search_backend(schema_editor.connection.alias).update_triggers()


def create_index(schema_editor):
    """Create the index's tables (and, on PostgreSQL, its triggers); called by migration 0003."""
    search_backend(schema_editor.connection.alias).create_index()


def drop_index(schema_editor):
    search_backend(schema_editor.connection.alias).drop_index()


def prepare_connection(sender, connection, **kwargs):
    """``connection_created``, also for connections Django opens outside its handler (the one
    that creates the test database)."""
    backend_class(connection)(connection.alias).prepare_connection(connection)


def before_migrate(sender, using, plan=None, **kwargs):
    """``pre_migrate``, when there is something to migrate."""
    if plan:
        search_backend(using).before_migrate()


def after_migrate(sender, using, **kwargs):
    """``post_migrate``."""
    search_backend(using).after_migrate()
