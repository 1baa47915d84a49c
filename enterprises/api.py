"""The read-only JSON API of the directory, with its OpenAPI schema at /api/openapi.json.

Built with django-ninja rather than Django REST framework: the API is a few read-only GET
endpoints, and ninja gives typed query parameters and response schemas (pydantic), validation
errors as 422 and an OpenAPI schema from the same type hints, with no serializer, viewset and
router layers to maintain. It reuses the listing's ``EnterpriseFilterSet`` and
``FilteredDirectory``, so the API, the listing and the export filter in exactly the same way.

The API lives outside ``i18n_patterns``: labels come in the language of ``?lang=fr|en``, else
of the Accept-Language header, else French.
"""

from dataclasses import asdict
from datetime import date, datetime
from functools import wraps

from django.conf import settings
from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import ValidationError

from .caching import kept_per_enterprise, public_directory_cache
from .directory_index import FilteredDirectory, current_index, result_count
from .filters import EnterpriseFilterSet
from .models import Category, Enterprise, Mrc, Region, Sector
from .search.hints import for_api as hints_for_api

MAX_PER_PAGE = 100
# Bounds the OFFSET: deeper pages are refused rather than sent to the database.
MAX_PAGE = 10_000
# Query parameters the API reads itself; the rest go to the listing's filters.
PAGING_PARAMETERS = ("page", "per_page", "lang")

api = NinjaAPI(
    title="Répertoire de l'économie sociale — API",
    version="1",
    description=_(
        "Read-only access to the published enterprises of the directory, with the same "
        "filters and facet counts as the public listing."
    ),
    urls_namespace="api",
)


def in_requested_language(view):
    """Answer in ?lang=…, or the Accept-Language header: /api/ has no language prefix."""

    @wraps(view)
    def view_in_language(request, *args, **kwargs):
        requested = request.GET.get("lang", "")
        if requested not in dict(settings.LANGUAGES):
            requested = translation.get_language_from_request(request)
        default = settings.LANGUAGE_CODE
        if translation.get_supported_language_variant(requested) == (
            translation.get_supported_language_variant(default)
        ):
            # The site's own code (fr-ca), so that URLs come without a language prefix.
            requested = default
        with translation.override(requested):
            return view(request, *args, **kwargs)

    return view_in_language


# Decorators added first run innermost: the ETag is made in the requested language.
api.add_decorator(public_directory_cache, mode="view")
api.add_decorator(in_requested_language, mode="view")


@api.exception_handler(ValidationError)
def invalid_parameters(request, error):
    """Bad paging parameters answer in the same shape as bad filters (``ErrorOut``)."""
    detail = {}
    for problem in error.errors:
        problems = detail.setdefault(str(problem["loc"][-1]), [])
        problems.append({"message": problem["msg"], "code": problem["type"]})
    return api.create_response(request, {"detail": detail}, status=422)


class RegionOut(Schema):
    code: str
    slug: str
    name: str = Field(alias="localized_name")


class MrcOut(Schema):
    code: str
    slug: str
    name: str
    region: str = Field(description="Code of the MRC's region.")

    @staticmethod
    def resolve_region(mrc):
        return mrc.region.code


class MunicipalityOut(Schema):
    code: str = Field(description="Geographic code of the official list of municipalities.")
    name: str
    designation: str


class SectorOut(Schema):
    slug: str
    name: str = Field(alias="localized_name")
    naics_code: str


class CategoryOut(Schema):
    slug: str
    name: str = Field(alias="localized_name")
    parent: str | None = Field(None, description="Slug of the parent category.")
    unspsc_code: str

    @staticmethod
    def resolve_parent(category):
        return category.parent.slug if category.parent_id else None


class Reference(Schema):
    """A category, sector or label an enterprise is tagged with."""

    slug: str
    name: str = Field(alias="localized_name")


class EnterpriseOut(Schema):
    slug: str
    name: str
    url: str = Field(description="The enterprise's public page, in the requested language.")
    legal_form: str
    legal_form_label: str
    description: str
    region: RegionOut
    municipality: MunicipalityOut | None
    mrc: MrcOut | None = Field(description="The MRC or equivalent territory it is based in.")
    service_area: list[str] = Field(description="Codes of the regions served.")
    categories: list[Reference]
    sectors: list[Reference]
    labels: list[Reference]
    city: str
    postal_code: str
    phone: str
    email: str
    website: str

    @staticmethod
    def resolve_url(enterprise):
        return enterprise.get_absolute_url()

    @staticmethod
    def resolve_legal_form_label(enterprise):
        return str(enterprise.get_legal_form_display())

    @staticmethod
    def resolve_service_area(enterprise):
        return [region.code for region in enterprise.service_area.all()]

    @staticmethod
    def resolve_categories(enterprise):
        return list(enterprise.categories.all())

    @staticmethod
    def resolve_sectors(enterprise):
        return list(enterprise.sectors.all())

    @staticmethod
    def resolve_labels(enterprise):
        return list(enterprise.labels.all())


class SourceOut(Schema):
    network: str
    first_seen_at: datetime
    last_seen_at: datetime

    @staticmethod
    def resolve_network(source):
        return source.network.name


class EnterpriseDetailOut(EnterpriseOut):
    neq: str
    address: str
    description_fr: str
    description_en: str
    employee_band: str
    year_founded: int | None
    verification_status: str
    verified_on: date | None
    published_at: datetime | None
    updated_at: datetime
    mrcs_served: list[MrcOut] = Field(
        description="The MRCs or equivalent territories it serves, which its people give; "
        "finer than service_area."
    )
    sources: list[SourceOut] = Field(description="Where the entry comes from.")

    @staticmethod
    def resolve_mrcs_served(enterprise):
        return list(enterprise.mrcs_served.all())

    @staticmethod
    def resolve_sources(enterprise):
        return list(enterprise.sources.all())


class FacetValue(Schema):
    value: str
    label: str
    count: int
    selected: bool


class CategoryFacetValue(FacetValue):
    depth: int
    parent: str | None


class MrcFacetValue(FacetValue):
    region: str = Field(description="Code of the MRC's region.")


class Facets(Schema):
    region: list[FacetValue]
    mrc: list[MrcFacetValue] = Field(
        description="The MRCs of the chosen regions, and those chosen; empty with no region."
    )
    category: list[CategoryFacetValue]
    sector: list[FacetValue]
    legal_form: list[FacetValue]
    label: list[FacetValue]


class HintOut(Schema):
    query: str = Field(
        description="The parameters to send instead, as a query string: the words of q that "
        "name a category or a place become its filter, or a misspelled word is corrected."
    )
    label: str = Field(description="What the hint shows, in the response's language.")
    count: int = Field(description="The number of results it finds.")


class EnterprisePage(Schema):
    count: int
    results: list[EnterpriseOut]
    facets: Facets
    hints: list[HintOut] = Field(
        description="For a text search, the filters its words name, as the listing offers "
        "them; when the text finds nothing, the search that finds something instead."
    )


class EnterpriseQuery(Schema):
    """The listing's filters (documented here; ``EnterpriseFilterSet`` applies them)."""

    q: str | None = Field(None, description="Words of a product, service, name, or a NEQ.")
    category: list[str] = Field([], description="Category slugs; a parent matches its children.")
    sector: list[str] = Field([], description="Sector slugs.")
    region: list[str] = Field([], description="Region codes; matches the region or service area.")
    mrc: list[str] = Field(
        [], description="Codes or slugs of MRCs or equivalent territories (see /mrcs/); "
        "matches the enterprises based in them."
    )
    legal_form: list[str] = Field([], description="Legal forms.")
    label: list[str] = Field([], description="Label slugs.")
    sort: str | None = Field(None, description="relevance (with q), name or newest.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)
    lang: str | None = Field(None, description="fr or en; defaults to Accept-Language.")


class FieldError(Schema):
    message: str
    code: str


class ErrorOut(Schema):
    detail: dict[str, list[FieldError]] = Field(description="The problems, by parameter.")


def published_enterprises():
    return with_relations(Enterprise.objects.published())


def with_relations(queryset):
    return queryset.select_related("region", "municipality", "mrc__region").prefetch_related(
        "service_area", "categories", "sectors", "labels"
    )


def serialized_page(directory, start, stop):
    """The results from ``start`` to ``stop`` as ``EnterpriseOut`` writes them. Each is kept
    serialized per revision and language (``kept_per_enterprise``): with the cache, only the
    page's ids are read, then the rows of those not kept; without it, the rows at once."""
    def serialize(enterprise):
        return EnterpriseOut.from_orm(enterprise).model_dump()

    if settings.DIRECTORY_FACETS_CACHE_SECONDS:
        ids = directory.result_ids(start, stop)
        return kept_per_enterprise(
            "api", ids, lambda missing: published_enterprises().in_bulk(missing), serialize
        )
    rows = {row.pk: row for row in directory.results(with_relations)[start:stop]}
    return kept_per_enterprise("api", list(rows), lambda missing: rows, serialize)


def facets_out(facets):
    """The facet entries with the fields ``Facets`` documents, no others."""
    fields = {
        name: list(field.annotation.__args__[0].model_fields)
        for name, field in Facets.model_fields.items()
    }
    return {
        name: [{key: entry[key] for key in keys} for entry in facets[name]]
        for name, keys in fields.items()
    }


def filter_data(request):
    """The query string without the API's own paging parameters."""
    data = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key not in PAGING_PARAMETERS:
            data.setlist(key, values)
    return data


@api.get(
    "/enterprises/",
    response={200: EnterprisePage, 422: ErrorOut},
    summary="Published enterprises, filtered like the listing, with facet counts",
)
def list_enterprises(request, params: Query[EnterpriseQuery]):
    index = current_index()
    filterset = EnterpriseFilterSet(
        filter_data(request),
        queryset=Enterprise.objects.published(),
        known_choices=index.known_choices,
    )
    if filterset.form.errors:
        return Status(422, {"detail": filterset.form.errors.get_json_data()})
    directory = FilteredDirectory(filterset, index=index)
    facets = directory.facet_counts()
    start = (params.page - 1) * params.per_page
    # Written as EnterprisePage documents it, without validating it again: the results are
    # EnterpriseOut's own output, and validating some 200 facet entries per request cost more
    # than counting them.
    return api.create_response(request, {
        "count": result_count(facets),
        "results": serialized_page(directory, start, start + params.per_page),
        "facets": facets_out(facets),
        "hints": [asdict(hint) for hint in hints_for_api(request, filterset, directory, facets)],
    }, status=200)


@api.get(
    "/enterprises/{slug:slug}/",
    response=EnterpriseDetailOut,
    summary="One published enterprise",
)
def get_enterprise(request, slug: str):
    return get_object_or_404(
        published_enterprises().prefetch_related(
            Prefetch("mrcs_served", queryset=Mrc.objects.select_related("region")),
            "sources__network",
        ),
        slug=slug,
    )


@api.get("/categories/", response=list[CategoryOut], summary="Product and service categories")
def list_categories(request):
    return Category.objects.select_related("parent")


@api.get("/sectors/", response=list[SectorOut], summary="Sectors")
def list_sectors(request):
    return Sector.objects.all()


@api.get("/regions/", response=list[RegionOut], summary="Quebec's administrative regions")
def list_regions(request):
    return Region.objects.all()


@api.get(
    "/mrcs/", response=list[MrcOut],
    summary="Quebec's MRCs and equivalent territories, with their region",
)
def list_mrcs(request):
    return Mrc.objects.select_related("region")
