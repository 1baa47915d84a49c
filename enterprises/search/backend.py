"""What every database's search does the same way, around the few hooks each database fills in.

A ``SearchBackend`` parses the user's text (``text.Query``), answers a NEQ from the
enterprises' own column, and leaves the full-text part to its subclass: ``PostgreSQLSearch``
(tsvector, unaccent, GIN, pg_trgm) or ``SQLiteSearch`` (FTS5, Snowball, rapidfuzz). The base
class itself serves a database with no full-text index: its index maintenance does nothing.
"""

from contextlib import contextmanager

from django.db import connections, transaction
from django.db.models import FloatField, Value
from rapidfuzz import fuzz, process

from enterprises.models import Enterprise

from .synonyms import current_synonyms
from .text import MAX_TERMS, STOP_WORDS, Query, clean, words

# The relevance of the words as typed, added to the expanded query's with this weight, so a
# typed match outranks an equal synonym match. benchmark_relevance's nDCG@10 on the demo
# directory: 0.973 from 0.5 to 2, 0.972 at 5, 0.915 at 1000 (typed matches always first).
# A whole number: SQLite repeats the typed words that many times (``SQLiteSearch.ranked``).
TYPED_WEIGHT = 2


def expands(query):
    """Whether synonym sets add anything to ``query``."""
    return query.expand and query.clauses(current_synonyms()) != query.clauses()


class SearchBackend:
    """Search and index maintenance on one database connection (by alias, since Django's
    connections are per thread)."""

    def __init__(self, alias):
        self.alias = alias

    @property
    def connection(self):
        return connections[self.alias]

    # Searching ------------------------------------------------------------------------------

    def match(self, queryset, q):
        """Enterprises of ``queryset`` matching the user's text ``q``, annotated with
        ``search_rank``; the order of ``queryset`` is kept. A text with no searchable word
        (only punctuation, emoji, operators) matches nothing; an empty one filters nothing."""
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
        return self.filter_matches(queryset, query)

    def matches(self, q):
        """``[(id, relevance)]`` of every enterprise matching ``q``, published or not, by
        increasing id, ranked as ``match`` ranks them; None when ``q`` has nothing searchable
        in it, so filters nothing.

        Found and ranked by one statement: ranking only those that the other filters keep
        took a second one, which read their entries in the index again and cost more than
        ranking them all in the first. Read from a plain cursor: Django's converters, called
        for each of thousands of rows, cost more than the database's ranking itself.
        """
        if not clean(q):
            return None
        query = Query.parse(q)
        if query.neq:
            ids = (Enterprise.objects.using(self.alias).filter(neq=query.neq).exclude(neq="")
                   .order_by("pk").values_list("pk", flat=True))
            return [(pk, 1.0) for pk in ids]
        if not query:
            return []
        sql, params = self.ranked(query)
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def suggest(self, q):
        """A "did you mean" correction for a misspelled text, or None.

        Each word that matches nothing is replaced by the closest known word; the correction is
        offered only if it finds published enterprises, so it never reveals an unpublished name.
        """
        typed = words(clean(q))[:MAX_TERMS]
        corrected = [word if self.is_known(word) else self.closest_word(word) for word in typed]
        if None in corrected or corrected == typed:
            return None
        suggestion = " ".join(corrected)
        return suggestion if self.finds(suggestion) else None

    def is_known(self, word):
        return len(word) < 3 or word in STOP_WORDS or self.finds(word)

    def closest_word(self, word, candidates=5):
        for spelling in self.similar_words(word, candidates):
            if self.finds(spelling):
                return spelling
        # Then the synonym sets' words, which name what enterprises do in words their own
        # texts may not use (« conciergrie » → « conciergerie »).
        known = current_synonyms().words
        for spelling, _score, _index in process.extract(
            word, list(known), scorer=fuzz.ratio, score_cutoff=80, limit=candidates
        ):
            if self.finds(spelling):
                return spelling
        return None

    def finds(self, q):
        """Whether ``q`` finds a published enterprise."""
        return self.match(Enterprise.objects.using(self.alias).published(), q).exists()

    # What each database answers: `query` is a parsed, non-empty ``text.Query`` without a NEQ.

    def filter_matches(self, queryset, query):
        raise NotImplementedError(f"No full-text search on {self.connection.display_name}.")

    def ranked(self, query):
        """SQL and parameters of the (id, rank) pairs of every match of ``query``, by
        increasing id.

        Where synonyms expand the query (``expands``), the relevance of the words as typed
        is added, weighted (``TYPED_WEIGHT``): « traiteur » ranks « Les Traiteurs du Plateau »
        above a caterer whose category also says « buffets »."""
        raise NotImplementedError(f"No full-text search on {self.connection.display_name}.")

    def similar_words(self, word, limit):
        """Spellings of known words that look like ``word``, closest first."""
        return []

    # Index maintenance ----------------------------------------------------------------------

    def create_index(self):
        """Create the index's tables (and triggers where a migration may hold them)."""

    def drop_index(self):
        pass

    def update_triggers(self):
        """Bring the triggers a migration created up to this code's."""

    def rebuild(self):
        """Rebuild the whole index and the "did you mean" vocabulary."""

    def prepare_connection(self, connection):
        """Called on each new connection (``connection_created``)."""

    def before_migrate(self):
        pass

    def after_migrate(self):
        pass

    @contextmanager
    def deferred(self, touched=None):
        """For bulk loads, in one transaction: index in bulk instead of row by row.

        ``touched`` is a set the caller fills with the ids of the enterprises it wrote (created,
        or changed in a name, a description, a category or a sector): only those are indexed,
        by set-based statements; without it, each database keeps or rebuilds its index as it
        can. An error rolls everything back, the index included.

        Yields an object whose ``index_touched()`` the caller calls after each batch, which
        indexes the batch in the background where the database allows it.
        """
        with transaction.atomic(using=self.alias):
            yield IndexAtTheEnd()


class IndexAtTheEnd:
    """The indexer where batches cannot be indexed in the background: all of it at the end."""

    def index_touched(self):
        pass
