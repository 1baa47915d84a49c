"""Public pages of the directory. Only published enterprises ever appear here."""

import json
import time

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from .caching import is_personal, rendered_cards, rendered_facets
from .directory_index import FilteredDirectory, current_index, facet_counts, result_count
from .filters import EnterpriseFilterSet
from .models import (
    Category,
    DirectoryRevision,
    Enterprise,
    EnterpriseRedirect,
    Region,
    Sector,
)
from .search import suggest
from .search.hints import for_listing as search_hints
from .sections import (
    CATEGORY_PAGE,
    ENTERPRISE_PAGE,
    HOME_PAGE,
    LISTING_PAGE,
    read_presence,
    sections_for,
)
from .validators import fold

# Deep OFFSET pages get slower and slower; past this many results, refine or export instead.
MAX_BROWSABLE_RESULTS = 10_000
# Parameters that shape the page, not the result set: never part of a "remove filter" link.
PRESENTATION_PARAMETERS = ("page", "per_page", "sort")
# A filter list shows its chosen values and this many of the largest; the rest behind "show all".
FACET_LEAD = 8
# Lists at least this long get a box to type a few letters and narrow them (directory.js).
FACET_FILTERABLE = 20


def collation_key(label):
    """Sort key for a list in the page's language: « Économie » among the E, not after Z."""
    return (fold(str(label)), str(label))


def in_language_order(choices):
    """Reference rows (categories, sectors, regions) sorted by their name in the page's
    language."""
    return sorted(choices, key=lambda choice: collation_key(choice.localized_name))


def shaped_facet(name, legend, entries):
    """A facet as the filters show it: ``lead`` holds the chosen values, then the largest
    (``FACET_LEAD``), ``more`` the others in reading order (categories as a tree)."""
    shown = [entry for entry in entries if entry["count"] or entry["selected"]]
    if name != "category":
        shown.sort(key=lambda entry: collation_key(entry["label"]))
    else:
        shown = tree_ordered(shown)
    if len(shown) <= FACET_LEAD + 2:
        lead, more = shown, []
    else:
        chosen = [entry for entry in shown if entry["selected"]]
        others = [entry for entry in shown if not entry["selected"]]
        lead = chosen + sorted(others, key=lambda entry: -entry["count"])[:FACET_LEAD]
        in_lead = {entry["value"] for entry in lead}
        more = [entry for entry in shown if entry["value"] not in in_lead]
    return {
        "name": name, "legend": legend, "lead": lead, "more": more, "size": len(shown),
        "filterable": len(shown) >= FACET_FILTERABLE,
    }


def tree_ordered(entries):
    """Category entries, each parent before its children, siblings in collation order."""
    by_slug = {entry["value"]: entry for entry in entries}

    def path(entry):
        keys = []
        while entry is not None:
            keys.insert(0, collation_key(entry["label"]))
            entry = by_slug.get(entry["parent"])
        return keys

    return sorted(entries, key=path)


class CountedPaginator(Paginator):
    """A paginator told its count (read from the facets) instead of running a COUNT(*)."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.count = min(count, MAX_BROWSABLE_RESULTS)


class HomeView(TemplateView):
    template_name = "enterprises/home.html"

    def get_context_data(self, **kwargs):
        filterset = EnterpriseFilterSet({}, queryset=Enterprise.objects.published())
        facets = facet_counts(filterset, facets=("category", "sector", "region"))
        return super().get_context_data(
            top_categories=sorted(
                (entry for entry in facets["category"] if entry["depth"] == 0 and entry["count"]),
                key=lambda entry: -entry["count"],
            )[:12],
            sectors=sorted(
                (entry for entry in facets["sector"] if entry["count"]),
                key=lambda entry: collation_key(entry["label"]),
            ),
            regions=sorted(facets["region"], key=lambda entry: collation_key(entry["label"])),
            latest=Enterprise.objects.latest().select_related("region"),
            sections=sections_for(HOME_PAGE, self.request),
            **kwargs,
        )


class DirectoryView(TemplateView):
    """The filtered listing; category, sector and region pages narrow it first.

    Answers an htmx request with the results fragment only (the filters' counts and the
    heading come along out of band), and the whole page otherwise, so it works without
    JavaScript and a pushed URL reloads to the same page.
    """

    template_name = "enterprises/enterprise_list.html"
    fragment_template_name = "enterprises/directory_fragment.html"
    # The facet that the page itself fixes, left out of its filters.
    fixed_facet = None

    def get_queryset(self):
        return Enterprise.objects.published()

    def get_fixed_filters(self):
        """The filters the page itself applies, as ``{facet: [value]}``; the counts keep them."""
        return {}

    def get_heading(self):
        return _("Social economy enterprises")

    def get(self, request, *args, **kwargs):
        index = current_index()
        self.filterset = EnterpriseFilterSet(
            request.GET, queryset=self.get_queryset(), known_choices=index.known_choices
        )
        self.directory = FilteredDirectory(
            self.filterset, fixed=self.get_fixed_filters(), index=index
        )
        self.facets = self.directory.facet_counts()
        # Words naming a category or a place: offered as filters, applied if nothing matched.
        self.search_hints = search_hints(self)
        context = self.get_context_data(**kwargs)
        response = self.render_to_response(context)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def get_template_names(self):
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.history_restore_request:
            return [self.fragment_template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        total = result_count(self.facets)
        page = self.paginate(total)
        heading = self.describe(self.get_heading())
        chips = self.chips()
        return super().get_context_data(
            filterset=self.filterset,
            form=self.filterset.form,
            heading=heading,
            total=total,
            page_obj=page,
            page_range=page.paginator.get_elided_page_range(page.number),
            enterprises=page.object_list,
            # The cards and the filters' block, kept rendered per revision and language.
            cards=rendered_cards(page.object_list),
            facets_html=rendered_facets(self.request, self.shaped_facets, self.directory.index),
            chips=chips,
            # The "Filters (n)" button counts the values chosen in the filters, not the text.
            filter_count=sum(1 for chip in chips if not chip.get("text")),
            sort=self.filterset.sort,
            per_page=self.filterset.per_page,
            search_hints=self.search_hints,
            removal_links=[] if total else self.removal_links(),
            suggestion=None if total else self.suggestion(),
            export_query=self.query_without(("page",)),
            results_capped=total > MAX_BROWSABLE_RESULTS,
            max_browsable_results=MAX_BROWSABLE_RESULTS,
            # What other apps add for the chosen categories (programs: their sheets).
            listing_sections=sections_for(
                LISTING_PAGE, self.request, list(self.filterset.active_filters.get("category", ()))
            ),
            **kwargs,
        )

    def shaped_facets(self):
        """The filters' facets as ``includes/facet.html`` shows them (``shaped_facet``)."""
        return [
            shaped_facet(name, self.filterset.filters[name].label, entries)
            for name, entries in self.facets.items()
            # The MRCs are offered once a region with placed enterprises is chosen.
            if name != self.fixed_facet
            and (name != "mrc" or any(e["count"] or e["selected"] for e in entries))
        ]

    def paginate(self, total):
        results = self.directory.results(
            # The categories are read only for cards not kept yet (rendered_cards).
            lambda queryset: queryset.select_related("region", "municipality")
        )
        paginator = CountedPaginator(results, self.filterset.per_page, total)
        try:
            return paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404(_("This page of results does not exist.")) from None

    def describe(self, heading):
        """The heading followed by what the filters chose: « traiteur », Montréal, Coopérative."""
        chosen = []
        active = self.filterset.active_filters
        if "q" in active:
            chosen.append(f"« {active['q']} »")
        for entries in self.facets.values():
            chosen += [entry["label"] for entry in entries if entry["selected"]]
        if not chosen:
            return heading
        return _("%(heading)s: %(filters)s") % {"heading": heading, "filters": ", ".join(chosen)}

    def removal_links(self):
        """For an empty result: one link per active filter, each removing just that filter."""
        return [
            {
                "filter": self.filterset.filters[name].label,
                "value": self.describe_value(name),
                "query": self.query_without((name, *PRESENTATION_PARAMETERS)),
            }
            for name in self.filterset.active_filters
        ]

    def chips(self):
        """The active filters, each value with a link to the same results without it."""
        chips = []
        active = self.filterset.active_filters
        if "q" in active:
            chips.append({
                "filter": self.filterset.filters["q"].label,
                "value": active["q"],
                "query": self.query_without(("q", "page")),
                "text": True,
            })
        for name, entries in self.facets.items():
            if name == self.fixed_facet or name not in active:
                continue
            chosen = [entry for entry in entries if entry["selected"]]
            for entry in chosen:
                others = [other["value"] for other in chosen if other is not entry]
                chips.append({
                    "filter": self.filterset.filters[name].label,
                    "value": entry["label"],
                    "query": self.query_without(("page", name), **{name: others}),
                })
        return chips

    def suggestion(self):
        """For an empty result of a text search: a corrected spelling that finds something."""
        q = self.filterset.active_filters.get("q")
        return suggest(q) if q else None

    def describe_value(self, name):
        if name == "q":
            return self.filterset.active_filters["q"]
        return ", ".join(entry["label"] for entry in self.facets[name] if entry["selected"])

    def query_without(self, names, **replaced):
        """This page's query string without the parameters ``names`` (nor empty ones, which a
        submitted form leaves: ``q=``), then with the ``replaced`` lists of values."""
        query = QueryDict(mutable=True)
        for name, values in self.request.GET.lists():
            if name not in names and (kept := [value for value in values if value]):
                query.setlist(name, kept)
        for name, values in replaced.items():
            query.setlist(name, values)
        return query.urlencode()


class ChosenPageView(DirectoryView):
    """The directory within one category, sector or region, named by the slug in the URL: its
    facet (``fixed_facet``) is fixed, and ``narrow`` is the QuerySet method that keeps its
    enterprises."""

    chosen_queryset = None
    narrow = None

    @cached_property
    def chosen(self):
        return get_object_or_404(self.chosen_queryset, slug=self.kwargs["slug"])

    def get_queryset(self):
        return getattr(super().get_queryset(), self.narrow)([self.chosen])

    def get_fixed_filters(self):
        return {self.fixed_facet: [self.chosen]}

    def get_heading(self):
        return self.chosen.localized_name


class CategoryView(ChosenPageView):
    template_name = "enterprises/category_detail.html"
    fixed_facet = "category"
    chosen_queryset = Category.objects.select_related("parent")
    narrow = "offering"

    def get_context_data(self, **kwargs):
        # Only those with enterprises here: a link never leads to an empty page.
        children = sorted(
            (entry for entry in self.facets["category"]
             if entry["parent"] == self.chosen.slug and entry["count"]),
            key=lambda entry: collation_key(entry["label"]),
        )
        return super().get_context_data(
            category=self.chosen,
            subcategories=children,
            category_sections=sections_for(CATEGORY_PAGE, self.request, self.chosen),
            **kwargs,
        )


class SectorView(ChosenPageView):
    fixed_facet = "sector"
    chosen_queryset = Sector.objects.all()
    narrow = "in_sectors"


class RegionView(ChosenPageView):
    fixed_facet = "region"
    chosen_queryset = Region.objects.all()
    narrow = "in_regions"


class CategoryIndexView(TemplateView):
    """The tree of products and services, each with its number of published enterprises."""

    template_name = "enterprises/category_index.html"

    def get_context_data(self, **kwargs):
        filterset = EnterpriseFilterSet({}, queryset=Enterprise.objects.published())
        entries = tree_ordered(facet_counts(filterset, facets=("category",))["category"])
        tree = [
            {**entry, "children": [child for child in entries if child["parent"] == entry["value"]]}
            for entry in entries
            if entry["depth"] == 0
        ]
        return super().get_context_data(tree=tree, **kwargs)


class EnterpriseDetailView(DetailView):
    """One published enterprise with its relations and labels, and the sections other apps add
    to it (``enterprises.sections``). The rows it names (places, categories, sectors, labels,
    networks) and the neighbours it suggests come from the directory index; the enterprise's
    own row, its links and its sections' presence are one query each."""

    template_name = "enterprises/enterprise_detail.html"
    similar_count = 4

    def get_queryset(self):
        return Enterprise.objects.published().select_related("municipality")

    def get(self, request, *args, **kwargs):
        """The page as rendered for this revision of the directory and this language, when it
        is in the cache; an unknown slug that an enterprise had before a merge leads to it,
        permanently."""
        self.revision = DirectoryRevision.current()
        key = self.page_key(request)
        if key and (page := cache.get(key)) is not None:
            return HttpResponse(page)
        try:
            response = super().get(request, *args, **kwargs)
        except Http404:
            slug = (
                EnterpriseRedirect.objects.filter(old_slug=kwargs["slug"])
                .values_list("enterprise__slug", flat=True).first()
            )
            if slug is None:
                raise
            return redirect("enterprises:detail", slug=slug, permanent=True)
        if key:
            lifetime = settings.DIRECTORY_FACETS_CACHE_SECONDS
            response.add_post_render_callback(lambda page: cache.set(key, page.content, lifetime))
        return response

    def get_object(self, queryset=None):
        enterprise = super().get_object(queryset)
        self.index = current_index(self.revision)
        # The index's rows, unless the place was added since its revision: then read on its own.
        places = self.index.by_pk
        enterprise.region = places["region"].get(enterprise.region_id) or enterprise.region
        enterprise.mrc = places["mrc"].get(enterprise.mrc_id) or enterprise.mrc
        read_presence(enterprise)
        return enterprise

    def page_key(self, request):
        """The page's key in the cache, or None when it is not cached: for a visitor who may
        see their own state (signed in, messages pending), or when the directory index is
        rebuilt for every request (``DIRECTORY_FACETS_CACHE_SECONDS = 0``).

        Its buyers and capsules change no revision: like the pages' ETags, the key also
        changes once per index lifetime, which bounds how long they stay stale. The page names
        its own absolute address, hence the scheme and host.
        """
        lifetime = settings.DIRECTORY_FACETS_CACHE_SECONDS
        if not lifetime or is_personal(request):
            return None
        period = int(time.time() // lifetime)
        parts = (request.scheme, request.get_host(), self.kwargs["slug"],
                 translation.get_language(), self.revision, period)
        return "enterprise-page:" + ":".join(map(str, parts))

    def get_context_data(self, **kwargs):
        enterprise = self.object
        relations = self.index.relations_of(enterprise)
        # In the page's language order: English names are not sorted by their French ones.
        for name in ("categories", "sectors", "service_area"):
            relations[name] = in_language_order(relations[name])
        categories = [category.pk for category in relations["categories"]]
        absolute_url = self.request.build_absolute_uri(enterprise.get_absolute_url())
        return super().get_context_data(
            phone_uri=tel_uri(enterprise.phone),
            website=enterprise.website if is_web_address(enterprise.website) else "",
            similar=self.index.similar_enterprises(enterprise, categories, self.similar_count),
            json_ld=json_ld(self.organization(enterprise, relations, absolute_url)),
            absolute_url=absolute_url,
            sections=sections_for(ENTERPRISE_PAGE, self.request, enterprise),
            **relations,
            **kwargs,
        )

    def organization(self, enterprise, relations, url):
        """The enterprise as a schema.org Organization, for search engines."""
        data = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": enterprise.name,
            "url": url,
            "description": enterprise.description,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": enterprise.address,
                "addressLocality": (
                    enterprise.municipality.name if enterprise.municipality else enterprise.city
                ),
                "postalCode": enterprise.postal_code,
                "addressRegion": "QC",
                "addressCountry": "CA",
            },
            "areaServed": [region.localized_name for region in relations["service_area"]],
            "knowsAbout": [category.localized_name for category in relations["categories"]],
        }
        optional = {
            "telephone": enterprise.phone,
            "email": enterprise.email,
            "sameAs": enterprise.website if is_web_address(enterprise.website) else "",
            "foundingDate": str(enterprise.year_founded or ""),
            "identifier": enterprise.neq,
        }
        data.update({key: value for key, value in optional.items() if value})
        return data


def is_web_address(url):
    return url.lower().startswith(("http://", "https://"))


def tel_uri(phone):
    """``tel:+1-514-555-1234`` for a phone number, or "" when it cannot be dialled as is."""
    try:
        number = phonenumbers.parse(phone, "CA")
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


# The characters that could close the <script> element or start markup, as JSON escapes.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    """JSON safe to place inside ``<script type="application/ld+json">``."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES))
