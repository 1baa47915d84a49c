"""What both backends agree on: how text is cut into words, and what a user's query asks for.

Words are folded (no accents, no capitals) before anything else, as PostgreSQL's ``fr_unaccent``
configuration does, so that « Récupération », ``recuperation`` and ``RECUPERATION`` are one word.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import snowballstemmer

from enterprises.validators import fold

# The longest text searched: the listing's form refuses longer, other callers are cut to it.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10

# PostgreSQL's french.stop, less the accented entries: ``fr_unaccent`` removes accents before
# its stemmer looks a word up, so « à » or « été » are never dropped there, nor here.
STOP_WORDS = frozenset(
    """
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me mes moi mon
    ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
    vos votre vous c d j l m n s t y suis es est sommes sont serai seras sera serons serez seront
    serais serait serions seriez seraient fus fut furent sois soit soyons soyez soient fusse
    fusses fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez
    ont aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient avais avait
    avions aviez avaient eut eurent aie aies ait ayons ayez aient eusse eusses eussions eussiez
    eussent
    """.split()
)

# Letters and digits; underscores, punctuation, symbols and emoji separate words.
WORD = re.compile(r"[^\W_]+")
# Ligatures that NFKD leaves alone but PostgreSQL's unaccent spells out.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
# A NEQ as people type it: 10 digits with optional spaces, dashes or dots between them.
NEQ_AS_TYPED = re.compile(r"^\s*(?:\d[\s\-.]*){10}$")

# A Snowball stemmer keeps the word being stemmed on itself: one shared by two threads mixes
# their words up (wrong stems, IndexError). Each thread gets its own.
_local = threading.local()


def _stemmer(language):
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


@lru_cache(maxsize=50_000)
def stem(word):
    """The French stem of a folded word."""
    # Snowball's suffixes are letters: a number is its own stem (and names carry many).
    return word if word.isdigit() else _stemmer("french").stemWord(word)


@lru_cache(maxsize=50_000)
def stem_en(word):
    """The English stem of a folded word: English fields are indexed by it too, so that
    « caterers » finds « Catering » (the French stemmer leaves ``caterer`` and ``cater``)."""
    return word if word.isdigit() else _stemmer("english").stemWord(word)


def stems(word):
    """A query word's stems, French first: an indexed word matches if it has either."""
    if word in STOP_WORDS:
        return (word,)
    return tuple(dict.fromkeys((stem(word), stem_en(word))))


def words(text):
    """The folded words of ``text``, in order."""
    return WORD.findall(fold(text).translate(LIGATURES))


def indexed_words(text, stemmer=stem):
    """What the SQLite index stores for French ``text``: each word's stem, then the word itself.

    Stems make plurals match (« traiteurs » → ``traiteur``); whole words let a prefix typed so
    far match (``recuperati`` is a prefix of ``recuperation``, not of its stem ``recuper``).
    """
    tokens = []
    for word in words(text):
        if word in STOP_WORDS:
            continue
        word_stem = stemmer(word)
        tokens.append(word_stem)
        if word_stem != word:
            tokens.append(word)
    return " ".join(tokens)


def indexed_words_en(text):
    """What the SQLite index stores for English ``text``: as ``indexed_words``, English stems."""
    return indexed_words(text, stem_en)


def spellings(text):
    """(folded word, spelling) pairs worth suggesting: the words of three letters or more."""
    cleaned = unicodedata.normalize("NFC", text or "").casefold()
    return {
        (fold(spelling).translate(LIGATURES), spelling)
        for spelling in WORD.findall(cleaned)
        if len(spelling) >= 3 and not spelling.isdigit()
    }


def clean(q):
    """The user's text, without NUL or control characters, cut to a sane length."""
    if not isinstance(q, str):
        return ""
    text = "".join(c for c in q[: MAX_QUERY_LENGTH * 2] if unicodedata.category(c)[0] != "C")
    return text[:MAX_QUERY_LENGTH].strip()


@dataclass(frozen=True)
class Query:
    """A user's query: whole words that must all match, the last one also as a prefix."""

    terms: tuple[str, ...] = ()
    prefix: str = ""
    neq: str = ""
    # Whether synonym sets expand it; the words as typed alone rank the typed matches first.
    expand: bool = True

    @classmethod
    def parse(cls, q):
        text = clean(q)
        if NEQ_AS_TYPED.match(text):
            return cls(neq=re.sub(r"\D", "", text))
        found = words(text)[:MAX_TERMS]
        if not found:
            return cls()
        *terms, last = found
        return cls(terms=tuple(term for term in terms if term not in STOP_WORDS), prefix=last)

    def __bool__(self):
        return bool(self.terms or self.prefix or self.neq)

    def as_typed(self):
        return replace(self, expand=False)

    def clauses(self, synonyms=None):
        """What must match, as clauses that must all match, each a tuple of ``Alternative``
        of which one must match. Without synonyms each word is its own clause; a run of words
        that a synonym set names (``SynonymTable.spans``) becomes one clause: the words as
        typed, or any other term of the set."""
        typed = [*self.terms, self.prefix] if self.prefix else list(self.terms)
        spans = synonyms.spans(typed) if synonyms and self.expand else {}
        clauses = []
        position = 0
        while position < len(typed):
            end, others = spans.get(position, (position + 1, ()))
            run = typed[position:end]
            if end == len(typed) and self.prefix:
                as_typed = Alternative(tuple(run[:-1]), run[-1])
            else:
                as_typed = Alternative(tuple(run))
            clauses.append((as_typed, *(Alternative(other) for other in others)))
            position = end
        return clauses


@dataclass(frozen=True)
class Alternative:
    """Words that must all match, each by any of its stems, and maybe a last word typed so
    far, matched as a prefix."""

    words: tuple[str, ...] = ()
    prefix: str = ""

    @property
    def prefixes(self):
        """What the last word may start with: the word as typed and its stems, less any that
        starts with another of them (``recuperati`` → ``recuperat``, which covers it).

        The index holds each word whole and as its stems; a stem is usually a prefix of the
        word, and then everything that starts with the word starts with the stem. Stop words
        are not stemmed (nor indexed as stems).
        """
        if self.prefix in STOP_WORDS:
            return (self.prefix,)
        forms = dict.fromkeys((*stems(self.prefix), self.prefix))
        return tuple(
            form for form in forms
            if not any(other != form and form.startswith(other) for other in forms)
        )
