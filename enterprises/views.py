"""Public pages of the directory. Only published enterprises ever appear here."""

import json
from datetime import date
from typing import NamedTuple

import phonenumbers
from django.core.paginator import InvalidPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from programs.models import VideoCapsule
from purchases.models import Purchase

from .directory_index import FilteredDirectory, current_index, facet_counts, result_count
from .expressions import RelatedCounts, RelatedIds
from .filters import EnterpriseFilterSet
from .models import Category, Enterprise, EnterpriseRedirect, Label, Region, Sector
from .search import suggest

# Deep OFFSET pages get slower and slower; past this many results, refine or export instead.
MAX_BROWSABLE_RESULTS = 10_000
# Parameters that shape the page, not the result set: never part of a "remove filter" link.
PRESENTATION_PARAMETERS = ("page", "per_page", "sort")


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
            sectors=[entry for entry in facets["sector"] if entry["count"]],
            regions=facets["region"],
            latest=Enterprise.objects.latest().select_related("region"),
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
        self.filterset = EnterpriseFilterSet(request.GET, queryset=self.get_queryset())
        self.directory = FilteredDirectory(self.filterset, fixed=self.get_fixed_filters())
        self.facets = self.directory.facet_counts()
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
        return super().get_context_data(
            filterset=self.filterset,
            form=self.filterset.form,
            heading=heading,
            total=total,
            page_obj=page,
            page_range=page.paginator.get_elided_page_range(page.number),
            enterprises=page.object_list,
            facets=[
                {"name": name, "legend": self.filterset.filters[name].label, "entries": entries}
                for name, entries in self.facets.items()
                # The MRCs are offered once a region with placed enterprises is chosen.
                if name != self.fixed_facet
                and (name != "mrc" or any(e["count"] or e["selected"] for e in entries))
            ],
            sort=self.filterset.sort,
            per_page=self.filterset.per_page,
            removal_links=[] if total else self.removal_links(),
            suggestion=None if total else self.suggestion(),
            export_query=self.query_without(("page",)),
            results_capped=total > MAX_BROWSABLE_RESULTS,
            max_browsable_results=MAX_BROWSABLE_RESULTS,
            procurement_sheets=[
                sheet
                for category in self.filterset.active_filters.get("category", ())
                if (sheet := published_sheet(category))
            ],
            **kwargs,
        )

    def paginate(self, total):
        results = self.directory.results(
            lambda queryset: queryset.select_related("region", "municipality")
            .prefetch_related("categories")
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

    def suggestion(self):
        """For an empty result of a text search: a corrected spelling that finds something."""
        q = self.filterset.active_filters.get("q")
        return suggest(q) if q else None

    def describe_value(self, name):
        if name == "q":
            return self.filterset.active_filters["q"]
        return ", ".join(entry["label"] for entry in self.facets[name] if entry["selected"])

    def query_without(self, names):
        query = self.request.GET.copy()
        for name in names:
            query.pop(name, None)
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
    chosen_queryset = Category.objects.select_related("parent", "procurement_sheet")
    narrow = "offering"

    def get_context_data(self, **kwargs):
        children = [
            entry for entry in self.facets["category"] if entry["parent"] == self.chosen.slug
        ]
        return super().get_context_data(
            category=self.chosen,
            subcategories=children,
            procurement_sheet=published_sheet(self.chosen),
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
        entries = facet_counts(filterset, facets=("category",))["category"]
        tree = [
            {**entry, "children": [child for child in entries if child["parent"] == entry["value"]]}
            for entry in entries
            if entry["depth"] == 0
        ]
        return super().get_context_data(tree=tree, **kwargs)


class EnterpriseDetailView(DetailView):
    """One enterprise in one query: the row with its municipality, its relations' ids, its
    labels' awards, its buyers and the directory's revision (its video capsules take one more,
    when it has any). The reference rows (categories, sectors, regions, MRCs, networks, labels)
    and the neighbours it suggests come from the facet index in memory."""

    template_name = "enterprises/enterprise_detail.html"
    similar_count = 4
    # Composed once: composing these annotations took longer than running the query.
    queryset = (
        Enterprise.objects.published().select_related("municipality")
        .with_relation_ids().with_directory_revision().annotate(
            buyers=RelatedCounts(Purchase, "organization", Purchase.PUBLISHED, label="name"),
            capsule_ids=RelatedIds(VideoCapsule.enterprises.through, "videocapsule"),
        )
    )

    def get(self, request, *args, **kwargs):
        """An unknown slug that an enterprise had before a merge leads to it, permanently."""
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            slug = (
                EnterpriseRedirect.objects.filter(old_slug=kwargs["slug"])
                .values_list("enterprise__slug", flat=True).first()
            )
            if slug is None:
                raise
            return redirect("enterprises:detail", slug=slug, permanent=True)

    def get_context_data(self, **kwargs):
        enterprise = self.object
        directory = current_index(enterprise.directory_revision)
        if enterprise.region_id in directory.regions_by_id:
            enterprise.region = directory.regions_by_id[enterprise.region_id]
        if enterprise.mrc_id in directory.mrcs_by_id:
            enterprise.mrc = directory.mrcs_by_id[enterprise.mrc_id]
        relations = {
            "categories": directory.among("categories", enterprise.category_ids),
            "sectors": directory.among("sectors", enterprise.sector_ids),
            "service_area": directory.among("regions", enterprise.service_area_ids),
            "source_networks": directory.among("networks", enterprise.source_network_ids),
            "label_awards": label_awards(enterprise, directory),
        }
        return super().get_context_data(
            phone_uri=tel_uri(enterprise.phone),
            website=enterprise.website if is_web_address(enterprise.website) else "",
            similar=directory.similar_to(enterprise, enterprise.category_ids, self.similar_count),
            json_ld=json_ld(self.organization(enterprise, relations)),
            absolute_url=self.request.build_absolute_uri(enterprise.get_absolute_url()),
            **relations,
            **kwargs,
        )

    def organization(self, enterprise, relations):
        """The enterprise as a schema.org Organization, for search engines."""
        data = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": enterprise.name,
            "url": self.request.build_absolute_uri(enterprise.get_absolute_url()),
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


class LabelAward(NamedTuple):
    label: Label
    awarded_on: date | None
    issuer: str


def label_awards(enterprise, directory):
    """The enterprise's labels, with when and by whom each was awarded, in the order they were
    entered: from its ``label_rows`` and the index's labels."""
    labels = {label.pk: label for label in directory.labels}
    return [
        LabelAward(labels[label], awarded_on, issuer)
        for _pk, label, awarded_on, issuer in sorted(enterprise.label_rows)
        if label in labels
    ]


def published_sheet(category):
    """The category's published procurement sheet (programs app), read with the category
    through the reverse one-to-one relation; None when it has none."""
    sheet = getattr(category, "procurement_sheet", None)
    return sheet if sheet is not None and sheet.is_published else None


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
