"""Fields an enterprise's own people set on their profile rank above every network and below
curators: an import never overwrites them and shows what it sent as withheld."""

import io

import pytest
from django.utils import timezone

from enterprises.imports import pipeline, preview
from enterprises.imports.diff import ENTERPRISE_ORIGIN
from enterprises.models import Enterprise, EnterpriseSource, ImportReviewItem, ImportRun, Network

HEADER = "No membre,Nom,Code postal,Téléphone,Site web,Régions desservies\n"
FIRST = HEADER + "1,Coop du Quai,G1R 1P4,418 555-0101,https://quai.example,03\n"
SECOND = HEADER + "1,Coop du Quai,G1R 1P4,418 555-0202,https://autre.example,03|12\n"


def run(network_slug, content, dry_run=False):
    import_run = ImportRun(network=Network.objects.get(slug=network_slug),
                           file_name="export.csv", dry_run=dry_run)
    return pipeline.run_import(import_run, io.BytesIO(content.encode()))


def edited_by_enterprise(enterprise, **values):
    """What the enterprise accounts' profile form does when its people save a field."""
    stamp = timezone.now().isoformat()
    for name, value in values.items():
        if name == "service_area":
            enterprise.service_area.set(value)
        else:
            setattr(enterprise, name, value)
        enterprise.field_origins[name] = [ENTERPRISE_ORIGIN, stamp]
    enterprise.save()


@pytest.mark.django_db
def test_a_reimport_never_overwrites_what_the_enterprise_set_and_shows_it_withheld():
    run("cesim", FIRST)
    coop = Enterprise.objects.get()
    edited_by_enterprise(coop, phone="+1 418-555-0999", service_area=["03"])

    result = run("cesim", SECOND)

    coop.refresh_from_db()
    assert coop.phone == "+1 418-555-0999"
    assert sorted(coop.service_area.values_list("code", flat=True)) == ["03"]
    assert coop.website == "https://autre.example"  # not set by the enterprise: the network's
    change = result.change_rows.get()
    assert set(change.details["withheld"]) == {"phone", "service_area"}
    line = preview.describe([change], result.network_id)[0]
    assert ("+1 418-555-0999", "+1 418-555-0202") in [(cur, new) for _, cur, new in line.withheld]
    record = EnterpriseSource.objects.get(enterprise=coop, network__slug="cesim")
    assert record.values["phone"] == "+1 418-555-0202"


@pytest.mark.django_db
def test_a_field_the_enterprise_cleared_stays_empty_and_a_higher_ranked_register_cannot_set_it():
    run("cesim", FIRST)
    coop = Enterprise.objects.get()
    edited_by_enterprise(coop, website="")

    run("cesim", SECOND)
    run("registre-entreprises-quebec",
        "NEQ,Nom,Code postal,Site web\n1140000004,COOP DU QUAI,G1R 1P4,https://registre.example\n")

    coop.refresh_from_db()
    assert coop.website == ""


@pytest.mark.django_db
def test_a_curators_edit_still_outranks_the_enterprise_as_a_conflict_for_review():
    run("cesim", FIRST)
    coop = Enterprise.objects.get()
    edited_by_enterprise(coop, phone="+1 418-555-0999")
    coop.curated_fields = ["phone"]
    coop.save()

    result = run("cesim", SECOND)

    change = result.change_rows.get()
    assert "phone" in change.details["conflicts"]
    assert "phone" not in change.details.get("withheld", {})
    assert ImportReviewItem.objects.filter(enterprise=coop, field="phone").exists()
