"""Which enterprise an import row describes: by name in the same place, and never by an
identifier alone when the names say otherwise."""

import pytest
from django.core.management import call_command

from enterprises.imports.match import (
    MERGE_SCORE,
    SUGGEST_SCORE,
    Matcher,
    name_similarity,
    normalized_name,
)
from tests.factories import (
    EnterpriseFactory,
    EnterpriseSourceFactory,
    NetworkFactory,
    municipality,
)

TROIS_RIVIERES = {"city": "Trois-Rivières", "postal_code": "G9A 5H7"}


def row(name, **fields):
    return {"name": name, **fields}


def matcher():
    return Matcher(NetworkFactory())


@pytest.mark.parametrize(("known", "incoming"), [
    ("À la Fût coop de travail brassicole", "À la Fût, coop de travail brassicole"),
    ("CPE Les soleils de Mékinac", "C.P.E. les Soleils de Mékinac"),
    ("Coopérative St-Rémi", "Coopérative Saint-Rémi"),
    ("L'orchestre symphonique de Trois-Rivières inc.",
     "L'ORCHESTRE SYMPHONIQUE DE TROIS-RIVIÈRES INC."),
    ("Groupe RCM inc.", "Groupe Rcm Inc."),
    ("Centre de la petite enfance Les Lucioles", "CPE Les Lucioles ltée"),
    ("Coopérative de solidarité Vélo Québec", "Cooperative de solidarite Velo Quebc"),
    ("Les Jardins du Nord coop", "Jardins du Nord (Les)"),
])
@pytest.mark.django_db
def test_name_variants_of_an_enterprise_in_its_town_update_it(known, incoming):
    enterprise = EnterpriseFactory(name=known, **TROIS_RIVIERES)

    match = matcher().match(row(incoming, city="TROIS-RIVIÈRES (QUÉBEC)"))

    assert (match.enterprise_id, match.via) == (enterprise.pk, "name")
    assert match.score >= MERGE_SCORE


@pytest.mark.parametrize(("known", "incoming"), [
    ("CPE Les Soleils", "CPE Les Lucioles"),
    ("Coopérative de solidarité de Mékinac", "Coopérative d'habitation de Mékinac"),
    ("Centre d'action bénévole Le Fil", "Centre d'action bénévole L'Envol"),
    ("Habitations Populaires 1", "Habitations Populaires 2"),
])
@pytest.mark.django_db
def test_another_enterprise_with_a_similar_name_in_the_same_town_is_a_new_one(known, incoming):
    EnterpriseFactory(name=known, **TROIS_RIVIERES)

    match = matcher().match(row(incoming, city="Trois-Rivières", postal_code="G8Y 3K1"))

    assert match.enterprise_id is None
    assert match.possible_duplicates == set()
    assert not match.ambiguous


@pytest.mark.parametrize(("known", "incoming"), [
    ("Cuisines collectives de la Moraine", "CUISINES SOLIDAIRES DE LA MORAINE"),
    ("Service d'aide domestique de Trois-Rivières",
     "Services d'Entretien Domestique de Trois-Rivières inc."),
    ("CPE Les Soleils", "CPE Les Lucioles"),
])
@pytest.mark.django_db
def test_a_near_namesake_at_the_same_postal_code_is_left_to_a_curator(known, incoming):
    enterprise = EnterpriseFactory(name=known, **TROIS_RIVIERES)

    match = matcher().match(row(incoming, **TROIS_RIVIERES))

    assert match.enterprise_id is None
    assert match.possible_duplicates == {enterprise.pk}


@pytest.mark.django_db
def test_the_same_name_in_another_town_is_another_enterprise():
    EnterpriseFactory(name="Maison des jeunes La Clé", **TROIS_RIVIERES)

    match = matcher().match(row("Maison des jeunes La Clé", city="Shawinigan",
                                postal_code="G9N 1A1"))

    assert match.enterprise_id is None


@pytest.mark.django_db
def test_a_shorter_name_of_an_enterprise_is_a_possible_duplicate_not_a_merge():
    enterprise = EnterpriseFactory(name="Coopérative de solidarité La Ruche", **TROIS_RIVIERES)

    match = matcher().match(row("La Ruche", city="Trois-Rivières"))

    assert match.enterprise_id is None
    assert match.possible_duplicates == {enterprise.pk}
    assert SUGGEST_SCORE <= match.score < MERGE_SCORE


@pytest.mark.django_db
def test_a_row_with_the_postal_code_of_an_enterprise_in_another_spelling_of_its_town_matches():
    enterprise = EnterpriseFactory(name="Ressourcerie Le Moulin", city="", postal_code="G0X 2Z0")

    match = matcher().match(row("RESSOURCERIE LE MOULIN", city="St-Roch-de-Mékinac",
                                postal_code="G0X 2Z0"))

    assert match.enterprise_id == enterprise.pk


@pytest.mark.django_db
def test_an_enterprise_is_found_by_its_municipality_whatever_the_city_cell_says():
    saint_tite = municipality("Saint-Tite")
    enterprise = EnterpriseFactory(name="Coopérative de solidarité Les Jardins du Rivage",
                                   municipality=saint_tite, city="", postal_code="")

    match = matcher().match(row("COOP DE SOLIDARITE LES JARDINS DU RIVAGE",
                                municipality=saint_tite.pk, city="St-Tite (Québec)"))

    assert (match.enterprise_id, match.via) == (enterprise.pk, "name")


@pytest.mark.django_db
def test_a_known_neq_with_another_organizations_name_is_an_identity_conflict():
    """The issue's case: a mistyped NEQ made the register rename « Camp du Lac Vert »."""
    camp = EnterpriseFactory(name="Camp du Lac Vert", neq="1140000002", **TROIS_RIVIERES)

    match = matcher().match(row("Fédération des Guides Catholiques du Diocèse de Trois-Rivières",
                                neq="1140000002", city="Trois-Rivières"))

    assert (match.enterprise_id, match.via) == (camp.pk, "neq")
    assert match.identity_conflict


@pytest.mark.django_db
def test_a_known_neq_with_the_register_spelling_of_the_same_name_is_no_conflict():
    orchestra = EnterpriseFactory(name="L'orchestre symphonique de Trois-Rivières inc.",
                                  neq="1140000002")

    match = matcher().match(row("L'ORCHESTRE SYMPHONIQUE DE TROIS-RIVIERES INC.",
                                neq="1140000002", city="Trois-Rivières (Québec)"))

    assert (match.enterprise_id, match.via) == (orchestra.pk, "neq")
    assert not match.identity_conflict


@pytest.mark.django_db
def test_a_record_id_now_carrying_another_name_is_an_identity_conflict():
    source = EnterpriseSourceFactory(enterprise__name="Friperie La Marée", external_id="M-12")

    match = Matcher(source.network).match(row("Théâtre du Quai", record_id="M-12"))

    assert (match.enterprise_id, match.via) == (source.enterprise_id, "record")
    assert match.identity_conflict


@pytest.mark.django_db
def test_a_mistyped_neq_loses_to_the_name_of_another_enterprise_in_the_same_place():
    """The NEQ points to one enterprise, the name and place to another: the name is kept, the
    conflict is flagged with the enterprise the NEQ names."""
    federation = EnterpriseFactory(name="Fédération des Guides Catholiques", neq="1140000002",
                                   **TROIS_RIVIERES)
    camp = EnterpriseFactory(name="Camp du Lac Vert", **TROIS_RIVIERES)

    match = matcher().match(row("CAMP DU LAC VERT", neq="1140000002", **TROIS_RIVIERES))

    assert (match.enterprise_id, match.via) == (camp.pk, "name")
    assert match.identity_conflict
    assert match.conflicting_id == federation.pk


@pytest.mark.django_db
def test_an_enterprise_created_earlier_in_the_run_is_found_by_a_later_row():
    matching = matcher()
    matching.match(row("Boulangerie Le Pain d'Or", **TROIS_RIVIERES))
    matching.learn(4321, row("Boulangerie Le Pain d'Or", **TROIS_RIVIERES))

    match = matching.match(row("BOULANGERIE LE PAIN D'OR INC.", city="Trois-Rivières"))

    assert match.enterprise_id == 4321


@pytest.mark.django_db
def test_two_enterprises_with_the_same_name_in_one_town_make_the_row_wait_for_a_curator():
    first = EnterpriseFactory(name="Cuisine collective Partage", **TROIS_RIVIERES)
    second = EnterpriseFactory(name="Cuisine collective Partage", city="Trois-Rivières")

    match = matcher().match(row("Cuisine collective Partage", city="Trois-Rivières"))

    assert match.ambiguous
    assert match.candidates == {first.pk, second.pk}


def test_normalized_names_drop_what_sources_spell_differently():
    assert normalized_name("C.P.E. les Soleils de Mékinac") == "cpe les soleils de mekinac"
    assert normalized_name("Coopérative St-Rémi inc.") == "coop saint remi"
    assert normalized_name("Les Ateliers Œuvre & Bois, ltée") == "ateliers oeuvre et bois"
    assert normalized_name("Inc.") == "inc"


def test_name_similarity_tells_apart_names_that_share_only_their_kind():
    assert name_similarity("CPE Les Soleils", "C.P.E. LES SOLEILS") == 100
    assert name_similarity("CPE Les Soleils", "CPE Les Lucioles") < SUGGEST_SCORE
    assert name_similarity("Camp du Lac Vert",
                           "Fédération des Guides Catholiques du Diocèse de Trois-Rivières") < 50


def test_benchmark_matching_prints_its_precision_and_recall(capsys):
    call_command("benchmark_matching", enterprises=2000, seed=3)

    output = capsys.readouterr().out
    chosen = next(line for line in output.splitlines() if line.startswith(
        f"  {MERGE_SCORE:>3} {SUGGEST_SCORE:>3}"))
    figures = [float(part.split()[0]) for part in chosen.split("precision")[1:]]
    assert figures[0] >= 99  # automatic merges
    assert figures[1] >= 99  # merges and suggestions
    assert "same enterprise, other words" in output
