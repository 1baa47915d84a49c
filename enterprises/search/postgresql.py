"""PostgreSQL's search: a weighted tsvector per enterprise, kept up to date by triggers.

Each text is indexed twice: stemmed by ``fr_unaccent`` (French Snowball after unaccent), so
that plurals match, and whole by ``fr_simple`` (unaccent, lower case, same stop words), so that
the word being typed matches as a prefix even where its stem is shorter (``recuperati``). The
English texts (category and sector names, descriptions) are also stemmed by ``en_unaccent``
(English Snowball), so that « caterers » finds « Catering ».
"""

import select
from contextlib import ExitStack, contextmanager

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import DatabaseError, transaction
from django.db.models import BooleanField, F, Func
from django.db.models.expressions import RawSQL
from psycopg import pq

from enterprises.models import Enterprise

from .backend import TYPED_WEIGHT, IndexAtTheEnd, SearchBackend, expands
from .models import SearchDocument
from .synonyms import current_synonyms
from .text import STOP_WORDS, Query

# ts_rank weights for D, C (descriptions), B (categories and sectors), A (name).
RANK_WEIGHTS = [0.0, 0.1, 0.4, 1.0]

# A bulk load sets DEFER_SETTING for its transaction (``defer``) and indexes the rows it wrote
# once at the end (``index``): otherwise each statement of each batch refreshes the index.
DEFER_SETTING = "ecpar.defer_search"
DEFERRED = f"current_setting('{DEFER_SETTING}', true) = 'on'"

# English Snowball after unaccent; created here too for databases older than it (migration 0016).
ENGLISH_CONFIGURATION = """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_ts_config WHERE cfgname = 'en_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION en_unaccent (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION en_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$
"""

# Concatenates tsvectors: the enterprise's categories and sectors, each parsed once per refresh.
TSVECTOR_AGGREGATE = """
    CREATE OR REPLACE AGGREGATE tsvector_agg (tsvector) (SFUNC = tsvector_concat, STYPE = tsvector)
"""

# Joined with the ids, not `e.id = ANY (ids)`, which tests every row against the whole array.
# Each category's and sector's words are parsed once, not once for each enterprise holding it.
# The lateral lookups by enterprise keep to the link tables' indexes, even when the planner's
# statistics predate a bulk load's rows (figures in docs/performance.md).
REFRESH = """
    CREATE OR REPLACE FUNCTION enterprises_search_refresh(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        WITH category_words AS MATERIALIZED (
            SELECT id, to_tsvector('fr_unaccent', concat_ws(' ', name, name_en))
                       || to_tsvector('fr_simple', concat_ws(' ', name, name_en))
                       || to_tsvector('en_unaccent', name_en) AS vector
            FROM enterprises_category
        ), sector_words AS MATERIALIZED (
            SELECT id, to_tsvector('fr_unaccent', concat_ws(' ', name, name_en))
                       || to_tsvector('fr_simple', concat_ws(' ', name, name_en))
                       || to_tsvector('en_unaccent', name_en) AS vector
            FROM enterprises_sector
        )
        INSERT INTO enterprises_search (rowid, search_vector)
        SELECT e.id,
               setweight(to_tsvector('fr_unaccent', e.name)
                         || to_tsvector('fr_simple', e.name), 'A')
               || setweight(coalesce(classification_words.vector, ''), 'B')
               || setweight(to_tsvector('fr_unaccent', d.descriptions)
                            || to_tsvector('fr_simple', d.descriptions)
                            || to_tsvector('en_unaccent', e.description_en), 'C')
        FROM enterprises_enterprise e
        JOIN (SELECT DISTINCT unnest(ids)) AS wanted (id) ON wanted.id = e.id
        CROSS JOIN LATERAL (
            SELECT concat_ws(' ', e.description_fr, e.description_en) AS descriptions
        ) d
        CROSS JOIN LATERAL (
            SELECT tsvector_agg(words.vector) AS vector FROM (
                SELECT w.vector FROM enterprises_enterprise_categories l
                JOIN category_words w ON w.id = l.category_id
                WHERE l.enterprise_id = e.id
                UNION ALL
                SELECT w.vector FROM enterprises_enterprise_sectors l
                JOIN sector_words w ON w.id = l.sector_id
                WHERE l.enterprise_id = e.id
            ) words
        ) classification_words
        ON CONFLICT (rowid) DO UPDATE SET search_vector = EXCLUDED.search_vector;
    END $$
"""

ENTERPRISE_CHANGED = f"""
    CREATE OR REPLACE FUNCTION enterprises_search_enterprise_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') AND {DEFERRED} THEN
            RETURN NULL;
        END IF;
        IF TG_OP = 'INSERT' THEN
            PERFORM enterprises_search_refresh(ARRAY(SELECT id FROM new_rows));
            PERFORM enterprises_search_add_words(ARRAY(SELECT name FROM new_rows));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM enterprises_search_refresh(ARRAY(
                SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.name, n.description_fr, n.description_en)
                      IS DISTINCT FROM (o.name, o.description_fr, o.description_en)));
            PERFORM enterprises_search_add_words(ARRAY(
                SELECT n.name FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.name IS DISTINCT FROM o.name));
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM enterprises_search WHERE rowid IN (SELECT id FROM old_rows);
        ELSE
            DELETE FROM enterprises_search;
        END IF;
        RETURN NULL;
    END $$
"""

LINK_CHANGED = f"""
    CREATE OR REPLACE FUNCTION enterprises_search_link_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' AND {DEFERRED} THEN
            RETURN NULL;
        END IF;
        PERFORM enterprises_search_refresh(ARRAY(
            SELECT DISTINCT enterprise_id FROM changed_rows));
        RETURN NULL;
    END $$
"""

CREATE_INDEX = [
    # Kept on the way back: other code may use them too.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french)",
    "ALTER TEXT SEARCH CONFIGURATION fr_unaccent "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem",
    "CREATE TEXT SEARCH DICTIONARY fr_simple_words (TEMPLATE = simple, STOPWORDS = french)",
    "CREATE TEXT SEARCH CONFIGURATION fr_simple (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION fr_simple "
    "ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part "
    "WITH unaccent, fr_simple_words",
    ENGLISH_CONFIGURATION,
    "CREATE TABLE enterprises_search "
    "(rowid bigint PRIMARY KEY, search_vector tsvector NOT NULL)",
    # search(): search_vector @@ to_tsquery(...), prefixes included.
    "CREATE INDEX enterprises_search_vector_idx ON enterprises_search USING gin (search_vector)",
    "CREATE TABLE enterprises_search_word (word text PRIMARY KEY, spelling text NOT NULL)",
    # suggest(): word % 'traitur' ORDER BY similarity(word, 'traitur').
    "CREATE INDEX enterprises_search_word_trgm_idx "
    "ON enterprises_search_word USING gin (word gin_trgm_ops)",
    TSVECTOR_AGGREGATE,
    REFRESH,
    """
    CREATE FUNCTION enterprises_search_add_words(texts text[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO enterprises_search_word (word, spelling)
        SELECT DISTINCT ON (unaccent(w)) unaccent(w), w
        FROM unnest(texts) t, unnest(tsvector_to_array(to_tsvector('simple', t))) w
        WHERE length(w) >= 3 AND w ~ '^[[:alnum:]]+$' AND w !~ '^[0-9]+$'
        ORDER BY unaccent(w), w
        ON CONFLICT (word) DO NOTHING;
    END $$
    """,
    ENTERPRISE_CHANGED,
    LINK_CHANGED,
    # A category or sector added or renamed: its words join the vocabulary, and its
    # enterprises' entries are refreshed.
    """
    CREATE FUNCTION enterprises_search_label_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM enterprises_search_add_words(ARRAY(
            SELECT concat_ws(' ', name, name_en) FROM new_rows));
        IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'enterprises_category' THEN
            PERFORM enterprises_search_refresh(ARRAY(
                SELECT DISTINCT l.enterprise_id FROM enterprises_enterprise_categories l
                WHERE l.category_id IN (SELECT id FROM new_rows)));
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM enterprises_search_refresh(ARRAY(
                SELECT DISTINCT l.enterprise_id FROM enterprises_enterprise_sectors l
                WHERE l.sector_id IN (SELECT id FROM new_rows)));
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER enterprises_search_insert AFTER INSERT ON enterprises_enterprise
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enterprises_search_enterprise_changed()
    """,
    """
    CREATE TRIGGER enterprises_search_update AFTER UPDATE ON enterprises_enterprise
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enterprises_search_enterprise_changed()
    """,
    """
    CREATE TRIGGER enterprises_search_delete AFTER DELETE ON enterprises_enterprise
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enterprises_search_enterprise_changed()
    """,
    """
    CREATE TRIGGER enterprises_search_truncate AFTER TRUNCATE ON enterprises_enterprise
    FOR EACH STATEMENT EXECUTE FUNCTION enterprises_search_enterprise_changed()
    """,
    *(
        f"""
        CREATE TRIGGER enterprises_search_{event.lower()} AFTER {event} ON {link_table}
        REFERENCING {"NEW" if event == "INSERT" else "OLD"} TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION enterprises_search_link_changed()
        """
        for link_table in ("enterprises_enterprise_categories", "enterprises_enterprise_sectors")
        for event in ("INSERT", "DELETE")
    ),
    *(
        f"""
        CREATE TRIGGER enterprises_search_{event.lower()} AFTER {event} ON {table}
        REFERENCING {"OLD TABLE AS old_rows" if event == "UPDATE" else ""} NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION enterprises_search_label_changed()
        """
        for table in ("enterprises_category", "enterprises_sector")
        for event in ("INSERT", "UPDATE")
    ),
]

# The tables a listing, its filters and its facets read, with the columns they filter, join
# and sort on (all of them when none are named): the enterprises' long texts are left out,
# which halves the time ANALYZE takes after a bulk load.
ANALYZED_TABLES = [
    "enterprises_enterprise (id, status, region_id, legal_form, name_folded, published_at,"
    " neq, slug)",
    "enterprises_search",
    "enterprises_enterprise_categories",
    "enterprises_enterprise_sectors",
    "enterprises_enterprise_service_area",
    "enterprises_enterpriselabel",
]

DROP_INDEX = [
    "DROP TABLE IF EXISTS enterprises_search, enterprises_search_word",
    "DROP FUNCTION IF EXISTS enterprises_search_refresh, enterprises_search_add_words, "
    "enterprises_search_enterprise_changed, enterprises_search_link_changed, "
    "enterprises_search_label_changed CASCADE",
    "DROP AGGREGATE IF EXISTS tsvector_agg (tsvector)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent, fr_simple, en_unaccent",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS fr_simple_words",
]


class PostgreSQLSearch(SearchBackend):
    """Full-text search with tsvectors and a GIN index; "did you mean" through pg_trgm."""

    def filter_matches(self, queryset, query):
        tsq = tsquery(query)
        rank = rank_of("search_document__search_vector", query, tsq)
        return queryset.filter(
            vector_matches("search_document__search_vector", tsq)
        ).annotate(search_rank=rank)

    def ranked(self, query):
        tsq = tsquery(query)
        documents = SearchDocument.objects.using(self.alias).filter(
            vector_matches("search_vector", tsq)
        )
        ranks = documents.annotate(rank=rank_of("search_vector", query, tsq)).order_by("pk")
        return ranks.values_list("pk", "rank").query.sql_with_params()

    def finds(self, q):
        """The matches as a CTE, planned whole (from the GIN index) and read one at a time: a
        query that stops at its first row would otherwise read the whole table in the hope of
        meeting early one of the matches the planner, blind to the tsquery, counts on."""
        query = Query.parse(q)
        if query.neq or not query:
            return super().finds(q)
        tsq = tsquery(query)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "WITH found AS MATERIALIZED ("
                f" SELECT rowid FROM enterprises_search WHERE search_vector @@ {tsq.sql}"
                ") SELECT EXISTS (SELECT FROM found"
                " JOIN enterprises_enterprise e ON e.id = found.rowid WHERE e.status = %s)",
                [*tsq.params, Enterprise.Status.PUBLISHED],
            )
            return cursor.fetchone()[0]

    def similar_words(self, word, limit):
        """Known words whose trigrams look like ``word``'s (pg_trgm), closest first."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT spelling FROM enterprises_search_word WHERE word %% %s "
                "ORDER BY similarity(word, %s) DESC, word LIMIT %s",
                [word, word, limit],
            )
            return [spelling for (spelling,) in cursor.fetchall()]

    def create_index(self):
        with self.connection.cursor() as cursor:
            for statement in CREATE_INDEX:
                cursor.execute(statement)
        self.rebuild()

    def drop_index(self):
        with self.connection.cursor() as cursor:
            for statement in DROP_INDEX:
                cursor.execute(statement)

    def update_triggers(self):
        """Replace the trigger functions with this code's: a migration calls it whenever
        their definition changes."""
        with self.connection.cursor() as cursor:
            for statement in (
                ENGLISH_CONFIGURATION, TSVECTOR_AGGREGATE, REFRESH, ENTERPRISE_CHANGED,
                LINK_CHANGED,
            ):
                cursor.execute(statement)

    def rebuild(self):
        with self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE enterprises_search, enterprises_search_word")
            cursor.execute(
                "SELECT enterprises_search_refresh(ARRAY(SELECT id FROM enterprises_enterprise))"
            )
            cursor.execute(
                "SELECT enterprises_search_add_words(ARRAY("
                " SELECT name FROM enterprises_enterprise"
                " UNION ALL SELECT concat_ws(' ', name, name_en) FROM enterprises_category"
                " UNION ALL SELECT concat_ws(' ', name, name_en) FROM enterprises_sector))"
            )
        self.analyze()

    @contextmanager
    def deferred(self, touched=None):
        """Without ``touched``, the per-statement triggers keep indexing. With it, they skip
        the load's rows, and each batch is indexed on the server while the caller prepares the
        next one (``BackgroundIndexer``)."""
        with transaction.atomic(using=self.alias), ExitStack() as stack:
            indexer = IndexAtTheEnd()
            if touched is not None:
                self.defer()
                indexer = BackgroundIndexer(self.connection, touched)
                stack.enter_context(self.connection.execute_wrapper(indexer))
                stack.callback(indexer.collect)  # before the transaction ends, however it ends
            yield indexer
            if touched is not None:
                self.index(touched)
            self.analyze()

    def defer(self):
        """Until the end of the transaction, writes to enterprises and their links skip the
        index. JIT compilation is off meanwhile: the planner would compile each batch's refresh
        again, and the compiled refresh runs slower."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, 'on', true), set_config('jit', 'off', true)",
                [DEFER_SETTING],
            )

    def index(self, ids):
        """One set-based refresh of these enterprises' entries and their names' words, then
        the triggers work again."""
        ids = sorted(ids)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [DEFER_SETTING])
            cursor.execute("SELECT enterprises_search_refresh(%s::bigint[])", [ids])
            cursor.execute(
                "SELECT enterprises_search_add_words(ARRAY("
                " SELECT name FROM enterprises_enterprise WHERE id = ANY (%s::bigint[])))",
                [ids],
            )

    def analyze(self):
        """Refresh the planner's statistics of the directory's tables after a bulk load.

        Without them the planner takes a bulk load's many new rows for a few hundred, and plans
        every facet of a filtered search on that guess.
        """
        with self.connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(ANALYZED_TABLES)}")


class BackgroundIndexer:
    """Indexes a bulk load's enterprises batch by batch, each batch's statement running on the
    server while the client prepares the next batch.

    One refresh at the end of the load would keep the client waiting for nearly half the
    import (docs/performance.md). Here each batch's refresh goes out through libpq's
    asynchronous call (psycopg's ``pgconn``): on the load's own connection, so it sees its
    uncommitted rows. Its result is collected before the next statement on the connection
    (this object is installed as an execute wrapper), or by ``collect()`` when the load ends;
    an error raises then.
    """

    STATEMENT = (
        b"SELECT enterprises_search_refresh($1::bigint[]),"
        b" enterprises_search_add_words(ARRAY("
        b"SELECT e.name FROM enterprises_enterprise e"
        b" JOIN unnest($1::bigint[]) AS wanted (id) ON wanted.id = e.id))"
    )

    def __init__(self, connection, touched):
        self.connection = connection
        self.touched = touched
        self.pending = False

    def index_touched(self):
        """Send the refresh of the enterprises touched so far, and forget them."""
        self.collect()
        if not self.touched:
            return
        ids = "{" + ",".join(str(pk) for pk in sorted(self.touched)) + "}"
        self.touched.clear()
        self.connection.ensure_connection()
        pgconn = self.connection.connection.pgconn
        pgconn.send_query_params(self.STATEMENT, [ids.encode()])
        while pgconn.flush():  # a non-blocking connection: wait until it is all sent
            select.select([], [pgconn.socket], [])
        self.pending = True

    def collect(self):
        """Wait for the statement sent last, if any; raise its error."""
        if not self.pending:
            return
        self.pending = False
        pgconn = self.connection.connection.pgconn
        failure = None
        while (result := pgconn.get_result()) is not None:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                failure = (result.error_message or b"").decode(errors="replace")
        if failure:
            raise DatabaseError(failure)

    def __call__(self, execute, sql, params, many, context):
        self.collect()
        return execute(sql, params, many, context)


def vector_matches(field, tsq):
    """``field @@ tsq``: the lookup Django offers wraps anything but its own query objects in
    ``plainto_tsquery``."""
    return Func(
        F(field), tsq, template="%(expressions)s", arg_joiner=" @@ ",
        output_field=BooleanField(),
    )


def rank_of(field, query, tsq):
    """The relevance of a match of the vector ``field``; with synonyms, plus the words as
    typed's own, weighted (``SearchBackend.ranked``)."""
    rank = SearchRank(F(field), tsq, weights=RANK_WEIGHTS)
    if not expands(query):
        return rank
    typed = SearchRank(F(field), tsquery(query.as_typed()), weights=RANK_WEIGHTS)
    return rank + TYPED_WEIGHT * typed


def tsquery(query):
    """Every clause (``Query.clauses``, synonyms expanded) must match: one of its
    alternatives, each word by its French or English stem, the last word typed as a prefix.

    Built in SQL from the words' lexemes, each lexeme once: a word's two stems are often the
    same, and a set's terms often share one (« buffet », « buffets »), and the GIN index looks
    up every lexeme of the query as often as it is written there.

    As a sub-select, computed once for the statement, and opaque to the planner. Were the
    tsquery in plain sight, the planner would estimate its matches from the vectors'
    statistics, overestimate the prefixes and synonyms a search ORs, take ``@@`` for as cheap
    as an integer comparison, and read the whole table for any common word; blind, it counts
    on few matches, and takes the GIN index.
    """
    clauses = query.clauses(current_synonyms() if query.expand else None)
    sql, params = all_of(any_of(alternative_sql(alternative) for alternative in clause)
                         for clause in clauses)
    return RawSQL(f"(SELECT ({sql})::tsquery)", params, output_field=SearchQueryField())


def alternative_sql(alternative):
    """SQL of a text array: the lexemes of a one-word alternative, or the whole alternative
    as one term."""
    words = [word_lexemes(word) for word in alternative.words]
    if alternative.prefix:
        words.append(prefix_lexemes(alternative.prefix))
    if len(words) == 1:
        return words[0]
    sql, params = all_of(any_of([word]) for word in words)
    return f"ARRAY['(' || {sql} || ')']", params


def word_lexemes(word):
    """A word's French and English stems."""
    return lexemes(word, ("fr_unaccent", "en_unaccent"), "")


def prefix_lexemes(prefix):
    """The word typed so far as a prefix: of a whole word, of a French or an English stem."""
    if prefix in STOP_WORDS:  # not stemmed, as text.stem() leaves it
        return lexemes(prefix, ("simple",), ":*")
    return lexemes(prefix, ("simple", "fr_unaccent", "en_unaccent"), ":*")


def lexemes(word, configurations, suffix):
    """SQL of a text array: the distinct lexemes of ``word`` in these configurations, quoted
    for a tsquery and followed by ``suffix``."""
    vectors = " || ".join(f"to_tsvector('{configuration}', %s)" for configuration in configurations)
    return (
        f"ARRAY(SELECT quote_literal(lexeme) || '{suffix}' "
        f"FROM unnest(tsvector_to_array({vectors})) lexeme)",
        [word] * len(configurations),
    )


def any_of(arrays):
    """SQL of the tsquery text that one of the terms of these text arrays matches, each term
    once (NULL when they are all empty, as a stop word is)."""
    arrays = list(arrays)
    sql = " || ".join(array for array, _params in arrays)
    return (
        f"(SELECT '(' || string_agg(DISTINCT term, ' | ') || ')' FROM unnest({sql}) term)",
        [param for _array, params in arrays for param in params],
    )


def all_of(texts):
    """SQL of the tsquery text that all these tsquery texts match, the NULL ones left out."""
    texts = list(texts)
    sql = ", ".join(text for text, _params in texts)
    return (
        f"nullif(array_to_string(ARRAY[{sql}], ' & '), '')",
        [param for _text, params in texts for param in params],
    )
