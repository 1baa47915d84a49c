"""A migrated database holds the reference lists shipped in fixtures/reference."""

import re

import pytest

from enterprises.models import Category, Label, Network, Region, Sector
from enterprises.reference_data import read_reference_file
from purchases.models import ContractSizeThreshold

pytestmark = pytest.mark.django_db


def test_the_seventeen_administrative_regions_with_their_official_codes():
    regions = dict(Region.objects.values_list("code", "name"))
    assert list(regions) == [f"{n:02}" for n in range(1, 18)]
    assert regions["06"] == "Montréal"
    assert regions["03"] == "Capitale-Nationale"
    assert not Region.objects.filter(name_en="").exists()


def test_at_least_forty_categories_with_well_formed_unspsc_codes():
    assert Category.objects.count() >= 40
    codes = Category.objects.exclude(unspsc_code="").values_list("unspsc_code", flat=True)
    assert codes
    assert [code for code in codes if not re.fullmatch(r"\d{8}", code)] == []


def test_every_category_of_the_file_is_loaded_under_its_parent():
    rows = read_reference_file("categories.json")
    loaded = dict(Category.objects.values_list("slug", "parent__slug"))
    assert loaded == {row["slug"]: row["parent"] for row in rows}
    assert Category.objects.filter(parent__isnull=True).exists()
    assert Category.objects.filter(parent__isnull=False).exists()


def test_the_six_networks_that_publish_directories_with_their_sites():
    sites = set(
        Network.objects.filter(kind=Network.Kind.NETWORK).values_list("directory_url", flat=True)
    )
    assert sites == {
        "https://akcelos.com",
        "https://collectif.qc.ca/repertoire",
        "https://polecn.org",
        "https://cqea.ca",
        "https://economiesocialelongueuil.ca",
        "https://economiesocialemontreal.net/repertoire",
    }


def test_the_quebec_enterprise_register_is_a_source_of_its_own_kind():
    register = Network.objects.get(kind=Network.Kind.REGISTER)

    assert register.name == "Registre des entreprises du Québec"
    assert register.website.startswith("https://www.registreentreprises.gouv.qc.ca")


def test_the_labels_of_the_social_economy_are_present():
    names = set(Label.objects.values_list("name", flat=True))
    assert {"Entreprise d'insertion", "Entreprise adaptée"} <= names
    assert not Label.objects.filter(name_en="").exists()


def test_sectors_carry_well_formed_naics_codes():
    assert Sector.objects.exists()
    codes = Sector.objects.exclude(naics_code="").values_list("naics_code", flat=True)
    assert [code for code in codes if not re.fullmatch(r"\d{2,6}", code)] == []


def test_the_contract_size_thresholds_are_in_force_from_2022():
    first = ContractSizeThreshold.objects.order_by("effective_from").first()
    assert first.effective_from.isoformat() == "2022-01-01"
    for row in ContractSizeThreshold.objects.all():
        assert (
            0 < row.small_contract_ceiling < row.public_tender_threshold
            < row.trade_agreement_threshold
        )
