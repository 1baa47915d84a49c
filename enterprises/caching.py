"""HTTP caching of the public directory's pages and API: an ETag and a public Cache-Control.

A page changes when the directory does (``DirectoryRevision``), when a new release changes the
code, templates or translations, or when content it shows from outside the directory changes
(buyers, video capsules, procurement sheets, events): that content signals no revision, so the
ETag also changes once per period that the directory index itself is trusted for
(``DIRECTORY_FACETS_CACHE_SECONDS``), which bounds how long it can stay stale. The rest of the
ETag is what picks the response: the language, the path with its full query, and whether htmx
asked for the results fragment.

A conditional request (If-None-Match) costs one query, the revision, and renders nothing when
the ETag still matches. Other requests cost no query more: the tag is made after the view from
the revision of the index it just used, which can only be older than the content, never newer.

Requests carrying a session or pending messages (``base.html`` shows them) are answered
privately and never with a 304: what a shared cache keeps is the same for every visitor.

Below the whole page, the listing keeps its costliest fragments in the default cache for the
same revision, release, period and language: each result card (``rendered_cards``), and the
filters' block per filter state (``rendered_facets``). Neither depends on the visitor. A filter
state not seen yet renders its block from facet entries that the directory index keeps
rendered around their counts (``facet_entry_html``).
"""

import hashlib
import time
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache as default_cache
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils import formats, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from .directory_index import index as directory_index
from .models import DirectoryRevision
from .sections import card_action_templates

# What changes the response besides the URL: the fragment or the page for htmx (a history
# restore asks for the whole page), the session or messages for the private answer.
VARY = ("HX-Request", "HX-History-Restore-Request", "Cookie")
# The files of a release that shape the pages; their content, not their dates, so that every
# server of one release sends the same ETags.
RELEASE_DIRECTORIES = ("ecpar_site", "enterprises", "events", "programs", "purchases",
                       "templates", "locale", "static")
RELEASE_SUFFIXES = (".py", ".html", ".txt", ".mo", ".css", ".js", ".svg")
CARD_TEMPLATE = "includes/enterprise_card.html"
FACET_TEMPLATE = "includes/facet.html"
FACET_ENTRY_TEMPLATE = "includes/facet_entry.html"
# Where a facet entry's count and its text go: markup that the template prints as it is, and
# that no label can produce, since labels are escaped.
COUNT_SLOT, COUNT_TEXT_SLOT = mark_safe("<count>"), mark_safe("<count-text>")
# Query parameters that change the results shown but not the filters' counts.
PRESENTATION_PARAMETERS = ("page", "per_page", "sort")


@cache
def release():
    """A digest of the running release's code, templates, translations and static files."""
    digest = hashlib.blake2b(digest_size=8)
    for directory in RELEASE_DIRECTORIES:
        for path in sorted((Path(settings.BASE_DIR) / directory).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def is_personal(request):
    """Whether the answer may show this visitor's own state: signed in, or messages pending."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in (
        request.COOKIES
    )


def wants_fragment(request):
    headers = request.headers
    return headers.get("HX-Request") == "true" and (
        headers.get("HX-History-Restore-Request") != "true"
    )


def directory_etag(request, revision):
    period = settings.DIRECTORY_FACETS_CACHE_SECONDS or 1
    parts = (
        str(revision),
        release(),
        str(int(time.time() // period)),
        translation.get_language(),
        "fragment" if wants_fragment(request) else "page",
        request.get_full_path(),
    )
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def served_revision():
    """The revision of the index the view just read, or the database's if none is loaded."""
    revision = directory_index.loaded_revision()
    return revision if revision is not None else DirectoryRevision.current()


def cache_publicly(response, etag):
    response.headers["ETag"] = etag
    patch_cache_control(
        response,
        public=True,
        max_age=settings.DIRECTORY_CACHE_MAX_AGE,
        stale_while_revalidate=settings.DIRECTORY_CACHE_STALE_SECONDS,
    )
    patch_vary_headers(response, VARY)
    return response


def public_directory_cache(view):
    """Wrap a public directory view: ETag and public caching, 304 for a repeated ETag."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if is_personal(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, VARY)
            return response
        etag = None
        if "If-None-Match" in request.headers:
            etag = directory_etag(request, DirectoryRevision.current())
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return cache_publicly(not_modified, etag)
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        return cache_publicly(response, etag or directory_etag(request, served_revision()))

    return cached_view


def fragment_key(kind, *parts):
    """The cache key of a fragment of the directory's pages, for the revision of the index
    the view just used, this release, period and language."""
    period = int(time.time() // settings.DIRECTORY_FACETS_CACHE_SECONDS)
    scope = (kind, served_revision(), release(), period, translation.get_language(), *parts)
    return "fragment:" + ":".join(map(str, scope))


def kept_per_enterprise(kind, ids, fetch, make):
    """``make(enterprise)`` for each of ``ids`` that ``fetch`` finds, in the order of ``ids``.

    What was made before in this revision and language comes from the cache in one read; only
    the others are fetched (``fetch(missing ids)`` returns ``{id: enterprise}``), made and kept
    in one write. Nothing is kept when the directory index is rebuilt for every request
    (``DIRECTORY_FACETS_CACHE_SECONDS = 0``).
    """
    lifetime = settings.DIRECTORY_FACETS_CACHE_SECONDS
    keys = {pk: fragment_key(kind, pk) for pk in ids} if lifetime else {}
    kept = default_cache.get_many(keys.values()) if keys else {}
    made = {pk: kept[key] for pk, key in keys.items() if key in kept}
    if missing := [pk for pk in ids if pk not in made]:
        new = {pk: make(enterprise) for pk, enterprise in fetch(missing).items()}
        made |= new
        if lifetime:
            default_cache.set_many({keys[pk]: value for pk, value in new.items()}, lifetime)
    return [made[pk] for pk in ids if pk in made]


def rendered_cards(enterprises, prefetch=("categories",)):
    """Each enterprise's result card (``CARD_TEMPLATE``), in order; only the cards not kept
    yet get their ``prefetch`` relations (one query each) and are rendered. A page that knows
    its ids before its rows (``ResultPage``) fetches only the rows of those cards.

    A card is the same for every visitor, so it is rendered without the request, which also
    spares the context processors: they cost as much as the card itself."""
    if hasattr(enterprises, "rows"):
        ids, rows_of = enterprises.ids, enterprises.rows
    else:
        by_pk = {enterprise.pk: enterprise for enterprise in enterprises}
        ids, rows_of = list(by_pk), lambda missing: {pk: by_pk[pk] for pk in missing}
    template = get_template(CARD_TEMPLATE)

    def fetch(missing):
        rows = rows_of(missing)
        prefetch_related_objects(list(rows.values()), *prefetch)
        return rows

    actions = card_action_templates()
    cards = kept_per_enterprise(
        "card", ids, fetch,
        lambda enterprise: template.render(
            {"enterprise": enterprise, "card_action_templates": actions}
        ),
    )
    return [mark_safe(card) for card in cards]


def rendered_facets(request, facets, index):
    """The filters' block: ``FACET_TEMPLATE`` for each facet that ``facets()`` returns,
    kept per page (its path) and filter state (the query without paging and order), and
    rendered without the request, as the cards are. Its entries come from ``index``
    (``facet_entry_html``), the directory index the counts were read from."""
    template = get_template(FACET_TEMPLATE)

    def render():
        html = []
        for facet in facets():
            for tree, entries in ((False, facet["lead"]), (True, facet["more"])):
                for entry in entries:
                    entry["html"] = facet_entry_html(index, facet["name"], entry, tree)
            html.append(template.render({"facet": facet}))
        return "".join(html)

    lifetime = settings.DIRECTORY_FACETS_CACHE_SECONDS
    if not lifetime:
        return mark_safe(render())
    state = sorted((name, value) for name, values in request.GET.lists()
                   if name not in PRESENTATION_PARAMETERS for value in values)
    digest = hashlib.blake2b(repr((request.path, state)).encode(), digest_size=12).hexdigest()
    key = fragment_key("facets", digest)
    html = default_cache.get(key)
    if html is None:
        html = render()
        default_cache.set(key, html, lifetime)
    return mark_safe(html)


def facet_entry_html(index, facet_name, entry, tree):
    """One entry of a facet (``FACET_ENTRY_TEMPLATE``): the template rendered once per index,
    language, value and state (chosen or not, in the tree of "Show all" or not), with slots
    where each request puts its count.

    A filter state not seen yet lists a hundred entries or more, and rendering each one's
    template cost most of its page (figures in docs/performance.md).
    """
    key = (translation.get_language(), facet_name, entry["value"], tree, entry["selected"])
    parts = index.facet_entries.get(key)
    if parts is None:
        html = get_template(FACET_ENTRY_TEMPLATE).render({
            "facet": {"name": facet_name},
            "entry": {**entry, "count": COUNT_SLOT, "count_text": COUNT_TEXT_SLOT},
            "tree": tree,
        })
        before, rest = html.split(COUNT_SLOT)
        parts = index.facet_entries[key] = (before, *rest.split(COUNT_TEXT_SLOT))
    before, between, after = parts
    count = entry["count"]
    shown = formats.localize(count)
    text = ngettext("%(counter)s result", "%(counter)s results", count) % {"counter": shown}
    return mark_safe(f"{before}{shown}{between}{escape(text)}{after}")
