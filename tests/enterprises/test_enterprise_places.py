"""An enterprise's place: the MRC and region follow its municipality; an enterprise without a
region (an imported draft) is never published and never breaks a page or an export."""

import csv
import io
import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from enterprises.models import Enterprise, Mrc, Municipality
from purchases import ocds
from tests.factories import EnterpriseFactory, PurchaseFactory, municipality, region

pytestmark = pytest.mark.django_db


def english(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def draft_without_region(**fields):
    return EnterpriseFactory(status=Enterprise.Status.DRAFT, region=None, **fields)


def change_form_data(enterprise, **changes):
    data = {
        "name": enterprise.name, "slug": enterprise.slug, "legal_form": enterprise.legal_form,
        "status": enterprise.status, "verification_status": enterprise.verification_status,
        "label_awards-TOTAL_FORMS": "0", "label_awards-INITIAL_FORMS": "0",
        "sources-TOTAL_FORMS": "0", "sources-INITIAL_FORMS": "0",
    }
    for field in ("region", "municipality", "mrc"):
        value = getattr(enterprise, f"{field}_id")
        data[field] = "" if value is None else value
    data.update({key: "" if value is None else value for key, value in changes.items()})
    return data


# The place follows the municipality


def test_the_mrc_and_region_follow_the_municipality():
    enterprise = EnterpriseFactory(municipality=municipality("Saint-Roch-de-Mékinac"))

    assert enterprise.mrc == Mrc.objects.get(name="Mékinac")
    assert enterprise.region == region("04")


def test_a_city_outside_any_mrc_gets_its_equivalent_territory():
    enterprise = EnterpriseFactory(municipality=municipality("Trois-Rivières"))

    assert enterprise.mrc.code == "371"
    assert enterprise.region == region("04")


def test_an_mrc_alone_gives_the_region():
    enterprise = draft_without_region(mrc=Mrc.objects.get(name="Les Chenaux"))

    assert enterprise.region == region("04")
    assert enterprise.municipality is None


def test_moving_to_another_municipality_moves_the_mrc_and_region():
    enterprise = EnterpriseFactory(municipality=municipality("Saint-Tite"))

    enterprise.municipality = municipality("Longueuil")
    enterprise.save()
    enterprise.refresh_from_db()

    assert (enterprise.region.code, enterprise.mrc.code) == ("16", "580")


def test_deriving_places_in_bulk_reads_the_lists_once(django_assert_max_num_queries):
    places = list(Municipality.objects.filter(region__code="04")[:50])
    enterprises = [Enterprise(name="Coop", municipality=place) for place in places]
    enterprises[0].refresh_derived_fields()

    with django_assert_max_num_queries(0):
        for enterprise in enterprises:
            enterprise.refresh_derived_fields()

    assert {enterprise.region_id for enterprise in enterprises} == {region("04").pk}


def test_the_database_refuses_a_published_enterprise_without_a_region():
    with pytest.raises(IntegrityError):
        EnterpriseFactory(region=None)


# Publishing needs a region


def test_publish_leaves_enterprises_without_a_region_as_drafts():
    placed = EnterpriseFactory(status=Enterprise.Status.DRAFT)
    unplaced = draft_without_region()

    count = Enterprise.objects.filter(pk__in=[placed.pk, unplaced.pk]).publish()

    assert count == 1
    assert list(Enterprise.objects.published()) == [placed]
    unplaced.refresh_from_db()
    assert unplaced.status == Enterprise.Status.DRAFT


def test_the_publish_action_says_how_many_were_skipped_and_why(staff_client):
    placed = EnterpriseFactory(status=Enterprise.Status.DRAFT)
    unplaced = [draft_without_region(), draft_without_region()]

    response = staff_client.post(
        english("admin:enterprises_enterprise_changelist"),
        {"action": "publish", ACTION_CHECKBOX_NAME: [e.pk for e in [placed, *unplaced]]},
        follow=True,
    )
    page = response.content.decode()

    assert "1 enterprise published." in page
    assert "2 enterprises were left unpublished because they have no region" in page
    assert list(Enterprise.objects.published()) == [placed]


def test_the_publish_action_explains_the_skip_in_french(staff_client):
    unplaced = draft_without_region()

    response = staff_client.post(
        reverse("admin:enterprises_enterprise_changelist"),
        {"action": "publish", ACTION_CHECKBOX_NAME: [unplaced.pk]},
        follow=True,
    )

    assert "1 entreprise n’a pas été publiée\u00a0: elle n’a pas de région. Choisissez" in (
        response.content.decode()
    )


def test_the_admin_form_refuses_to_publish_without_a_region(staff_client):
    enterprise = draft_without_region()

    response = staff_client.post(
        english("admin:enterprises_enterprise_change", enterprise.pk),
        change_form_data(enterprise, status=Enterprise.Status.PUBLISHED),
    )

    assert response.status_code == 200
    assert "An enterprise without a region cannot be published" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.DRAFT


def test_choosing_the_municipality_in_the_admin_is_enough_to_publish(staff_client):
    enterprise = draft_without_region(city="ST-ROCH-DE-MEKINAC")

    response = staff_client.post(
        english("admin:enterprises_enterprise_change", enterprise.pk),
        change_form_data(
            enterprise, status=Enterprise.Status.PUBLISHED,
            municipality=municipality("Saint-Roch-de-Mékinac").pk,
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.PUBLISHED
    assert (enterprise.region.code, enterprise.mrc.code) == ("04", "350")
    assert {"municipality", "mrc", "region"} <= set(enterprise.curated_fields)


def test_the_admin_form_refuses_a_region_that_contradicts_the_municipality(staff_client):
    enterprise = EnterpriseFactory(municipality=municipality("Saint-Tite"))

    response = staff_client.post(
        english("admin:enterprises_enterprise_change", enterprise.pk),
        change_form_data(enterprise, region=region("06").pk),
    )

    assert response.status_code == 200
    assert "Saint-Tite is not in this region" in response.content.decode()


def test_the_municipality_autocomplete_finds_names_as_people_type_them(staff_client):
    response = staff_client.get(reverse("admin:autocomplete"), {
        "app_label": "enterprises", "model_name": "enterprise", "field_name": "municipality",
        "term": "st-roch mekinac",
    })

    assert [row["text"] for row in response.json()["results"]] == ["Saint-Roch-de-Mékinac"]


def test_the_mrc_autocomplete_finds_an_mrc_by_name(staff_client):
    response = staff_client.get(reverse("admin:autocomplete"), {
        "app_label": "enterprises", "model_name": "enterprise", "field_name": "mrc",
        "term": "Chenaux",
    })

    assert [row["text"] for row in response.json()["results"]] == ["Les Chenaux"]


def test_the_official_lists_are_read_only_in_the_admin(staff_client):
    place = municipality("Trois-Rivières")

    page = staff_client.get(reverse("admin:enterprises_municipality_change", args=[place.pk]))
    listing = staff_client.get(reverse("admin:enterprises_mrc_changelist"), {"q": "Mékinac"})

    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert staff_client.get(reverse("admin:enterprises_municipality_add")).status_code == 403
    assert list(listing.context["cl"].result_list) == [Mrc.objects.get(code="350")]


# A draft without a region breaks nothing


def test_the_admin_list_and_change_page_show_a_draft_without_a_region(staff_client):
    enterprise = draft_without_region(name="Brouillon sans région")

    listing = staff_client.get(reverse("admin:enterprises_enterprise_changelist"))
    empty_region = staff_client.get(
        reverse("admin:enterprises_enterprise_changelist"), {"region__isnull": "True"}
    )
    page = staff_client.get(reverse("admin:enterprises_enterprise_change", args=[enterprise.pk]))

    assert listing.status_code == page.status_code == 200
    assert "Brouillon sans région" in listing.content.decode()
    assert list(empty_region.context["cl"].result_list) == [enterprise]


@pytest.mark.parametrize("export_format", ["csv", "json", "xlsx"])
def test_export_directory_writes_drafts_without_a_region(tmp_path, export_format):
    draft_without_region(name="Brouillon sans région")
    EnterpriseFactory(name="Coop placée", municipality=municipality("Saint-Tite"))
    path = tmp_path / f"directory.{export_format}"

    call_command("export_directory", str(path), format=export_format, stdout=io.StringIO())

    if export_format == "csv":
        rows = {row["name"]: row for row in csv.DictReader(path.open(encoding="utf-8-sig"))}
        assert rows["Brouillon sans région"]["region"] == ""
        assert rows["Coop placée"]["region"] == "04"
    elif export_format == "json":
        records = {record["name"]: record for record in json.loads(path.read_text())}
        assert records["Brouillon sans région"]["region"] in ("", None)
    else:
        assert path.stat().st_size > 0


def test_the_open_contracting_release_of_a_purchase_from_a_draft_without_a_region():
    purchase = PurchaseFactory(enterprise=draft_without_region())

    party = ocds.supplier_party(purchase)

    assert party["address"] == {"countryName": "Canada"}


def test_public_pages_never_show_a_draft_without_a_region(client):
    draft_without_region(name="Brouillon sans région", slug="brouillon-sans-region")

    listing = client.get("/repertoire/")
    api = client.get("/api/enterprises/")

    assert "Brouillon sans région" not in listing.content.decode()
    assert api.json()["count"] == 0
    assert client.get("/entreprises/brouillon-sans-region/").status_code == 404
    assert client.get("/sitemap.xml").status_code == 200
