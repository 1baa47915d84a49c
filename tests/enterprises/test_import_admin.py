"""The admin flow: upload → columns → preview → confirm, the run page, the review queue."""

import html
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from enterprises.imports import pipeline
from enterprises.models import (
    Category,
    Enterprise,
    EnterpriseSource,
    ImportProfile,
    ImportReviewItem,
    ImportRun,
    Network,
)
from tests.factories import EnterpriseFactory, UserFactory, region

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


def upload(client, file_name, network="cesim", content=None):
    data = content if content is not None else (SAMPLES / file_name).read_bytes()
    return client.post(reverse("admin:enterprises_importrun_upload"), {
        "network": Network.objects.get(slug=network).pk,
        "file": SimpleUploadedFile(file_name, data),
    })


def confirm_columns(client, run, **choices):
    page = client.get(reverse("admin:enterprises_importrun_columns", args=[run.pk]))
    form = page.context["form"]
    data = {name: form[name].initial for name in form.fields}
    data.update(choices)
    return client.post(reverse("admin:enterprises_importrun_columns", args=[run.pk]), data)


@pytest.mark.django_db
def test_staff_previews_then_confirms_an_import(staff_client):
    response = upload(staff_client, "cesim.csv")
    preview = ImportRun.objects.get()
    assert response.url == reverse("admin:enterprises_importrun_columns", args=[preview.pk])

    response = confirm_columns(staff_client, preview)

    assert response.url == reverse("admin:enterprises_importrun_change", args=[preview.pk])
    page = staff_client.get(response.url)
    assert "Santropol Roulant" in page.content.decode()
    assert not Enterprise.objects.exists()

    response = staff_client.post(reverse("admin:enterprises_importrun_apply", args=[preview.pk]))

    applied = ImportRun.objects.get(dry_run=False)
    assert response.url == reverse("admin:enterprises_importrun_change", args=[applied.pk])
    assert (applied.created_count, applied.created_by.username) == (3, "curator")
    assert Enterprise.objects.count() == 3


@pytest.mark.django_db
def test_columns_chosen_by_staff_are_remembered_in_the_profile(staff_client):
    content = "Organisme,Lieu,Région,Type\nCoop Nord,Québec,03,Coopérative\n".encode()
    upload(staff_client, "export.csv", content=content)
    run = ImportRun.objects.get()

    confirm_columns(staff_client, run, column_0="name", column_1="city", column_3="legal_form")

    profile = ImportProfile.objects.get(network__slug="cesim")
    assert profile.column_map["Organisme"] == "name"
    assert Enterprise.objects.count() == 0
    assert ImportRun.objects.get().created_count == 1


@pytest.mark.django_db
def test_unknown_values_are_mapped_from_the_run_page(staff_client):
    upload(staff_client, "cqea.json", network="cqea")
    confirm_columns(staff_client, ImportRun.objects.get())
    run = ImportRun.objects.get()

    response = staff_client.post(reverse("admin:enterprises_importrun_values", args=[run.pk]),
                                 {"value_0": "fabrication"})

    profile = ImportProfile.objects.get(network__slug="cqea")
    assert profile.value_maps == {"sectors": {"Emballage à façon": "fabrication"}}
    assert profile.unknown_values == {}
    again = ImportRun.objects.latest("pk")
    assert response.url == reverse("admin:enterprises_importrun_change", args=[again.pk])
    assert "Emballage" not in again.error_report


@pytest.mark.django_db
def test_upload_over_the_size_limit_is_refused_with_a_clear_message(staff_client, settings):
    settings.MAX_UPLOAD_BYTES = 100

    with translation.override("en"):
        response = upload(staff_client, "cesim.csv")

    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_large_file_runs_in_the_background_and_the_page_shows_progress(staff_client, settings):
    settings.IMPORT_BACKGROUND_BYTES = 10
    upload(staff_client, "cesim.csv")
    run = ImportRun.objects.get()

    confirm_columns(staff_client, run)

    run.refresh_from_db()
    assert run.state == ImportRun.State.PENDING
    page = staff_client.get(reverse("admin:enterprises_importrun_change", args=[run.pk]))
    assert 'http-equiv="refresh"' in page.content.decode()


@pytest.mark.django_db
def test_background_worker_runs_the_queued_import(staff_client, settings):
    settings.IMPORT_BACKGROUND_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    upload(staff_client, "cesim.csv")
    preview = ImportRun.objects.get()
    confirm_columns(staff_client, preview)

    staff_client.post(reverse("admin:enterprises_importrun_apply", args=[preview.pk]))

    assert ImportRun.objects.get(dry_run=False).state == ImportRun.State.DONE
    assert Enterprise.objects.count() == 3


@pytest.mark.django_db
def test_error_report_is_downloadable(staff_client):
    content = "Nom,Région,Forme juridique,Code postal\nCoop,03,Coopérative,ZZZ\n".encode()
    upload(staff_client, "export.csv", content=content)
    run = ImportRun.objects.get()
    confirm_columns(staff_client, run)

    response = staff_client.get(reverse("admin:enterprises_importrun_report", args=[run.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert "Code postal,ZZZ,warning" in response.content.decode()


def admin_form_data(page):
    """The change form's current values, inline management forms included, as a browser
    would post them back."""
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{inline.formset.prefix}-{name}"] = management[name].value()
    return data


@pytest.mark.django_db
def test_phone_edited_in_the_admin_survives_a_reimport(staff_client):
    enterprise = EnterpriseFactory(name="Coop Sud", postal_code="G1R 1P4", region=region("03"),
                                   phone="")
    url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
    data = admin_form_data(staff_client.get(url))
    data["phone"] = "418 555-1111"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    content = "Nom,Code postal,Téléphone,Ville\nCoop Sud,G1R 1P4,418 555-2222,Québec\n"
    upload(staff_client, "export.csv", content=content.encode())
    confirm_columns(staff_client, ImportRun.objects.get())

    staff_client.post(reverse("admin:enterprises_importrun_apply",
                              args=[ImportRun.objects.get().pk]))

    enterprise.refresh_from_db()
    assert enterprise.phone == "+1 418-555-1111"
    assert enterprise.city == "Québec"
    assert ImportReviewItem.objects.get().incoming_value == "+1 418-555-2222"


@pytest.mark.django_db
def test_curator_settles_an_ambiguous_match_by_choosing_the_enterprise(staff_client):
    twins = [EnterpriseFactory(name="Coop Jumelle", postal_code="G1R 1P4") for _ in range(2)]
    item = ImportReviewItem.objects.create(
        run=ImportRun.objects.create(network=Network.objects.get(slug="cesim"),
                                     file_name="x.csv"),
        kind=ImportReviewItem.Kind.AMBIGUOUS_MATCH, external_id="M-9", record={"Nom": "x"},
    )
    item.candidates.set(twins)
    url = reverse("admin:enterprises_importreviewitem_change", args=[item.pk])

    staff_client.post(url, {"enterprise": twins[1].pk})

    item.refresh_from_db()
    assert item.state == ImportReviewItem.State.RESOLVED
    assert EnterpriseSource.objects.get(external_id="M-9").enterprise == twins[1]


@pytest.mark.django_db
def test_staff_takes_the_networks_value_from_the_review_queue(staff_client):
    enterprise = EnterpriseFactory(phone="+1 418-555-1111")
    item = ImportReviewItem.objects.create(
        run=ImportRun.objects.create(network=Network.objects.get(slug="cesim"),
                                     file_name="x.csv"),
        kind=ImportReviewItem.Kind.CURATED_FIELD, enterprise=enterprise, field="phone",
        current_value="+1 418-555-1111", incoming_value="+1 418-555-2222",
    )

    staff_client.post(reverse("admin:enterprises_importreviewitem_changelist"), {
        "action": "accept_incoming_values", "_selected_action": [item.pk],
    })

    enterprise.refresh_from_db()
    assert enterprise.phone == "+1 418-555-2222"


@pytest.mark.django_db
def test_run_list_and_review_queue_pages_load(staff_client):
    pipeline.run_import(
        ImportRun(network=Network.objects.get(slug="cesim"), file_name="cesim.csv",
                  dry_run=False),
        (SAMPLES / "cesim.csv").open("rb"),
    )
    for name in ("importrun", "importreviewitem", "importprofile"):
        response = staff_client.get(reverse(f"admin:enterprises_{name}_changelist"))
        assert response.status_code == 200


@pytest.mark.django_db
def test_staff_without_the_import_permission_cannot_upload(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_importrun"))
    client.force_login(viewer)

    assert client.get(reverse("admin:enterprises_importrun_changelist")).status_code == 200
    assert client.get(reverse("admin:enterprises_importrun_upload")).status_code == 403


@pytest.mark.django_db
def test_add_button_leads_to_the_upload_step(staff_client):
    response = staff_client.get(reverse("admin:enterprises_importrun_add"))

    assert response.url == reverse("admin:enterprises_importrun_upload")


@pytest.mark.django_db
def test_script_in_a_file_is_shown_escaped_in_the_preview(staff_client):
    content = "Nom,Région,Forme juridique\n<script>alert(1)</script>,03,OBNL\n".encode()
    upload(staff_client, "export.csv", content=content)
    run = ImportRun.objects.get()
    confirm_columns(staff_client, run)

    page = staff_client.get(reverse("admin:enterprises_importrun_change", args=[run.pk]))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert(1)" not in page.content.decode()


def profile_form_data(profile, **changes):
    data = {
        "network": profile.network_id, "record_id_column": profile.record_id_column,
        "column_map": json.dumps(profile.column_map), "value_maps": json.dumps(profile.value_maps),
        "missing_values": json.dumps(profile.missing_values), "sheet_name": "",
        "complete_exports": "on", "constant_values": json.dumps(profile.constant_values),
        "list_separators": profile.list_separators,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_profile_json_is_checked_key_by_key_with_a_clear_message(staff_client):
    profile, _created = ImportProfile.objects.get_or_create(
        network=Network.objects.get(slug="cesim")
    )
    url = reverse("admin:enterprises_importprofile_change", args=[profile.pk])

    response = staff_client.post(url, profile_form_data(
        profile,
        column_map=json.dumps({"Raison sociale": "name", "Téléphone": "telephone"}),
        value_maps=json.dumps({"sectors": {"Alimentation": "no-such-sector"},
                               "city": {"Mtl": "Montréal"}}),
    ))

    # French typography puts no-break spaces inside « » and before colons.
    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 200
    assert "« Téléphone » : « telephone » ne fait pas partie des champs énumérés" in page
    assert "« Alimentation » → « no-such-sector » ne correspond à aucun" in page
    assert "« city » n'a pas de liste de valeurs" in page
    profile.refresh_from_db()
    assert profile.column_map == {}


@pytest.mark.django_db
def test_profile_page_offers_a_choice_per_column_of_the_last_file(staff_client):
    upload(staff_client, "cesim.csv")
    profile, _created = ImportProfile.objects.get_or_create(
        network=Network.objects.get(slug="cesim")
    )
    profile.unknown_values = {"sectors": ["Emballage à façon"]}
    profile.save()
    url = reverse("admin:enterprises_importprofile_change", args=[profile.pk])

    page = staff_client.get(url)
    form = page.context["adminform"].form
    columns = {form[name].label: name for name in form.fields if name.startswith("column_")}
    data = profile_form_data(profile, **{name: form[name].initial for name in columns.values()})
    data[columns["Téléphone"]] = "-"
    staff_client.post(url, data)

    assert "Emballage à façon" in page.content.decode()
    assert "<code>neq</code>" in page.content.decode()
    profile.refresh_from_db()
    assert profile.column_map["Téléphone"] == "-"
    assert profile.column_map["Nom"] == "name"


@pytest.mark.django_db
def test_profile_constant_values_are_checked_with_a_clear_message(staff_client):
    profile = ImportProfile.objects.create(network=Network.objects.get(slug="cesim"))
    url = reverse("admin:enterprises_importprofile_change", args=[profile.pk])

    refused = staff_client.post(url, profile_form_data(
        profile, constant_values=json.dumps({"forme": "cooperative", "region": "99",
                                             "postal_code": "G8Y5GY"}),
    ))
    accepted = staff_client.post(url, profile_form_data(
        profile, constant_values=json.dumps({"legal_form": "Coopérative", "region": "04"}),
    ))

    page = html.unescape(refused.content.decode()).replace("\xa0", " ")
    assert "« forme » n'est pas un des champs énumérés plus bas" in page
    assert "« region » : « 99 » : Valeur inconnue" in page
    assert "« postal_code » : « G8Y5GY » :" in page
    assert accepted.status_code == 302
    profile.refresh_from_db()
    assert profile.constant_values == {"legal_form": "Coopérative", "region": "04"}


def import_file(client, content):
    upload(client, "export.csv", content=content.encode())
    run = ImportRun.objects.latest("pk")
    confirm_columns(client, run)
    return run


@pytest.mark.django_db
def test_preview_shows_counts_first_then_every_change_fifty_a_page(
    staff_client, django_assert_max_num_queries
):
    rows = "".join(f"Coop {n},03,Coopérative,G1R 1P4\n" for n in range(110))
    run = import_file(staff_client, "Nom,Région,Forme juridique,Code postal\n" + rows
                      + "Coop X,03,Coopérative,G8Y5GY\n")
    url = reverse("admin:enterprises_importrun_change", args=[run.pk])

    with django_assert_max_num_queries(15):
        first = staff_client.get(url)
    last = staff_client.get(url, {"page": 3})
    warned = staff_client.get(url, {"kind": "invalid_value"})

    page = first.content.decode()
    assert page.index("Valeur laissée de côté") < page.index("Coop 0")
    assert [line.change.name for line in first.context["changes"].lines][:2] == [
        "Coop 0", "Coop 1"]
    assert len(first.context["changes"].lines) == 50
    assert [line.change.name for line in last.context["changes"].lines][-1] == "Coop X"
    assert [line.change.name for line in warned.context["changes"].lines] == ["Coop X"]


@pytest.mark.django_db
def test_preview_names_fields_and_categories_in_the_pages_language(staff_client):
    category = Category.objects.get(slug="traiteur")
    run = import_file(staff_client, "Nom,Région,Produits et services\n"
                                    f"Coop Traiteur,03,{category.name}\n")
    url = reverse("admin:enterprises_importrun_change", args=[run.pk])
    with translation.override("en"):
        english_url = reverse("admin:enterprises_importrun_change", args=[run.pk])
        english_name = category.localized_name

    french = html.unescape(staff_client.get(url).content.decode())
    english = html.unescape(staff_client.get(english_url).content.decode())

    assert f"Produits et services\u00a0: {category.name}" in french
    assert "Région\u00a0: 03 Capitale-Nationale" in french
    assert f"Products and services: {english_name}" in english
    assert "Region: 03 Capitale-Nationale" in english


@pytest.mark.django_db
def test_applied_import_page_shows_the_values_of_the_enterprises_it_created(staff_client):
    category = Category.objects.get(slug="traiteur")
    preview = import_file(staff_client, "Nom,Région,Produits et services\n"
                                        f"Coop Traiteur,03,{category.name}\n")
    staff_client.post(reverse("admin:enterprises_importrun_apply", args=[preview.pk]))
    applied = ImportRun.objects.get(dry_run=False)

    page = staff_client.get(reverse("admin:enterprises_importrun_change", args=[applied.pk]))

    text = html.unescape(page.content.decode())
    assert f"Produits et services\u00a0: {category.name}" in text
    assert "Région\u00a0: 03 Capitale-Nationale" in text


def test_the_columns_step_of_a_run_whose_file_is_gone_asks_for_the_file_again(staff_client):
    from tests.factories import ImportRunFactory

    run = ImportRunFactory(state=ImportRun.State.PENDING, dry_run=True)
    with translation.override("en"):
        columns = reverse("admin:enterprises_importrun_columns", args=[run.pk])
        upload_page = reverse("admin:enterprises_importrun_upload")
    page = staff_client.get(columns, follow=True)

    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == upload_page
    assert "The file of this import is no longer kept" in page.content.decode()
