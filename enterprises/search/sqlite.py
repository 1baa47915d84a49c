"""SQLite's search: an FTS5 table of stemmed words, kept in sync by triggers.

SQLite has no French stemmer, so the triggers pass text through ``ecpar_search_text``, a Python
function registered on every connection, and queries are stemmed the same way before MATCH.

Triggers are not created by a migration: Django rebuilds a SQLite table to alter it, and a
trigger that mentions the table being rebuilt makes that fail. So they are dropped before
``migrate`` runs and created again after it, and the index is rebuilt then.
"""

import json
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Case, FloatField, Func, Value, When
from rapidfuzz import fuzz, process

from .backend import TYPED_WEIGHT, IndexAtTheEnd, SearchBackend, expands
from .models import SearchDocument
from .synonyms import current_synonyms
from .text import indexed_words, indexed_words_en, spellings, stems

# The SQL path's tier for a match of the typed words: above any bm25 on this index's scale.
TYPED_BONUS = 1000.0
TEXT_FUNCTION = "ecpar_search_text"
# The same for English text: English stems.
TEXT_EN_FUNCTION = "ecpar_search_text_en"
SPELLINGS_FUNCTION = "ecpar_search_spellings"

# Name matches first, then categories and sectors, then descriptions.
NAME_WEIGHT, CATEGORIES_WEIGHT, DESCRIPTIONS_WEIGHT = 10.0, 4.0, 1.0

CREATE_TABLES = [
    # The rowid is the enterprise's id. `prefix` keeps 2- and 3-letter prefix indexes: the
    # first letters typed are the commonest prefixes.
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS enterprises_search USING fts5(
        name, categories, descriptions,
        tokenize = "unicode61 remove_diacritics 2", prefix = '2 3'
    )
    """,
    # "Did you mean": the folded words of names, categories and sectors, with a spelling to show.
    """
    CREATE TABLE IF NOT EXISTS enterprises_search_word (
        word TEXT PRIMARY KEY, spelling TEXT NOT NULL
    ) WITHOUT ROWID
    """,
]
DROP_TABLES = [
    "DROP TABLE IF EXISTS enterprises_search",
    "DROP TABLE IF EXISTS enterprises_search_word",
]



def classification_words(name_column, function):
    """An enterprise's category and sector names in one language, as indexed words."""
    return f"""
    {function}(coalesce((SELECT group_concat(c.{name_column}, ' ')
              FROM enterprises_enterprise_categories l
              JOIN enterprises_category c ON c.id = l.category_id
              WHERE l.enterprise_id = e.id), '')
    || ' ' ||
    coalesce((SELECT group_concat(s.{name_column}, ' ')
              FROM enterprises_enterprise_sectors l
              JOIN enterprises_sector s ON s.id = l.sector_id
              WHERE l.enterprise_id = e.id), ''))
"""


# French names stemmed in French, English ones in English.
CLASSIFICATION_WORDS = (
    f"{classification_words('name', TEXT_FUNCTION)} || ' ' || "
    f"{classification_words('name_en', TEXT_EN_FUNCTION)}"
)


def index_documents(where):
    return f"""
        INSERT INTO enterprises_search (rowid, name, categories, descriptions)
        SELECT e.id, {TEXT_FUNCTION}(e.name), {CLASSIFICATION_WORDS},
               {TEXT_FUNCTION}(e.description_fr) || ' ' || {TEXT_EN_FUNCTION}(e.description_en)
        FROM enterprises_enterprise e WHERE {where};
    """


def reindex_documents(where):
    return f"DELETE FROM enterprises_search WHERE rowid IN ({where});" + index_documents(
        f"e.id IN ({where})"
    )


def add_words(text):
    return f"""
        INSERT OR IGNORE INTO enterprises_search_word (word, spelling)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')
        FROM json_each({SPELLINGS_FUNCTION}({text}));
    """


def classification_triggers(table, link_table, link_column):
    linked = f"SELECT enterprise_id FROM {link_table} WHERE {link_column} = NEW.id"
    return {
        f"{table}_search_link_insert": f"AFTER INSERT ON {link_table} BEGIN "
        + reindex_documents("SELECT NEW.enterprise_id"),
        f"{table}_search_link_delete": f"AFTER DELETE ON {link_table} BEGIN "
        + reindex_documents("SELECT OLD.enterprise_id"),
        f"{table}_search_insert": f"AFTER INSERT ON {table} BEGIN "
        + add_words("NEW.name || ' ' || NEW.name_en"),
        f"{table}_search_rename": f"AFTER UPDATE OF name, name_en ON {table} "
        "WHEN NEW.name IS NOT OLD.name OR NEW.name_en IS NOT OLD.name_en BEGIN "
        + reindex_documents(linked)
        + add_words("NEW.name || ' ' || NEW.name_en"),
    }


TRIGGERS = {
    "enterprises_enterprise_search_insert": "AFTER INSERT ON enterprises_enterprise BEGIN "
    + index_documents("e.id = NEW.id")
    + add_words("NEW.name"),
    "enterprises_enterprise_search_update": "AFTER UPDATE OF name, description_fr, description_en "
    "ON enterprises_enterprise WHEN NEW.name IS NOT OLD.name "
    "OR NEW.description_fr IS NOT OLD.description_fr "
    "OR NEW.description_en IS NOT OLD.description_en BEGIN "
    + reindex_documents("SELECT NEW.id")
    + add_words("NEW.name"),
    "enterprises_enterprise_search_delete": "AFTER DELETE ON enterprises_enterprise BEGIN "
    "DELETE FROM enterprises_search WHERE rowid = OLD.id;",
    **classification_triggers(
        "enterprises_category", "enterprises_enterprise_categories", "category_id"
    ),
    **classification_triggers("enterprises_sector", "enterprises_enterprise_sectors", "sector_id"),
}


def trigger_sql(name):
    return f"CREATE TRIGGER {name} {TRIGGERS[name]} END"


class SQLiteSearch(SearchBackend):
    """Full-text search with FTS5 over words stemmed in Python; "did you mean" with rapidfuzz."""

    def filter_matches(self, queryset, query):
        rank = Bm25("search_document__fts")
        if expands(query):
            # The matches of the words as typed first, as ``ranked`` orders them; found once
            # (an uncorrelated IN), since bm25() of a second MATCH per row would cost a lookup
            # for each. Within each tier, by the expanded query's relevance.
            typed = SearchDocument.objects.using(self.alias).filter(
                fts__match=match_expression(query.as_typed())
            )
            rank = rank + Case(
                When(pk__in=typed.values("pk"), then=Value(TYPED_BONUS)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        return queryset.filter(search_document__fts__match=match_expression(query)).annotate(
            search_rank=rank
        )

    def ranked(self, query):
        """With synonyms, the words as typed are matched again, ``TYPED_WEIGHT`` times: bm25()
        sums the relevance of each phrase of the query, so theirs counts that many times more,
        and their matches are among the expanded query's, so the rows found stay the same."""
        expression = match_expression(query)
        if expands(query):
            typed = match_expression(query.as_typed())
            expression = " OR ".join([expression, *[typed] * TYPED_WEIGHT])
        return RANKED, [expression]

    def similar_words(self, word, limit):
        """Known words that look like ``word``: same first letter, similar length, close
        spelling."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, spelling FROM enterprises_search_word "
                "WHERE word >= %s AND word < %s AND length(word) BETWEEN %s AND %s",
                [word[0], word[0] + "\uffff", len(word) - 2, len(word) + 2],
            )
            spelling_of = dict(cursor.fetchall())
        matches = process.extract(
            word, list(spelling_of), scorer=fuzz.ratio, score_cutoff=70, limit=limit
        )
        return [spelling_of[candidate] for candidate, _score, _index in matches]

    def prepare_connection(self, connection):
        """Triggers and queries call Python to fold and stem."""
        dbapi_connection = connection.connection
        dbapi_connection.create_function(TEXT_FUNCTION, 1, indexed_words, deterministic=True)
        dbapi_connection.create_function(
            TEXT_EN_FUNCTION, 1, indexed_words_en, deterministic=True
        )
        dbapi_connection.create_function(
            SPELLINGS_FUNCTION, 1, lambda text: json.dumps(sorted(spellings(text))),
            deterministic=True,
        )

    def create_index(self):
        with self.connection.cursor() as cursor:
            for statement in CREATE_TABLES:
                cursor.execute(statement)

    def drop_index(self):
        self.drop_triggers()
        with self.connection.cursor() as cursor:
            for statement in DROP_TABLES:
                cursor.execute(statement)

    def before_migrate(self):
        """Drop the triggers, which would break Django's table rebuilds."""
        self.drop_triggers()

    def after_migrate(self):
        """Put the triggers back (or update them) and rebuild the index."""
        if "enterprises_search" in self.connection.introspection.table_names():
            if self.outdated_triggers():
                self.create_triggers()
                self.rebuild()

    def outdated_triggers(self):
        """The triggers that are missing or differ from this code's definition."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            existing = dict(cursor.fetchall())
        return {name for name in TRIGGERS if existing.get(name) != trigger_sql(name)}

    def create_triggers(self):
        self.drop_triggers()
        with self.connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(trigger_sql(name))

    def drop_triggers(self):
        with self.connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")

    @contextmanager
    def deferred(self, touched=None):
        """The triggers are dropped for the load; at its end the enterprises it ``touched`` are
        indexed in one INSERT … SELECT, or, without ``touched``, the whole index is rebuilt."""
        with transaction.atomic(using=self.alias):
            self.drop_triggers()
            yield IndexAtTheEnd()
            if touched is not None:
                self.index(touched)
            else:
                self.create_triggers()
                self.rebuild()

    def index(self, ids):
        """Index these enterprises in one INSERT … SELECT, then put the triggers back."""
        touched = "SELECT value FROM json_each(%s)"
        ids = json.dumps(sorted(ids))
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM enterprises_search WHERE rowid IN ({touched})", [ids])
            cursor.execute(index_documents(f"e.id IN ({touched})"), [ids])
            cursor.execute(
                add_words(f"(SELECT group_concat(name, ' ') FROM enterprises_enterprise "
                          f"WHERE id IN ({touched}))"),
                [ids],
            )
            cursor.execute("ANALYZE enterprises_enterprise")
        self.create_triggers()

    def rebuild(self):
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM enterprises_search")
            cursor.execute(index_documents("1"))
            cursor.execute(
                "INSERT INTO enterprises_search (enterprises_search) VALUES ('optimize')"
            )
            # Without statistics SQLite guesses that `status = 'published'` keeps ~10 rows,
            # joins the index once per enterprise, and bm25() recomputes its statistics at each
            # probe. With them it runs MATCH once and joins each hit.
            cursor.execute("ANALYZE enterprises_enterprise")
            cursor.execute("DELETE FROM enterprises_search_word")
            cursor.execute(
                add_words("(SELECT group_concat(name, ' ') FROM enterprises_enterprise)")
            )
            for table in ("enterprises_category", "enterprises_sector"):
                cursor.execute(
                    add_words(f"(SELECT group_concat(name || ' ' || name_en, ' ') FROM {table})")
                )


BM25 = f"-bm25(enterprises_search, {NAME_WEIGHT}, {CATEGORIES_WEIGHT}, {DESCRIPTIONS_WEIGHT})"
RANKED = (
    f"SELECT rowid, {BM25} FROM enterprises_search WHERE enterprises_search MATCH %s "
    "ORDER BY rowid"
)


class Bm25(Func):
    """FTS5's relevance of the matched row, negated so that higher is better."""

    function = "bm25"
    template = (
        f"-%(function)s(%(expressions)s, {NAME_WEIGHT}, {CATEGORIES_WEIGHT}, {DESCRIPTIONS_WEIGHT})"
    )
    output_field = FloatField()


def match_expression(query):
    """FTS5 syntax for the query: every clause (``Query.clauses``, synonyms expanded), each
    word by any of its stems, the last word typed as a prefix.

    Words hold only letters and digits, so quoting them disarms every FTS5 operator.
    """
    return " AND ".join(
        any_of(alternative_expression(alternative) for alternative in clause)
        for clause in query.clauses(current_synonyms() if query.expand else None)
    )


def alternative_expression(alternative):
    words = [any_of(f'"{form}"' for form in stems(word)) for word in alternative.words]
    if alternative.prefix:
        words.append(any_of(f'"{form}"*' for form in alternative.prefixes))
    return words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")"


def any_of(expressions):
    expressions = list(dict.fromkeys(expressions))
    return expressions[0] if len(expressions) == 1 else "(" + " OR ".join(expressions) + ")"
