"""Stage 5: find the enterprise a record describes — the same (network, record id) first
(or our own slug, for a file in the canonical format), then the NEQ, then a similar name in
the same place (postal code, municipality or city).

A name is compared once normalized (accents, case, punctuation, legal suffixes, common
abbreviations) and scored with rapidfuzz. Above ``MERGE_SCORE`` the row updates that
enterprise; in the grey zone down to ``SUGGEST_SCORE`` it creates a new one and names the
possible duplicates for a curator. Several candidates make the match ambiguous: the row waits
for a curator, never merged. A match by NEQ or record id whose names disagree is an identity
conflict: the pipeline then leaves that enterprise's name and contacts alone.
docs/matching.md gives the figures behind the thresholds.
"""

import functools
import operator
import re
import sys
from dataclasses import dataclass, field

from rapidfuzz.fuzz import ratio

from ..models import Enterprise, EnterpriseSource
from ..validators import fold
from .mapping import RECORD_ID

# Thresholds on name_similarity(), chosen with `manage.py benchmark_matching`.
MERGE_SCORE = 92
SUGGEST_SCORE = 75
# Under this, a match by NEQ or record id names another enterprise: an identity conflict.
IDENTITY_SCORE = 70

DOTTED_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")
WORD = re.compile(r"[^\W_]+")
PHRASES = {
    "centre de la petite enfance": "cpe",
    "societe en nom collectif": "senc",
    "organisme sans but lucratif": "osbl",
    "organisme a but non lucratif": "obnl",
}
PHRASE = re.compile(r"\b(?:" + "|".join(PHRASES) + r")\b")
PHRASE_START = re.compile(r"\b(?:centre|societe|organisme)\b")
SYNONYMS = {
    "st": "saint", "ste": "sainte", "cooperative": "coop", "cooperatives": "coop",
    "coops": "coop", "cie": "compagnie", "assoc": "association", "assn": "association",
    "and": "et",
}
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporee", "incorporated", "ltee", "limitee", "ltd", "limited", "enr",
    "enregistree", "senc", "corp",
})
LEADING_ARTICLES = frozenset({"le", "la", "les", "l", "the"})
# Left out of the comparison: they carry no identity.
STOPWORDS = frozenset({
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "of",
    "the", "pour", "sur",
})
# Legal forms said by some sources and not others: a difference costs GENERIC_PENALTY, not
# the whole comparison. Words naming the kind of enterprise ("habitation", "solidarite",
# "travail") are not among them: a housing and a solidarity co-op of one town are two.
GENERIC = frozenset({"coop", "obnl", "osbl"})
GENERIC_PENALTY = 5
EXPANSIONS = {"cpe": ("centre", "petite", "enfance")}
# Two words this alike (rapidfuzz ratio) are one word with a typo: « enfnace » and « enfance »
# (86), « ruhce » and « ruche » (80); not « envol » and « benevole » (77).
PAIRED_WORD = 80
# Ceiling of the score of two names that each hold a word the other lacks.
DIFFERENT_NAMES_SCORE = 60
# Floor of the score of a name held whole in a longer one (« La Ruche », « Coopérative de
# solidarité La Ruche »): a possible duplicate, never merged on its own.
CONTAINED_SCORE = 80
# Different numbers (a street number, a "2" after a name) are different enterprises.
DIFFERENT_NUMBERS_SCORE = 40
# A token shared by more enterprises of one place than this does not block: comparing a row
# with a whole city's « Services » would cost too much for the candidates it finds.
MAX_BLOCK = 200


def tokens_of(text):
    """The words of a name, folded, abbreviations and synonyms made one, legal suffixes and
    leading articles dropped."""
    text = fold(text).replace("œ", "oe").replace("æ", "ae").replace("&", " et ")
    if "." in text:
        text = DOTTED_ABBREVIATION.sub(lambda found: found.group().replace(".", ""), text)
    text = " ".join(SYNONYMS.get(token, token) for token in WORD.findall(text))
    if PHRASE_START.search(text):
        text = PHRASE.sub(lambda found: PHRASES[found.group()], text)
    tokens = text.split()
    tokens = [token for token in tokens if token not in LEGAL_SUFFIXES] or tokens
    while len(tokens) > 1 and tokens[0] in LEADING_ARTICLES:
        del tokens[0]
    return tokens


def normalized_name(text):
    """The name as compared: ``C.P.E. les Soleils de Mékinac`` → ``cpe les soleils de mekinac``,
    ``Coopérative St-Rémi inc.`` → ``coop saint remi``."""
    return " ".join(tokens_of(text))


@functools.lru_cache(maxsize=1024)  # a row is matched, then learned: one computation
def comparison_key(text):
    """The significant words of a normalized name, sorted: word order does not count. An
    acronym is spelled out, so that a typo in « Centre de la petite enfance » costs one word."""
    words = []
    for word in tokens_of(text):
        words.extend(EXPANSIONS.get(word, (word,)))
    return " ".join(sorted(word for word in words if word not in STOPWORDS) or words)


def word_coverage(words, others):
    """Per word, its best likeness (0 to 100) to a word of ``others``."""
    exact = set(others)
    return [100.0 if word in exact else max(ratio(word, other) for other in others)
            for word in words]


def key_similarity(key_a, key_b, same_postal_code=False):
    """name_similarity() on two comparison keys: each word is paired with its closest word on
    the other side, the likeness of the pairs averaged by word length. A word with no close
    counterpart on either side makes two different names (« CPE Les Soleils », « CPE Les
    Lucioles »), however long the rest they share, unless they share a postal code: then they
    may be one enterprise named two ways (« Cuisines collectives de la Moraine », « Cuisines
    solidaires de la Moraine »), for a curator to tell. An unpaired word on one side only makes
    a longer name of the same one: at most a possible duplicate too."""
    if key_a == key_b:
        return 100.0
    words_a, words_b = key_a.split(), key_b.split()
    if not (words_a and words_b):
        return 0.0
    distinct_a = [word for word in words_a if word not in GENERIC] or words_a
    distinct_b = [word for word in words_b if word not in GENERIC] or words_b
    coverage_a = word_coverage(distinct_a, distinct_b)
    coverage_b = word_coverage(distinct_b, distinct_a)
    weights = [len(word) for word in distinct_a + distinct_b]
    score = sum(map(operator.mul, coverage_a + coverage_b, weights)) / sum(weights)
    if GENERIC.intersection(words_a) != GENERIC.intersection(words_b):
        score -= GENERIC_PENALTY
    unpaired_a = min(coverage_a) < PAIRED_WORD
    unpaired_b = min(coverage_b) < PAIRED_WORD
    if unpaired_a and unpaired_b:
        score = min(score, MERGE_SCORE - 1 if same_postal_code else DIFFERENT_NAMES_SCORE)
    elif unpaired_a or unpaired_b:
        score = min(max(score, CONTAINED_SCORE), MERGE_SCORE - 1)
    numbers_a = {word for word in words_a if not word.isalpha()}
    numbers_b = {word for word in words_b if not word.isalpha()}
    if numbers_a != numbers_b:
        score = min(score, DIFFERENT_NUMBERS_SCORE)
    return max(score, 0.0)


def name_similarity(a, b):
    """How alike two enterprise names are, 0 to 100, once normalized."""
    return key_similarity(comparison_key(a), comparison_key(b))


@functools.lru_cache(maxsize=4096)  # a file names a few hundred towns, over and over
def fold_place(text):
    """A city as compared: ``TROIS-RIVIÈRES (QUÉBEC)`` and ``Trois-Rivières`` are one."""
    text = re.sub(r"\((?:qc|quebec)\)|,\s*(?:qc|quebec)$", " ", fold(text))
    return " ".join(SYNONYMS.get(word, word) for word in WORD.findall(text))


@dataclass
class Match:
    enterprise_id: int | None = None
    via: str = ""  # "record", "slug", "neq", "name", or "" for no match
    candidates: set = field(default_factory=set)  # more than one: waits for a curator
    score: float | None = None  # name similarity of the match, 0 to 100
    possible_duplicates: set = field(default_factory=set)  # grey zone: create, then review
    identity_conflict: bool = False  # matched by NEQ or record id, but the names disagree
    # With identity_conflict: the enterprise the NEQ or record id points to, when the row
    # went to another one that has its name in the same place.
    conflicting_id: int | None = None

    @property
    def ambiguous(self):
        return len(self.candidates) > 1


def record_key(clean):
    """The network's id for the record, or a stable stand-in when the file has none."""
    if clean.get(RECORD_ID):
        return clean[RECORD_ID]
    if clean.get("neq"):
        return f"neq:{clean['neq']}"
    return f"name:{fold(clean.get('name', ''))}|{clean.get('postal_code', '')}"[:100]


@functools.lru_cache(maxsize=1024)  # for the row's match, then for its learning
def blocking_words(key):
    """The words of a comparison key that find candidates: its numbers when it has any (two
    names with different numbers never match), else its words that are not legal forms. Each
    once, and interned: a place's index holds one string per word."""
    words = key.split()
    words = ([word for word in words if not word.isalpha()]
             or [word for word in words if word not in GENERIC] or words)
    return tuple(map(sys.intern, dict.fromkeys(words)))


class Block:
    """Too many enterprises share this key for it to narrow anything: it is no longer grown."""


TOO_LARGE = Block()


def add_to_block(index, key, pk):
    """One int per key (most keys are unique), a list when several share it, TOO_LARGE past
    MAX_BLOCK: the index of 100 000 enterprises stays a few tens of megabytes."""
    found = index.get(key)
    if found is None:
        index[key] = pk
    elif found is TOO_LARGE or found == pk:
        return
    elif isinstance(found, list):
        found.append(pk)
        if len(found) > MAX_BLOCK:
            index[key] = TOO_LARGE
    else:
        index[key] = [found, pk]


def block_members(index, key):
    found = index.get(key)
    if found is None or found is TOO_LARGE:
        return ()
    return found if isinstance(found, list) else (found,)


def place_id(value):
    """A municipality given as its id or as the object."""
    return getattr(value, "pk", value)


class Matcher:
    """Indexes of the whole directory (a few columns per enterprise), loaded on the first row
    that needs matching: a re-import of known, unchanged rows never pays for them."""

    def __init__(self, network, by_slug=False):
        self.network = network
        self.use_slugs = by_slug
        self.loaded = False
        self.by_slug = {}
        self.by_neq = {}
        self.keys = {}  # pk → comparison key of its name
        self.by_postal_code = {}  # postal code → pk, list of pks or TOO_LARGE
        self.by_place = {}  # municipality id or folded city → {blocking word → pks}

    @functools.cached_property
    def by_record(self):
        return dict(
            EnterpriseSource.objects.filter(network=self.network)
            .values_list("external_id", "enterprise_id")
            .iterator(chunk_size=5000)
        )

    def load(self):
        self.loaded = True
        if self.use_slugs:
            self.by_slug = dict(
                Enterprise.objects.values_list("slug", "pk").iterator(chunk_size=5000)
            )
        rows = Enterprise.objects.values_list(
            "pk", "neq", "name", "postal_code", "municipality_id", "city"
        )
        for pk, neq, name, postal_code, municipality, city in rows.iterator(chunk_size=5000):
            if neq:
                self.by_neq[neq] = pk
            self.index(pk, name, postal_code, municipality, city)

    def index(self, pk, name, postal_code, municipality, city):
        key = comparison_key(name)
        if not key:
            return
        self.keys[pk] = key
        if postal_code:
            add_to_block(self.by_postal_code, postal_code, pk)
        place = place_id(municipality) or fold_place(city)
        if place:
            words = self.by_place.get(place)
            if words is None:
                words = self.by_place[place] = {}
            for word in blocking_words(key):
                add_to_block(words, word, pk)

    def learn(self, enterprise_id, clean):
        """Index an enterprise this run created, so that a later row can find it."""
        if not self.loaded:
            self.load()
        if clean.get("neq"):
            self.by_neq.setdefault(clean["neq"], enterprise_id)
        self.index(enterprise_id, clean.get("name", ""), clean.get("postal_code", ""),
                   clean.get("municipality"), clean.get("city", ""))

    def match(self, clean):
        if not self.loaded:
            self.load()
        key = record_key(clean)
        by_record = self.by_record.get(key)
        via = "record"
        if not by_record and self.by_slug.get(key):
            by_record, via = self.by_slug[key], "slug"
        by_neq = self.by_neq.get(clean.get("neq"))
        if by_record and by_neq and by_record != by_neq:
            return Match(candidates={by_record, by_neq})
        name = comparison_key(clean.get("name", ""))
        if by_record or by_neq:
            return self.identified(by_record or by_neq, via if by_record else "neq", name, clean)
        return self.by_name(name, clean)

    def identified(self, pk, via, name, clean):
        """A match by an identifier, checked against the name: a mistyped NEQ must not rename
        another organization. When the name belongs to another enterprise of the same place,
        the name wins (an identifier is mistyped more often than a name and a place agree)."""
        known = self.keys.get(pk)
        if not name or not known:
            return Match(pk, via)
        score = key_similarity(name, known)
        if score >= IDENTITY_SCORE:
            return Match(pk, via, score=score)
        by_name = self.by_name(name, clean)
        if by_name.enterprise_id and by_name.enterprise_id != pk:
            by_name.identity_conflict, by_name.conflicting_id = True, pk
            return by_name
        return Match(pk, via, score=score, identity_conflict=True)

    def scored(self, name, clean):
        """Enterprises of the same postal code, or of the same place sharing a word of the name
        → the similarity of their names."""
        neighbours = set()
        if clean.get("postal_code"):
            neighbours.update(block_members(self.by_postal_code, clean["postal_code"]))
        candidates = set(neighbours)
        places = {place_id(clean.get("municipality")), fold_place(clean.get("city", ""))}
        words = blocking_words(name)
        for place in places - {None, ""}:
            index = self.by_place.get(place)
            if index:
                for word in words:
                    candidates.update(block_members(index, word))
        return {pk: key_similarity(name, self.keys[pk], pk in neighbours) for pk in candidates}

    def by_name(self, name, clean):
        if not name:
            return Match()
        return decide(self.scored(name, clean))


def decide(scores, merge_score=MERGE_SCORE, suggest_score=SUGGEST_SCORE):
    """The match the name scores make: the best one at or above ``merge_score`` (a tie waits for
    a curator), the others down to ``suggest_score`` as possible duplicates."""
    scores = {pk: score for pk, score in scores.items() if score >= suggest_score}
    if not scores:
        return Match()
    best = max(scores.values())
    if best < merge_score:
        return Match(score=best, possible_duplicates=set(scores))
    top = {pk for pk, score in scores.items() if score == best}
    if len(top) > 1:
        return Match(candidates=top, score=best)
    pk = top.pop()
    return Match(pk, "name", score=best,
                 possible_duplicates={other for other in scores if other != pk})
