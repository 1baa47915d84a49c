"""Several sources describing the same enterprises: each is trusted for its own field groups,
re-imports settle, identities are never swapped through a NEQ, and "missing" means missing."""

import io

import pytest
from django.urls import reverse

from enterprises.imports import pipeline
from enterprises.models import (
    Enterprise,
    EnterpriseSource,
    ImportProfile,
    ImportReviewItem,
    ImportRun,
    Network,
)
from tests.factories import UserFactory

REGISTER = "registre-entreprises-quebec"
NETWORK_FILE = (
    "NoMembre;NomEntreprise;NEQ;FormeJuridique;Adresse;Municipalite;CodePostal;Telephone\n"
    "M-1;L'orchestre symphonique de Trois-Rivières inc.;1140000004;Coopérative;"
    "1517, rue Royale;Trois-Rivières;G9A 4J9;819 373-5340\n"
    "M-2;Groupe RCM inc.;1140000012;Coopérative;734, rue Bonaventure;Trois-Rivières;"
    "G9A 2B5;819 372-5125\n"
)
REGISTER_FILE = (
    "NEQ;Nom;Forme juridique;Adresse;Municipalité;Code postal\n"
    "1140000004;L'ORCHESTRE SYMPHONIQUE DE TROIS-RIVIERES INC.;OBNL;CP 1281;"
    "TROIS-RIVIÈRES (QUÉBEC);G9A 5K8\n"
    "1140000012;GROUPE RCM INC.;OBNL;CP 490;TROIS-RIVIÈRES (QUÉBEC);G9A 5H3\n"
)


def run(network_slug, content, dry_run=False):
    import_run = ImportRun(network=Network.objects.get(slug=network_slug),
                           file_name="export.csv", dry_run=dry_run)
    return pipeline.run_import(import_run, io.BytesIO(content.encode()))


def directory():
    """What a reader of the directory sees, by NEQ (or name for those without)."""
    return sorted(
        (e.neq or e.name, e.name, e.legal_form, e.address, e.city, e.postal_code, e.phone,
         e.region_id, e.municipality_id)
        for e in Enterprise.objects.all()
    )


def forget_everything():
    ImportReviewItem.objects.all().delete()
    Enterprise.objects.all().delete()


@pytest.mark.django_db
def test_register_file_never_renames_an_enterprise_the_network_named():
    run("cesim", NETWORK_FILE)

    result = run(REGISTER, REGISTER_FILE)

    assert (result.created_count, result.error_count) == (0, 0)
    orchestra = Enterprise.objects.get(neq="1140000004")
    assert orchestra.name == "L'orchestre symphonique de Trois-Rivières inc."
    assert (orchestra.address, orchestra.city, orchestra.phone) == (
        "1517, rue Royale", "Trois-Rivières", "+1 819-373-5340")
    assert Enterprise.objects.get(neq="1140000012").name == "Groupe RCM inc."
    register_record = EnterpriseSource.objects.get(network__slug=REGISTER, enterprise=orchestra)
    assert register_record.values["postal_code"] == "G9A 5K8"


@pytest.mark.django_db
def test_register_outranks_the_network_for_the_legal_form():
    run("cesim", NETWORK_FILE)

    run(REGISTER, REGISTER_FILE)

    assert set(Enterprise.objects.values_list("legal_form", flat=True)) == {"non_profit"}


@pytest.mark.django_db
def test_importing_a_b_a_b_converges_and_second_round_writes_nothing():
    run("cesim", NETWORK_FILE)
    run(REGISTER, REGISTER_FILE)
    after_first_round = directory()
    stamps = sorted(Enterprise.objects.values_list("pk", "updated_at"))

    again = [run("cesim", NETWORK_FILE), run(REGISTER, REGISTER_FILE)]

    assert [(r.created_count, r.updated_count) for r in again] == [(0, 0), (0, 0)]
    assert directory() == after_first_round
    assert sorted(Enterprise.objects.values_list("pk", "updated_at")) == stamps


@pytest.mark.django_db
def test_both_orders_give_the_same_directory():
    run("cesim", NETWORK_FILE)
    run(REGISTER, REGISTER_FILE)
    network_first = directory()
    forget_everything()

    run(REGISTER, REGISTER_FILE)
    run("cesim", NETWORK_FILE)

    assert directory() == network_first


@pytest.mark.django_db
def test_equal_rank_the_newest_value_wins_and_an_unchanged_file_does_not_take_it_back():
    header = "No membre,Nom,Code postal,Téléphone\n"
    run("cesim", header + "1,Coop du Quai,G1R 1P4,418 555-0101\n")
    run("akcelos", header + "A,Coop du Quai,G1R 1P4,418 555-0202\n")
    coop = Enterprise.objects.get()
    assert coop.phone == "+1 418-555-0202"

    run("cesim", header + "1,Coop du Quai,G1R 1P4,418 555-0101\n")
    coop.refresh_from_db()
    assert coop.phone == "+1 418-555-0202"

    run("cesim", header + "1,Coop du Quai,G1R 1P4,418 555-0303\n")
    coop.refresh_from_db()
    assert coop.phone == "+1 418-555-0303"


@pytest.mark.django_db
def test_mistyped_neq_never_renames_another_organization_and_waits_as_an_identity_conflict():
    run("cesim", "No membre,Nom,NEQ,Municipalité\n"
                 "M-7,Camp du Lac Vert,1140000020,Saint-Mathieu-du-Parc\n")

    result = run(REGISTER, "NEQ,Nom,Municipalité\n"
                           "1140000020,FÉDÉRATION DES GUIDES CATHOLIQUES DU DIOCÈSE DE "
                           "TROIS-RIVIÈRES,TROIS-RIVIÈRES (QUÉBEC)\n")

    assert result.error_count == 0
    camp = Enterprise.objects.get(name="Camp du Lac Vert")
    federation = Enterprise.objects.exclude(pk=camp.pk).get()
    assert federation.name.startswith("Fédération des Guides")
    # The register outranks the network for the NEQ: the typo moves to its rightful owner.
    assert (camp.neq, federation.neq) == ("", "1140000020")
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.IDENTITY_CONFLICT)
    assert item.current_value["name"] == "Camp du Lac Vert"
    assert item.incoming_value["name"] == federation.name
    assert result.warning_counts == {"identity_conflict": 1}


@pytest.mark.django_db
def test_two_rows_with_one_neq_and_different_names_both_land_and_the_second_is_flagged():
    result = run("cesim", "No membre,Nom,NEQ\n"
                          "1,Camp du Lac Vert,1140000020\n"
                          "2,Fédération des Guides catholiques,1140000020\n")

    assert (result.created_count, result.error_count) == (2, 0)
    assert Enterprise.objects.get(neq="1140000020").name == "Camp du Lac Vert"
    assert Enterprise.objects.get(name__startswith="Fédération").neq == ""
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.IDENTITY_CONFLICT)
    assert item.enterprise.name.startswith("Fédération")
    assert item.current_value == {"line": 2, "name": "Camp du Lac Vert", "neq": "1140000020"}


@pytest.mark.django_db
def test_a_row_repeating_another_by_neq_and_name_is_refused_as_a_repeat():
    result = run("cesim", "No membre,Nom,NEQ\n"
                          "1,Camp du Lac Vert,1140000020\n"
                          "2,CAMP DU LAC VERT,1140000020\n")

    assert (result.created_count, result.error_count) == (1, 1)
    assert "3,NEQ,1140000020,error" in result.error_report


@pytest.mark.django_db
def test_missing_flags_only_enterprises_no_row_matched_whatever_the_key():
    run("cesim", "No membre,Nom,NEQ,Code postal\n"
                 "M-1,Coop du Quai,1140000004,G1R 1P4\n"
                 "M-2,Atelier Vélo,,G1R 1P5\n"
                 "M-3,Boulangerie du Coin,,G1R 1P6\n")

    # The same network's next file has no record ids: rows are matched by NEQ and by name.
    result = run("cesim", "Nom,NEQ,Code postal\n"
                          "Coop du Quai,1140000004,G1R 1P4\n"
                          "Atelier Vélo,,G1R 1P5\n")

    assert result.missing_count == 1
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.MISSING)
    assert item.enterprise.name == "Boulangerie du Coin"
    sources = EnterpriseSource.objects.filter(network__slug="cesim")
    assert sources.count() == 3
    assert set(sources.values_list("external_id", flat=True)) == {
        "neq:1140000004", sources.get(enterprise__name="Atelier Vélo").external_id, "M-3"
    }


@pytest.mark.django_db
def test_profile_constant_values_fill_every_empty_cell():
    ImportProfile.objects.create(network=Network.objects.get(slug="cesim"), constant_values={
        "legal_form": "cooperative", "region": "04"})

    run("cesim", "Nom,Forme juridique\nCoop A,\nOBNL B,OBNL\n")

    assert sorted(Enterprise.objects.values_list("name", "legal_form", "region__code")) == [
        ("Coop A", "cooperative", "04"), ("OBNL B", "non_profit", "04"),
    ]


@pytest.mark.django_db
def test_curator_adopts_a_value_a_lower_ranked_source_sent_in_one_click(staff_client):
    run("cesim", NETWORK_FILE)
    run(REGISTER, REGISTER_FILE)
    orchestra = Enterprise.objects.get(neq="1140000004")
    register_record = EnterpriseSource.objects.get(network__slug=REGISTER, enterprise=orchestra)
    change_url = reverse("admin:enterprises_enterprise_change", args=[orchestra.pk])

    page = staff_client.get(change_url).content.decode()
    assert "G9A 5K8" in page
    assert f'value="{register_record.pk}:postal_code"' in page

    response = staff_client.post(
        reverse("admin:enterprises_enterprise_adopt", args=[orchestra.pk]),
        {"adopt": f"{register_record.pk}:postal_code"},
    )

    assert response.status_code == 302
    orchestra.refresh_from_db()
    assert orchestra.postal_code == "G9A 5K8"
    assert "postal_code" in orchestra.curated_fields


@pytest.mark.django_db
def test_adopting_needs_a_post_and_the_change_permission(client, staff_client):
    run("cesim", NETWORK_FILE)
    run(REGISTER, REGISTER_FILE)
    orchestra = Enterprise.objects.get(neq="1140000004")
    record = EnterpriseSource.objects.get(network__slug=REGISTER, enterprise=orchestra)
    url = reverse("admin:enterprises_enterprise_adopt", args=[orchestra.pk])
    viewer = UserFactory(is_staff=True)
    client.force_login(viewer)

    assert staff_client.get(url).status_code == 405
    assert client.post(url, {"adopt": f"{record.pk}:postal_code"}).status_code == 403
    orchestra.refresh_from_db()
    assert orchestra.postal_code == "G9A 4J9"


@pytest.mark.django_db
def test_network_ranks_are_edited_one_number_per_field_group(staff_client):
    network = Network.objects.get(slug="cesim")
    url = reverse("admin:enterprises_network_change", args=[network.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["rank_identity"] = 5

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    network.refresh_from_db()
    assert network.field_ranks == {"identity": 5}
    assert network.ranks["identity"] == 5


@pytest.mark.django_db
def test_record_id_reused_under_another_name_keeps_the_name_and_contacts_for_review():
    run("cesim", "No membre,Nom,Téléphone,Description\n"
                 "M-1,Coop du Quai,418 555-0101,Épicerie\n")

    result = run("cesim", "No membre,Nom,Téléphone,Description\n"
                          "M-1,Garage Tremblay,418 555-0999,Mécanique générale\n")

    coop = Enterprise.objects.get()
    assert (coop.name, coop.phone) == ("Coop du Quai", "+1 418-555-0101")
    assert coop.description_fr == "Mécanique générale"
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.IDENTITY_CONFLICT)
    assert (item.enterprise, item.incoming_value["name"]) == (coop, "Garage Tremblay")
    assert result.warning_counts == {"identity_conflict": 1}


@pytest.mark.django_db
def test_record_id_of_one_enterprise_on_the_row_of_another_keeps_each_source_its_own():
    run("cesim", "No membre,Nom,Code postal\n"
                 "M-1,Coop du Quai,G1R 1P4\n"
                 "M-2,Garage Tremblay,G1R 1P5\n")

    result = run("cesim", "No membre,Nom,Code postal,Téléphone\n"
                          "M-1,Garage Tremblay,G1R 1P5,418 555-0999\n")

    assert result.state == ImportRun.State.DONE, result.failure
    garage = Enterprise.objects.get(name="Garage Tremblay")
    assert garage.phone == "+1 418-555-0999"
    assert sorted(EnterpriseSource.objects.values_list("enterprise__name", "external_id")) == [
        ("Coop du Quai", "M-1"), ("Garage Tremblay", "M-2"),
    ]


@pytest.mark.django_db
def test_identity_conflict_page_shows_both_records_side_by_side(staff_client):
    run("cesim", "No membre,Nom,Téléphone\nM-1,Coop du Quai,418 555-0101\n")
    run("cesim", "No membre,Nom,Téléphone\nM-1,Garage Tremblay,418 555-0999\n")
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.IDENTITY_CONFLICT)

    page = staff_client.get(reverse("admin:enterprises_importreviewitem_change", args=[item.pk]))

    text = page.content.decode()
    assert "Actuellement au répertoire" in text and "Dans le fichier" in text
    assert text.index("Coop du Quai") < text.index("Garage Tremblay")
    assert "+1 418-555-0101" in text and "+1 418-555-0999" in text
