import pytest

from enterprises.models import Mrc, Municipality, Region
from enterprises.places import Place, PlaceResolver, place_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolver():
    return PlaceResolver()


def municipality(name, code=None):
    if code:
        return Municipality.objects.get(code=code)
    return Municipality.objects.get(name=name)


def region_id(code):
    return Region.objects.get(code=code).pk


@pytest.mark.parametrize("spelling", [
    "Trois-Rivières", "TROIS-RIVIÈRES (QUÉBEC)", "Trois-Rivieres", "trois rivières",
    "Trois-Rivières, Québec", "Trois-Rivières (QC)", " Ville de Trois-Rivières ",
])
def test_every_spelling_of_trois_rivieres_resolves_to_the_city(resolver, spelling):
    trois_rivieres = municipality("Trois-Rivières")

    place = resolver.resolve(city=spelling)

    assert place == Place(
        municipality_id=trois_rivieres.pk, mrc_id=trois_rivieres.mrc_id,
        region_id=region_id("04"), via="municipality",
    )


@pytest.mark.parametrize("spelling, official", [
    ("St-Roch-de-Mékinac", "Saint-Roch-de-Mékinac"),
    ("Saint-Roch-de-Mekinac (Québec)", "Saint-Roch-de-Mékinac"),
    ("ST ROCH DE MEKINAC", "Saint-Roch-de-Mékinac"),
    ("Ste-Anne-de-la-Pérade", "Sainte-Anne-de-la-Pérade"),
    ("Ste Anne de la Perade", "Sainte-Anne-de-la-Pérade"),
    ("Sainte-Thècle", "Sainte-Thècle"),
    ("L'Ancienne-Lorette", "L'Ancienne-Lorette"),
    ("L’Ancienne Lorette", "L'Ancienne-Lorette"),
    ("N.-D.-du-Mont-Carmel", "Notre-Dame-du-Mont-Carmel"),
    ("Mt-Laurier", "Mont-Laurier"),
    ("Municipalité de Sainte-Thècle", "Sainte-Thècle"),
])
def test_abbreviated_and_unaccented_names_resolve_to_the_official_municipality(
    resolver, spelling, official
):
    place = resolver.resolve(city=spelling)

    assert place.municipality_id == municipality(official).pk
    assert place.via == "municipality"
    assert place.unknown_city == ""


def test_a_municipality_gives_its_mrc_and_region(resolver):
    place = resolver.resolve(city="St-Roch-de-Mékinac")

    assert place.mrc_id == Mrc.objects.get(name="Mékinac").pk
    assert place.region_id == region_id("04")


def test_a_city_outside_any_mrc_belongs_to_its_equivalent_territory(resolver):
    assert resolver.resolve(city="Trois-Rivières").mrc_id == Mrc.objects.get(code="371").pk
    assert resolver.resolve(city="Montréal").mrc_id == Mrc.objects.get(code="660").pk
    assert resolver.resolve(city="Brossard").mrc_id == Mrc.objects.get(code="580").pk


@pytest.mark.parametrize("cell, code", [
    ("Mékinac", "350"), ("MEKINAC", "350"), ("MRC de Mékinac", "350"),
    ("Les Chenaux", "372"), ("MRC des Chenaux", "372"), ("Des Chenaux", "372"),
    ("TE Trois-Rivières", "371"), ("Haut-Saint-Maurice", "900"),
    ("MRC du Haut-Saint-Maurice", "900"), ("L'Île-d'Orléans", "200"),
])
def test_an_mrc_or_territory_cell_gives_the_mrc_and_its_region(resolver, cell, code):
    mrc = Mrc.objects.get(code=code)

    place = resolver.resolve(mrc=cell)

    assert place == Place(mrc_id=mrc.pk, region_id=mrc.region_id, via="mrc")


def test_mekinac_and_les_chenaux_are_in_mauricie(resolver):
    assert resolver.resolve(mrc="Mékinac").region_id == region_id("04")
    assert resolver.resolve(mrc="Les Chenaux").region_id == region_id("04")


def test_the_municipality_cell_wins_over_the_mrc_cell(resolver):
    place = resolver.resolve(city="Batiscan", mrc="Mékinac")

    assert place.municipality_id == municipality("Batiscan").pk
    assert place.mrc_id == Mrc.objects.get(code="372").pk


def test_an_unknown_city_is_reported_and_the_mrc_still_gives_the_region(resolver):
    place = resolver.resolve(city="Cap-de-la-Madeleine", mrc="TE Trois-Rivières")

    assert place.unknown_city == "Cap-de-la-Madeleine"
    assert place.municipality_id is None
    assert place.region_id == region_id("04")
    assert place.via == "mrc"


def test_an_unknown_city_alone_resolves_nothing(resolver):
    assert resolver.resolve(city="Cp 1281") == Place(unknown_city="Cp 1281")


def test_an_mrc_name_in_the_municipality_column_still_gives_the_region(resolver):
    place = resolver.resolve(city="Mékinac")

    assert place.mrc_id == Mrc.objects.get(code="350").pk
    assert place.region_id == region_id("04")
    assert place.unknown_city == "Mékinac"


def test_a_former_name_mapped_by_the_curator_resolves_to_the_city_it_joined():
    resolver = PlaceResolver(former_names={
        "Cap-de-la-Madeleine": "Trois-Rivières", "Grand-Mère": "36033",
    })

    assert resolver.resolve(city="CAP-DE-LA-MADELEINE (QUÉBEC)").municipality_id == (
        municipality("Trois-Rivières").pk
    )
    assert resolver.resolve(city="Grand-Mère").municipality_id == municipality("Shawinigan").pk


def test_a_name_borne_by_a_village_and_a_parish_takes_the_most_populous(resolver):
    twins = Municipality.objects.filter(name="Saint-Séverin").order_by("-population")

    place = resolver.resolve(city="St-Séverin")

    assert place.municipality_id == twins[0].pk
    assert resolver.resolve(city="Saint-Séverin") == place


def test_a_namesake_is_told_apart_by_the_rows_mrc(resolver):
    beauce = Municipality.objects.get(code="27070")

    place = resolver.resolve(city="Saint-Séverin", mrc="Beauce-Centre")

    assert place.municipality_id == beauce.pk
    assert place.region_id == region_id("12")


def test_the_town_hall_postal_code_gives_its_municipality(resolver):
    place = resolver.resolve(postal_code="g0x 2e0")

    assert place.municipality_id == municipality("Saint-Roch-de-Mékinac").pk
    assert place.via == "postal_code"


def test_an_urban_postal_code_area_known_in_one_region_gives_the_region_only(resolver):
    place = resolver.resolve(postal_code="G9A 9Z9")

    assert place == Place(region_id=region_id("04"), via="postal_code")


def test_a_rural_postal_code_area_gives_nothing(resolver):
    assert resolver.resolve(postal_code="G0X 9Z9") == Place()


def test_a_postal_code_shared_by_town_halls_of_one_region_gives_the_region_only(resolver):
    shared = Municipality.objects.filter(town_hall_postal_code="J0M1G0")
    assert shared.count() == 2

    place = resolver.resolve(postal_code="J0M 1G0")

    assert place == Place(region_id=region_id("10"), via="postal_code")


def test_a_malformed_postal_code_gives_nothing(resolver):
    assert resolver.resolve(postal_code="G8Y5GY") == Place()


def test_a_region_given_wins_and_keeps_an_agreeing_municipality(resolver):
    place = resolver.resolve(city="Trois-Rivières", region_id=region_id("04"))

    assert place.region_id == region_id("04")
    assert place.municipality_id == municipality("Trois-Rivières").pk
    assert place.via == "region"


def test_a_region_given_drops_a_municipality_of_another_region(resolver):
    place = resolver.resolve(city="Montréal", mrc="Laval", region_id=region_id("04"))

    assert place == Place(region_id=region_id("04"), via="region", unknown_city="Montréal")


def test_a_region_given_keeps_an_agreeing_mrc_when_the_city_is_elsewhere(resolver):
    place = resolver.resolve(city="Montréal", mrc="Mékinac", region_id=region_id("04"))

    assert place.mrc_id == Mrc.objects.get(code="350").pk
    assert place.municipality_id is None


def test_a_region_given_picks_the_namesake_in_that_region(resolver):
    place = resolver.resolve(city="Saint-Séverin", region_id=region_id("12"))

    assert place.municipality_id == Municipality.objects.get(code="27070").pk


def test_the_resolver_reads_the_lists_once(django_assert_num_queries):
    with django_assert_num_queries(2):
        resolver = PlaceResolver()
    with django_assert_num_queries(0):
        for city in ("Trois-Rivières", "Mékinac", "Nowhere"):
            resolver.resolve(city=city, postal_code="G9A 5H3")


def test_place_keys_fold_the_ways_people_write_a_name():
    assert place_key("STE-ANNE-DE-LA-PÉRADE (QUÉBEC)") == "sainte anne de la perade"
    assert place_key("St. Roch de Mékinac, QC") == "saint roch de mekinac"
