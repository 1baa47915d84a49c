"""The directory's filters, as the listing, the API and the export apply them."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Category, Enterprise, EnterpriseLabel, Label, Sector
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db


def filtered(query_string):
    return EnterpriseFilterSet(QueryDict(query_string), queryset=Enterprise.objects.published())


def names(query_string):
    return [enterprise.name for enterprise in filtered(query_string).qs]


def test_a_parent_category_matches_enterprises_offering_its_descendants():
    catering = Category.objects.get(slug="traiteur")
    EnterpriseFactory(name="Traiteur solidaire", categories=[catering])
    EnterpriseFactory(name="Imprimerie", categories=[Category.objects.get(slug="imprimerie")])

    assert names("category=alimentation") == ["Traiteur solidaire"]
    assert names("category=traiteur") == ["Traiteur solidaire"]


def test_several_categories_match_any_of_them_once():
    both = [Category.objects.get(slug="traiteur"), Category.objects.get(slug="boites-a-lunch")]
    EnterpriseFactory(name="Les deux", categories=both)

    assert names("category=traiteur&category=boites-a-lunch&category=alimentation") == [
        "Les deux"
    ]


def test_region_matches_the_enterprise_region_or_its_service_area():
    EnterpriseFactory(name="Atelier Montréal", region=region("06"))
    EnterpriseFactory(name="Dessert Montréal", region=region("13"), service_area=[region("06")])
    EnterpriseFactory(name="Atelier Québec", region=region("03"))

    assert names("region=06") == ["Atelier Montréal", "Dessert Montréal"]
    assert names("region=06&region=03") == [
        "Atelier Montréal", "Atelier Québec", "Dessert Montréal"
    ]


def test_sector_filter():
    sector = Sector.objects.get(slug="agroalimentaire")
    EnterpriseFactory(name="Ferme", sectors=[sector])
    EnterpriseFactory(name="Atelier")

    assert names("sector=agroalimentaire") == ["Ferme"]


def test_legal_form_filter():
    EnterpriseFactory(name="Mutuelle", legal_form=Enterprise.LegalForm.MUTUAL)
    EnterpriseFactory(name="OBNL", legal_form=Enterprise.LegalForm.NON_PROFIT)
    EnterpriseFactory(name="Coop", legal_form=Enterprise.LegalForm.COOPERATIVE)

    assert names("legal_form=mutual&legal_form=non_profit") == ["Mutuelle", "OBNL"]


def test_label_filter():
    label = Label.objects.get(slug="entreprise-insertion")
    EnterpriseLabel.objects.create(enterprise=EnterpriseFactory(name="Insertion"), label=label)
    EnterpriseFactory(name="Sans label")

    assert names("label=entreprise-insertion") == ["Insertion"]


def test_different_filters_must_all_match():
    EnterpriseFactory(name="Mutuelle montréalaise", region=region("06"), legal_form="mutual")
    EnterpriseFactory(name="Mutuelle de Québec", region=region("03"), legal_form="mutual")
    EnterpriseFactory(name="Coop montréalaise", region=region("06"))

    assert names("region=06&legal_form=mutual") == ["Mutuelle montréalaise"]


def test_text_query_narrows_the_results():
    EnterpriseFactory(name="Café Touski")
    EnterpriseFactory(name="Imprimerie du Nord")

    assert names("q=touski") == ["Café Touski"]


def test_unknown_value_is_reported_and_the_other_filters_still_apply():
    EnterpriseFactory(name="Mutuelle", legal_form="mutual")
    EnterpriseFactory(name="Coop")

    filterset = filtered("region=99&legal_form=mutual")

    assert [enterprise.name for enterprise in filterset.qs] == ["Mutuelle"]
    assert "region" in filterset.form.errors


def test_too_long_text_is_refused_with_a_message():
    EnterpriseFactory(name="Coop")

    filterset = filtered("q=" + "x" * 60_000)

    assert [enterprise.name for enterprise in filterset.qs] == ["Coop"]
    assert "q" in filterset.form.errors


def test_name_sort_is_alphabetical():
    for name in ("Zèbre", "Coop", "Abeille"):
        EnterpriseFactory(name=name)

    assert names("sort=name") == ["Abeille", "Coop", "Zèbre"]


def test_newest_sort_puts_the_latest_published_first():
    now = timezone.now()
    for name, age in (("Ancienne", 30), ("Récente", 1), ("Moyenne", 10)):
        enterprise = EnterpriseFactory(name=name)
        Enterprise.objects.filter(pk=enterprise.pk).update(published_at=now - timedelta(days=age))

    assert names("sort=newest") == ["Récente", "Moyenne", "Ancienne"]


def test_relevance_is_the_default_with_a_query_and_needs_one():
    assert filtered("q=traiteur").sort == "relevance"
    assert filtered("").sort == "name"
    assert filtered("sort=relevance").sort == "name"


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [("", 20), ("per_page=50", 50), ("per_page=100", 100), ("per_page=1000000", 20)],
)
def test_page_size_is_one_of_20_50_100(query_string, expected):
    assert filtered(query_string).per_page == expected


def test_unpublished_enterprises_never_match():
    EnterpriseFactory(name="Brouillon", status=Enterprise.Status.DRAFT)
    EnterpriseFactory(name="Archivée", status=Enterprise.Status.ARCHIVED)

    assert names("") == []
