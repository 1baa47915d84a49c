"""Query words that name a category or a place, offered as filters.

``interpret("traiteur St-Rémi")`` finds the words that name a category (through the synonym
sets linked to it, or its full name) and those that name a region, an MRC or a municipality
(accents, case, hyphens and ``St``/``Ste`` ignored, as ``places.place_key`` writes them). The
listing offers them as a one-click filter, a plain link to the URL a full load would show;
when the text alone finds nothing it applies the first that finds something (or a corrected
spelling) and says so, with a link back to the text as typed (``AS_TYPED``).

The names are read once per revision of the directory, per process: the categories, regions and
MRCs from the directory index, the municipalities by one query.
"""

import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from enterprises.directory_index import FilteredDirectory, current_index, result_count
from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Enterprise, Municipality
from enterprises.places import place_key

from .synonyms import current_synonyms, term_words
from .text import MAX_TERMS, STOP_WORDS, WORD, clean, words

# The parameter of the "search as typed" link: the listing then applies nothing by itself.
AS_TYPED = "as_typed"
# The longest place name matched, in words ("Saint-Jean-Baptiste-de-Nicolet" has 5).
MAX_PLACE_WORDS = 7
# Words that join a place to the rest ("traiteur à Longueuil", "caterers in Montreal"), or
# say what it is ("ville de Québec", "Quebec City"): taken with it.
PLACE_LINKS = frozenset({"a", "au", "aux", "en", "dans", "de", "du", "des", "in", "near", "pres",
                         "ville", "city", "region", "mrc"})
PLACE_SUFFIXES = frozenset({"city", "region", "area"})
# Municipalities named by a word buyers use for something else ("low cost", "best price").
NOT_PLACES = frozenset({"low", "hope", "price", "gore", "begin", "nouvelle", "racine"})
# The filters a hint may set, and the parameters that shape the page only.
HINT_FILTERS = ("category", "region", "mrc")
PAGE_PARAMETERS = ("page", AS_TYPED)
# The hints of the listing's recent queries kept with each directory index (``kept_offers``).
HINT_STATES_KEPT = 256


@dataclass(frozen=True)
class Place:
    """A place a query word names, as the filter that keeps it: ``facet`` and its ``value``."""

    facet: str  # "region" or "mrc"
    value: str  # the region's code or the MRC's slug
    name: str
    name_en: str = ""

    @property
    def label(self):
        return self.name_en if translation.get_language() == "en" and self.name_en else self.name


class Vocabulary:
    """Category and place names by their folded form, for one revision of the directory."""

    def __init__(self, index):
        self.index = index
        self.categories = {category.pk: category for category in index.categories}
        self.category_names = {}  # tuple of words → category id
        for category in index.categories:
            for name in (category.name, category.name_en):
                self.category_names.setdefault(term_words(name), category.pk)

    @cached_property
    def places(self):
        """``{place_key: Place}`` from the index's regions and MRCs and the municipalities (one
        query, made only when a query has words left once its categories are read)."""
        places = {}
        # Least specific first, each overriding the one before: a municipality named like its
        # MRC (Longueuil) is its MRC, an MRC named like its region (Montréal) the region.
        mrcs = {mrc.pk: mrc for mrc in self.index.mrcs}
        for name, mrc_id in Municipality.objects.exclude(mrc=None).values_list("name", "mrc_id"):
            if (mrc := mrcs.get(mrc_id)) is None:
                continue
            label = name if place_key(name) == place_key(mrc.name) else f"{name} ({mrc.name})"
            places[place_key(name)] = Place("mrc", mrc.slug, label)
        for mrc in mrcs.values():
            places[place_key(mrc.name)] = Place("mrc", mrc.slug, mrc.name)
        for region in self.index.regions:
            place = Place("region", region.code, region.name, region.name_en)
            for name in (region.name_en, region.name):
                places[place_key(name)] = place
        return places


_lock = threading.Lock()
_cached = {"revision": object(), "vocabulary": None}


def vocabulary(index):
    """The names of ``index``'s revision of the directory, read once per revision."""
    with _lock:
        if _cached["revision"] == index.revision and _cached["vocabulary"] is not None:
            return _cached["vocabulary"]
    loaded = Vocabulary(index)
    with _lock:
        _cached.update(revision=index.revision, vocabulary=loaded)
    return loaded


@dataclass(frozen=True)
class Interpretation:
    """What the query's words name: categories, a place, and the words left as text."""

    remaining: str
    categories: tuple = ()  # Category objects
    place: Place | None = None
    category_words: str = ""  # the words that named the categories, as typed

    def __bool__(self):
        return bool(self.categories or self.place)


def interpret(q, index=None):
    """The categories and the place that the words of ``q`` name, and the other words;
    ``index`` is the directory index the request uses (by default the current one)."""
    # Each folded word with the word as typed, which the remaining text keeps (« ménager »).
    pairs = [
        (folded, spelling)
        for spelling in WORD.findall(unicodedata.normalize("NFC", clean(q)))
        for folded in words(spelling)
    ][:MAX_TERMS]
    if not pairs:
        return Interpretation(remaining="")
    typed = [folded for folded, _spelling in pairs]
    known = vocabulary(index or current_index())
    used = [False] * len(typed)
    categories = find_categories(typed, used, known)
    by_category = list(used)
    place = find_place(typed, used, known) if not all(used) else None
    remaining = dict.fromkeys(
        spelling for (_folded, spelling), taken in zip(pairs, used, strict=True) if not taken
    )
    category_words = dict.fromkeys(
        spelling for (_folded, spelling), taken in zip(pairs, by_category, strict=True) if taken
    )
    return Interpretation(
        " ".join(remaining), tuple(categories), place, " ".join(category_words)
    )


def find_place(typed, used, known):
    """The longest run of words not yet used that names a place (the last such run); its
    words, and the linking words around it, are marked as used."""
    for length in range(min(MAX_PLACE_WORDS, len(typed)), 0, -1):
        for start in range(len(typed) - length, -1, -1):
            if any(used[start : start + length]):
                continue
            key = place_key(" ".join(typed[start : start + length]))
            place = None if key in NOT_PLACES else known.places.get(key)
            if place is None:
                continue
            for position in range(start, start + length):
                used[position] = True
            before = start - 1
            while before >= 0 and typed[before] in PLACE_LINKS:
                used[before] = True
                before -= 1
            if start + length < len(typed) and typed[start + length] in PLACE_SUFFIXES:
                used[start + length] = True
            return place
    return None


def find_categories(typed, used, known):
    """The categories that runs of the words name, by a synonym set linked to a category or
    by the category's full name; the words of the synonym sets are marked as used."""
    positions = [n for n, word in enumerate(typed) if not used[n] and word not in STOP_WORDS]
    candidates = [typed[n] for n in positions]
    found = {}
    for start, (end, category_ids) in current_synonyms().categories_named(candidates).items():
        for n in positions[start:end]:
            used[n] = True
        for category_id in sorted(category_ids):
            found.setdefault(category_id, known.categories.get(category_id))
    for name, category_id in known.category_names.items():
        if name and _contains(candidates, name):
            found.setdefault(category_id, known.categories[category_id])
    return [category for category in found.values() if category is not None]


def _contains(candidates, name):
    return any(
        tuple(candidates[start : start + len(name)]) == name
        for start in range(len(candidates) - len(name) + 1)
    )


@dataclass
class Hint:
    """A filtered listing a query's words suggest: its query string, label and count."""

    query: str
    label: str
    count: int


@dataclass
class ListingHints:
    """What the listing shows about the query: the hints to click, or the one applied (with
    the note saying so and the link back to the text as typed)."""

    offers: list = field(default_factory=list)
    applied: Hint | None = None
    note: str = ""
    typed: str = ""
    as_typed_query: str = ""


def for_listing(view):
    """The hints for a ``DirectoryView`` that has its ``filterset``, ``directory`` and
    ``facets``. When the text alone finds nothing, applies the first hint that finds
    something (or a corrected spelling), replacing the view's three attributes with it."""
    q = view.filterset.active_filters.get("q")
    if not q:
        return ListingHints()
    total = result_count(view.facets)
    if total or AS_TYPED in view.request.GET:
        return ListingHints(offers=kept_offers(view, q, total))
    hints = offers(view, q, total) or spelling_hints(view, q)
    if not hints:
        return ListingHints()
    applied = hints[0]
    apply(view, applied.query)
    as_typed = view.request.GET.copy()
    as_typed.pop("page", None)
    as_typed[AS_TYPED] = "1"
    return ListingHints(
        applied=applied,
        note=_("No results for %(q)s; showing %(hint)s instead.")
        % {"q": quoted(q), "hint": applied.label},
        typed=q,
        as_typed_query=as_typed.urlencode(),
    )


def offers(view, q, total):
    """The first hint the words of ``q`` suggest that finds other results than ``total``."""
    for candidate in candidates(interpret(q, view.directory.index)):
        params = hint_parameters(view.request.GET, view.filterset, candidate)
        if params is None:
            continue
        count = count_of(view, params)
        # The same count is most likely the same results: nothing to offer.
        if count and count != total:
            return [Hint(params.urlencode(), describe(candidate), count)]
    return []


def kept_offers(view, q, total):
    """``offers``, kept with the directory index per language, page and query: a buyer turning
    the pages or coming back to a search asks for the same hints, and working them out again
    costs a second filter set and directory."""
    request = view.request
    state = sorted((name, value) for name, values in request.GET.lists() if name != "page"
                   for value in values)
    kept = view.directory.index.hints
    key = (translation.get_language(), request.path, tuple(state))
    found = kept.get(key)
    if found is None:
        found = offers(view, q, total)
        if len(kept) >= HINT_STATES_KEPT:
            kept.clear()
        kept[key] = found
    return found


def candidates(interpretation):
    """The category and the place together, then (when together they find nothing) each
    alone: « traiteur Longueuil » with no caterer there still leads to the caterers."""
    if not interpretation:
        return []
    found = [interpretation]
    if interpretation.categories and interpretation.place:
        found.append(Interpretation(interpretation.remaining, interpretation.categories))
        # The place alone keeps the words that named the category as text.
        words_left = f"{interpretation.category_words} {interpretation.remaining}".strip()
        found.append(Interpretation(words_left, place=interpretation.place))
    return found


def hint_parameters(get, filterset, interpretation):
    """The listing's parameters with the hint's filters added and its words taken out of the
    text; None when it changes nothing, or when a facet it names is filtered otherwise.

    A facet already filtered on the very values the words name (a live update sends the
    filters a hint applied, with the text as typed) only loses the words from the text."""
    params = get.copy()
    for name in PAGE_PARAMETERS:
        params.pop(name, None)
    active = filterset.active_filters
    wanted = {}
    if interpretation.categories:
        wanted["category"] = [category.slug for category in interpretation.categories]
    if interpretation.place:
        wanted[interpretation.place.facet] = [interpretation.place.value]
    for facet, values in wanted.items():
        if facet in active:
            chosen = {getattr(choice, "code" if facet == "region" else "slug")
                      for choice in active[facet]}
            if not chosen >= set(values):
                return None
        elif interpretation.place and "mrc" in active and facet == "region":
            return None  # an MRC chosen already places the search
        else:
            params.setlist(facet, values)
    if interpretation.remaining:
        params["q"] = interpretation.remaining
    else:
        params.pop("q", None)
        params.pop("sort", None)
    return params


def count_of(view, params):
    """How many enterprises the listing would show with ``params``, from the index the view
    read: its revision is not read again, nor the chosen filters looked up in the database."""
    index = view.directory.index
    filterset = EnterpriseFilterSet(
        params, queryset=view.get_queryset(), known_choices=index.known_choices
    )
    directory = FilteredDirectory(filterset, fixed=view.get_fixed_filters(), index=index)
    return result_count(directory.facet_counts(facets=("legal_form",)))


def apply(view, query):
    """Show the listing for the hint's ``query`` instead of the empty one."""
    view.filterset = EnterpriseFilterSet(QueryDict(query), queryset=view.get_queryset())
    view.directory = FilteredDirectory(view.filterset, fixed=view.get_fixed_filters())
    view.facets = view.directory.facet_counts()


def spelling_hints(view, q):
    """The text with its misspelled words corrected, as a hint, when that finds something."""
    from . import suggest

    corrected = suggest(q)
    if not corrected:
        return []
    params = view.request.GET.copy()
    for name in PAGE_PARAMETERS:
        params.pop(name, None)
    params["q"] = corrected
    count = count_of(view, params)
    if not count:
        return []
    return [Hint(params.urlencode(), quoted(corrected), count)]


def quoted(text):
    return _("“%(text)s”") % {"text": text}


def describe(interpretation):
    """« Traiteur et buffets » — Montérégie, with the words left as text, for a link."""
    parts = [quoted(category.localized_name) for category in interpretation.categories]
    if interpretation.remaining:
        parts.append(quoted(interpretation.remaining))
    if interpretation.place:
        parts.append(interpretation.place.label)
    return " — ".join(parts)


def listing_ids(q, limit):
    """The ids of the first ``limit`` enterprises the public listing shows for ``q``, hints
    applied as the listing applies them (for ``benchmark_relevance``)."""
    from django.test import RequestFactory

    listing = WholeDirectory.of(RequestFactory().get("/", {"q": q}))
    for_listing(listing)
    results = listing.directory.results()
    return [enterprise.pk for enterprise in results[:limit]]


def for_api(request, filterset, directory, facets):
    """The hints of an API request, offered and never applied: the listing's offer, or when
    the text finds nothing, what the listing would show instead (a hint that finds something,
    else a corrected spelling)."""
    q = filterset.active_filters.get("q")
    if not q:
        return []
    listing = WholeDirectory(request, filterset, directory, facets)
    total = result_count(facets)
    if total:
        return kept_offers(listing, q, total)
    return offers(listing, q, total) or spelling_hints(listing, q)


@dataclass
class WholeDirectory:
    """What ``for_listing`` reads of a ``DirectoryView``, for a request on the whole directory
    (the API, ``benchmark_relevance``)."""

    request: object
    filterset: EnterpriseFilterSet
    directory: FilteredDirectory
    facets: dict

    @classmethod
    def of(cls, request):
        filterset = EnterpriseFilterSet(request.GET, queryset=cls.get_queryset())
        directory = FilteredDirectory(filterset)
        return cls(request, filterset, directory, directory.facet_counts())

    @staticmethod
    def get_queryset():
        return Enterprise.objects.published()

    @staticmethod
    def get_fixed_filters():
        return {}
