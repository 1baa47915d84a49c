"""A network's file may say which MRCs an enterprise serves, as it says which regions: the
import reads that column by its French or English name, its values by name or code, and
sends what it cannot read to the values staff map."""

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.imports import pipeline, preview
from enterprises.imports.diff import ENTERPRISE_ORIGIN
from enterprises.models import (
    Enterprise,
    ImportProfile,
    ImportReviewItem,
    ImportRun,
    Mrc,
    Network,
)

pytestmark = pytest.mark.django_db


def run(content, network_slug="cesim"):
    import_run = ImportRun(network=Network.objects.get(slug=network_slug), file_name="export.csv",
                           dry_run=False)
    return pipeline.run_import(import_run, io.BytesIO(content.encode()))


def served(enterprise):
    return set(enterprise.mrcs_served.values_list("name", flat=True))


def test_a_french_column_of_mrcs_served_is_read_by_name_code_or_kind_of_territory():
    quebec = Mrc.objects.get(name="Québec")

    result = run("No membre,Nom,Région,MRC desservies\n"
                 f'1,Coop du Quai,03,"Lévis; MRC de Bellechasse; {quebec.code}"\n')

    assert result.created_count == 1, result.error_report
    coop = Enterprise.objects.get()
    assert served(coop) == {"Lévis", "Bellechasse", "Québec"}
    # The MRCs it serves are not where it is based: that column once fed ``mrc``.
    assert coop.mrc is None
    assert not result.warning_counts


def test_an_english_column_of_mrcs_served_takes_slugs():
    levis, quebec = Mrc.objects.get(name="Lévis"), Mrc.objects.get(name="Québec")

    run("Member id,Company name,Region,MRCs served\n"
        f"1,Coop du Quai,03,{levis.slug}|{quebec.slug}\n")

    assert served(Enterprise.objects.get()) == {"Lévis", "Québec"}


def test_an_unknown_mrc_is_sent_to_the_values_to_map_and_lands_once_mapped():
    content = "No membre,Nom,Région,MRC desservies\n1,Coop du Quai,03,Lévis; Grand Québec\n"

    first = run(content)

    coop = Enterprise.objects.get()
    assert served(coop) == {"Lévis"}  # the row lands with what it could read
    assert first.warning_counts == {"unknown_value": 1}
    assert "Grand Québec" in first.error_report
    profile = ImportProfile.objects.get(network__slug="cesim")
    assert profile.unknown_values == {"mrcs_served": ["Grand Québec"]}

    profile.value_maps = {"mrcs_served": {"Grand Québec": "Québec"}}
    profile.save()
    run(content)

    assert served(coop) == {"Lévis", "Québec"}


def test_a_reimport_leaves_the_mrcs_the_enterprise_gave_and_shows_the_networks_as_withheld():
    header = "No membre,Nom,Région,Téléphone,MRC desservies\n"
    run(header + "1,Coop du Quai,03,418 555-0101,Lévis\n")
    coop = Enterprise.objects.get()
    coop.mrcs_served.set([Mrc.objects.get(name="Québec")])
    coop.field_origins["mrcs_served"] = [ENTERPRISE_ORIGIN, timezone.now().isoformat()]
    coop.save()

    # A new phone number makes the row an update that the run's page lists.
    result = run(header + "1,Coop du Quai,03,418 555-0202,Lévis; Bellechasse\n")

    assert served(coop) == {"Québec"}
    change = result.change_rows.get()
    line = preview.describe([change], result.network_id)[0]
    [(label, current, incoming)] = line.withheld
    assert (label, current) == (Enterprise._meta.get_field("mrcs_served").verbose_name, "Québec")
    assert set(incoming.split(", ")) == {"Bellechasse", "Lévis", "Québec"}  # names, not ids


def test_mrcs_a_curator_chose_wait_for_review_and_the_networks_are_added_once_accepted():
    header = "No membre,Nom,Région,MRC desservies\n"
    run(header + "1,Coop du Quai,03,Lévis\n")
    coop = Enterprise.objects.get()
    coop.record_curator_edit(["mrcs_served"])
    coop.save()

    run(header + "1,Coop du Quai,03,Lévis; Bellechasse\n")

    assert served(coop) == {"Lévis"}
    item = ImportReviewItem.objects.get(kind=ImportReviewItem.Kind.CURATED_FIELD)
    item.accept_incoming_value()
    assert served(coop) == {"Lévis", "Bellechasse"}


def test_staff_keep_a_value_map_for_the_mrcs_served_when_they_edit_the_import_profile(
    staff_client
):
    profile = ImportProfile.objects.create(
        network=Network.objects.get(slug="cesim"),
        value_maps={"mrcs_served": {"Grand Québec": "Québec"}},
    )
    url = reverse("admin:enterprises_importprofile_change", args=[profile.pk])

    response = staff_client.post(url, {
        "network": profile.network_id, "record_id_column": "", "column_map": "{}",
        "value_maps": json.dumps({"mrcs_served": {"Grand Québec": "Québec", "Rive-Sud": "251"}}),
        "missing_values": "[]", "constant_values": "{}", "sheet_name": "",
        "list_separators": profile.list_separators,
    })

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.value_maps["mrcs_served"]["Rive-Sud"] == "251"
