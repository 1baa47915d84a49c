"""Hostile query strings and ids on the portal's and the admin's lists, filters, lookups,
autocompletes and history pages, and on the public lists and API beside them: every answer is
a page, a redirect, a 400, a 404 or the API's 422, never a 5xx.

The admin's URLs and filter parameters are read from the admin registry, so a model admin
added later is walked too. Run it on PostgreSQL as well: it refuses NUL where SQLite stores it.
"""

from datetime import date
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simple_history.admin import SimpleHistoryAdmin

from purchases.models import Membership, Purchase
from tests.factories import (
    EnterpriseFactory,
    ImportRunFactory,
    MembershipFactory,
    PurchaseFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "", "0", "-1", "1e9", str(10**18), "99999999999999999999", "9999", "١٩٩٩", "٢٠٢٥",
    "a\x00b", "\x00", "a\x0bb", "x" * 10_000, "abc", "2025-13-45", "NaN", "' OR 1=1 --",
    "%", "🙂", "Trois-Rivières (Québec)",
]
BAD_IDS = ["abc", "1e3", "-1", "99999999999999999999", "\x00", "1 OR 1=1"]
# A page, a redirect (to the login page, or to the unfiltered changelist), a refusal, no page,
# the API's refusal of a parameter.
FINE = {200, 302, 400, 403, 404, 422}

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def path_of(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def people(db):
    """A contributor and a manager of one organization with a few purchases, and staff."""
    manager = MembershipFactory(role=Membership.Role.MANAGER)
    contributor = MembershipFactory(
        organization=manager.organization, role=Membership.Role.CONTRIBUTOR
    )
    enterprise = EnterpriseFactory(name="TRAITEUR DU QUARTIER")
    PurchaseFactory.create_batch(
        3, organization=manager.organization, enterprise=enterprise,
        award_date=date(2025, 3, 14), status=Purchase.Status.DRAFT,
    )
    ImportRunFactory()
    return {
        "member": contributor.user, "manager": manager.user, "staff": StaffFactory(),
    }


def signed_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def get(client, path, query=None):
    url = f"{path}?{urlencode(query, doseq=True)}" if query else path
    response = client.get(url)
    assert response.status_code in FINE, (url[:300], response.status_code)
    return response


# The portal ---------------------------------------------------------------------------------

PORTAL_FILTERS = [
    ("purchases:purchase_list", ["q", "status", "year", "bracket", "ordering", "page"]),
    ("purchases:enterprise_suggestions", ["q"]),
    ("purchases:purchase_export", ["format"]),
    ("purchases:dashboard", ["year"]),
    ("purchases:team", ["page"]),
    ("purchases:repertory", ["sector", "category", "bracket", "year", "region", "member_kind"]),
    ("purchases:repertory_export", ["sector", "category", "bracket", "year", "region"]),
]


def test_portal_filters_never_fail(people):
    """Each filter of each portal page gets three of the hostile values, as a contributor or
    as a manager in turn."""
    clients = [signed_in(people["member"]), signed_in(people["manager"])]
    pairs = [(name, parameter) for name, parameters in PORTAL_FILTERS for parameter in parameters]
    for number, (name, parameter) in enumerate(pairs):
        for value in HOSTILE[number % 7::7]:
            get(clients[number % 2], reverse(name), {parameter: value})


DIRECTORY_FILTERS = [
    "q", "category", "sector", "region", "mrc", "legal_form", "label", "sort", "per_page", "page",
]
PUBLIC_FILTERS = [
    ("enterprises:list", DIRECTORY_FILTERS),
    ("enterprises:export", ["format", *DIRECTORY_FILTERS]),
    ("api:list_enterprises", [*DIRECTORY_FILTERS, "lang"]),
    ("api:list_mrcs", ["region", "lang"]),
    ("events:list", ["page", "kind"]),
    ("programs:sheet_index", ["page", "category"]),
    ("programs:capsule_index", ["page"]),
]


def test_public_filters_never_fail(people):
    """The same walk, signed out, over the public lists the portal's filters sit beside."""
    visitor = Client(raise_request_exception=False)
    pairs = [(name, parameter) for name, parameters in PUBLIC_FILTERS for parameter in parameters]
    for number, (name, parameter) in enumerate(pairs):
        for value in HOSTILE[number % 7::7]:
            get(visitor, reverse(name), {parameter: value})


@pytest.mark.parametrize("year", ["0", "-1", "1e9", str(10**18), "9999"])
def test_a_year_outside_the_calendar_lists_no_purchase_and_says_why(people, year):
    response = get(signed_in(people["member"]), "/en/membres/achats/", {"year": year})

    assert response.status_code == 200
    page = response.content.decode()
    assert "No purchase matches." in page
    assert "Ensure this value is" in page


def test_a_year_in_arabic_indic_digits_is_read_as_a_year(people):
    response = get(signed_in(people["member"]), "/membres/achats/", {"year": "٢٠٢٥"})

    assert len(response.context["object_list"]) == 3


@pytest.mark.parametrize("typed", ["a\x00b", "\x00\x00", "x" * 10_000, "a"])
def test_suggestions_for_unusable_text_are_empty(people, typed):
    response = get(signed_in(people["member"]), "/membres/entreprises/suggestions/", {"q": typed})

    assert response.json() == {"results": []}


def test_suggestions_still_find_the_supplier(people):
    response = get(signed_in(people["member"]), "/membres/entreprises/suggestions/",
                   {"q": "traiteur"})

    assert [result["name"] for result in response.json()["results"]] == ["TRAITEUR DU QUARTIER"]


def test_repeated_parameters_are_read_once(people):
    url = "/membres/achats/?" + "&".join(["year=2025"] * 300 + ["year=0"] + ["q=a"] * 300)
    response = signed_in(people["manager"]).get(url)

    assert response.status_code == 200


# The admin ----------------------------------------------------------------------------------


def changelist_lookups(model_admin, staff):
    """The lookups the changelist applies: its filters' parameters and every date part."""
    request = RequestFactory().get("/admin/")
    request.user = staff
    changelist = model_admin.get_changelist_instance(request)
    names = {"p", "o"}
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("month", "day"))
    for field in model_admin.model._meta.concrete_fields:
        if field.get_internal_type() in ("DateField", "DateTimeField"):
            names.update({f"{field.name}__year", f"{field.name}__year__gt"})
    return sorted(names)


def changelist_parameters(model_admin, staff):
    """The lookups, and what searches and narrows text."""
    names = {"q", "all", "e", "_to_field"}
    for field in model_admin.model._meta.concrete_fields:
        if field.get_internal_type() in ("CharField", "TextField", "SlugField"):
            names.add(f"{field.name}__startswith")
    return sorted(names.union(changelist_lookups(model_admin, staff)))


# Values that break a lookup's type or range rather than its text.
UNTYPED = ["0", "99999999999999999999", "abc", "9999", "-1", "٢٠٢٥", "1e9", "x" * 10_000]


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_admin_changelists_never_fail(people, model, model_admin):
    """Every lookup gets one value that breaks its type; the next model's lookups get the next
    values, so that each lookup of each kind meets them all across the admin."""
    client = signed_in(people["staff"])
    changelist = path_of(model, "changelist")
    offset = REGISTERED.index((model, model_admin))
    for number, lookup in enumerate(changelist_lookups(model_admin, people["staff"])):
        get(client, changelist, {lookup: UNTYPED[(number + offset) % len(UNTYPED)]})


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_admin_object_pages_refuse_ids_that_cannot_exist(people, model, model_admin):
    """Two of the ids each, a different two for the next model."""
    client = signed_in(people["staff"])
    existing = model._default_manager.values_list("pk", flat=True).first() or 1
    offset = REGISTERED.index((model, model_admin))
    for bad_id in BAD_IDS[offset % 3::3]:
        pages = [path_of(model, page, quote(bad_id, safe=""))
                 for page in ("change", "delete", "history")]
        if isinstance(model_admin, SimpleHistoryAdmin):
            pages.append(path_of(model, "simple_history", existing, quote(bad_id, safe="")))
        for page in pages:
            response = get(client, page)
            assert response.status_code != 200, page


def autocompletes():
    for model, model_admin in REGISTERED:
        for field_name in model_admin.autocomplete_fields:
            yield {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
                   "field_name": field_name}


def test_admin_autocompletes_never_fail(people):
    client = signed_in(people["staff"])
    for number, source in enumerate(autocompletes()):
        value = HOSTILE[number % len(HOSTILE)]
        get(client, "/admin/autocomplete/", {**source, "term": value, "page": value})


@pytest.mark.parametrize(
    "url",
    [
        "/admin/enterprises/importrun/?created_at__year=0",
        "/admin/enterprises/importrun/?created_at__year=99999999999999999999",
        "/admin/enterprises/importrun/?created_at__year=2024&created_at__month=99999999999",
        "/admin/enterprises/importreviewitem/?created_at__year=0",
        "/admin/purchases/purchase/?award_date__year=9999",
    ],
)
def test_an_impossible_date_filter_sends_staff_back_to_the_whole_list(people, url):
    client = signed_in(people["staff"])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/en/admin/enterprises/enterprise/?q=a%00b",
        "/en/admin/enterprises/enterprise/?name__startswith=%00",
        "/en/admin/autocomplete/?app_label=purchases&model_name=purchase&field_name=enterprise"
        "&term=a%00b",
        "/en/admin/enterprises/enterprise/%00/history/",
    ],
)
def test_a_null_character_anywhere_in_the_admin_is_a_bad_request(people, url):
    response = signed_in(people["staff"]).get(url)

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/enterprises/enterprise/abc/history/",
        "/admin/enterprises/enterprise/1/history/1e3/",
        "/admin/enterprises/importrun/abc/change/",
    ],
)
def test_an_id_that_cannot_exist_is_not_found(people, url):
    assert signed_in(people["staff"]).get(url).status_code == 404


def test_the_admin_still_shows_an_object_and_its_history(people):
    client = signed_in(people["staff"])
    purchase = Purchase.objects.first()

    assert client.get(path_of(Purchase, "change", purchase.pk)).status_code == 200
    assert client.get(path_of(Purchase, "history", purchase.pk)).status_code == 200
    record = purchase.history.first()
    assert client.get(
        path_of(Purchase, "simple_history", purchase.pk, record.history_id)
    ).status_code == 200


def test_the_date_drill_down_still_filters(people):
    response = signed_in(people["staff"]).get(
        "/admin/purchases/purchase/", {"award_date__year": "2025", "award_date__month": "3"}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 3


# A random walk over all of it, for what the lists above did not think of ---------------------

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.text(max_size=40),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_hostile_queries_never_fail(people, data):
    who = data.draw(st.sampled_from(["member", "manager", "staff"]))
    model, model_admin = data.draw(st.sampled_from(REGISTERED))
    paths = [reverse(name) for name, _parameters in PORTAL_FILTERS + PUBLIC_FILTERS]
    paths += [path_of(model, "changelist"), "/admin/autocomplete/"]
    path = data.draw(st.sampled_from(paths))
    names = [parameter for _name, parameters in PORTAL_FILTERS + PUBLIC_FILTERS
             for parameter in parameters]
    names += changelist_parameters(model_admin, people["staff"])
    query = data.draw(st.lists(st.tuples(st.sampled_from(names), hostile_text), max_size=4))
    get(signed_in(people[who]), path, query)
