"""Merging two entries of one enterprise: nothing pointing at the duplicate is lost, and its
old address leads to the survivor."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from enterprises.merge import merge_enterprises
from enterprises.models import (
    Category,
    Enterprise,
    EnterpriseRedirect,
    EnterpriseSource,
    ImportReviewItem,
)
from purchases.models import Purchase
from tests.factories import (
    EnterpriseFactory,
    EnterpriseLabelFactory,
    EnterpriseSourceFactory,
    ImportReviewItemFactory,
    NetworkFactory,
    PurchaseFactory,
    RegistrationFactory,
    SectorFactory,
    UserFactory,
    VideoCapsuleFactory,
    region,
)

pytestmark = pytest.mark.django_db


def pair():
    survivor = EnterpriseFactory(
        name="CPE Les Soleils de Mékinac", slug="cpe-les-soleils-de-mekinac", neq="",
        phone="+1 819-555-0101", city="Saint-Tite",
    )
    duplicate = EnterpriseFactory(
        name="C.P.E. LES SOLEILS DE MÉKINAC", slug="c-p-e-les-soleils", neq="1140000002",
        phone="+1 819-555-9999", email="info@soleils.example.org", city="ST-TITE (QUÉBEC)",
    )
    return survivor, duplicate


def test_merge_moves_purchases_registrations_and_capsules_to_the_survivor():
    survivor, duplicate = pair()
    purchases = PurchaseFactory.create_batch(2, enterprise=duplicate)
    registration = RegistrationFactory(enterprise=duplicate)
    capsule = VideoCapsuleFactory()
    capsule.enterprises.add(duplicate)

    merge_enterprises(survivor, duplicate, user=UserFactory(username="curatrice"))

    assert set(Purchase.objects.filter(enterprise=survivor)) == set(purchases)
    assert purchases[0].history.latest().history_user.username == "curatrice"
    registration.refresh_from_db()
    assert registration.enterprise == survivor
    assert list(capsule.enterprises.all()) == [survivor]
    assert not Enterprise.objects.filter(pk=duplicate.pk).exists()


def test_merge_keeps_the_survivors_values_and_fills_its_empty_ones():
    survivor, duplicate = pair()

    merge_enterprises(survivor, duplicate)

    survivor.refresh_from_db()
    assert survivor.name == "CPE Les Soleils de Mékinac"
    assert survivor.phone == "+1 819-555-0101"
    assert survivor.neq == "1140000002"
    assert survivor.email == "info@soleils.example.org"


def test_merge_unites_links_and_keeps_one_award_per_label():
    survivor, duplicate = pair()
    shared, other = SectorFactory(), SectorFactory()
    survivor.sectors.add(shared)
    duplicate.sectors.add(shared, other)
    traiteur = Category.objects.get(slug="traiteur")
    duplicate.categories.add(traiteur)
    duplicate.service_area.add(region("04"))
    award = EnterpriseLabelFactory(enterprise=survivor, issuer="")
    EnterpriseLabelFactory(enterprise=duplicate, label=award.label, issuer="Le CEIQ")
    moved = EnterpriseLabelFactory(enterprise=duplicate)

    merge_enterprises(survivor, duplicate)

    assert set(survivor.sectors.all()) == {shared, other}
    assert list(survivor.categories.all()) == [traiteur]
    assert list(survivor.service_area.all()) == [region("04")]
    awards = {award.label: award.issuer for award in survivor.label_awards.all()}
    assert awards == {award.label: "Le CEIQ", moved.label: moved.issuer}


def test_merge_keeps_one_source_per_network_the_one_seen_last():
    survivor, duplicate = pair()
    network, register = NetworkFactory(), NetworkFactory()
    now = timezone.now()
    EnterpriseSourceFactory(enterprise=survivor, network=network, external_id="OLD",
                            first_seen_at=now - timedelta(days=9),
                            last_seen_at=now - timedelta(days=9))
    EnterpriseSourceFactory(enterprise=duplicate, network=network, external_id="NEW",
                            first_seen_at=now, last_seen_at=now)
    EnterpriseSourceFactory(enterprise=duplicate, network=register, external_id="1140000002")

    merge_enterprises(survivor, duplicate)

    kept = EnterpriseSource.objects.filter(enterprise=survivor)
    assert sorted(kept.values_list("external_id", flat=True)) == ["1140000002", "NEW"]
    assert f"{network}: OLD" in survivor.history.latest().history_change_reason


def test_merge_keeps_the_survivors_source_when_its_network_sent_it_last():
    survivor, duplicate = pair()
    network = NetworkFactory()
    now = timezone.now()
    EnterpriseSourceFactory(enterprise=survivor, network=network, external_id="MINE",
                            first_seen_at=now, last_seen_at=now)
    EnterpriseSourceFactory(enterprise=duplicate, network=network, external_id="THEIRS",
                            first_seen_at=now - timedelta(days=2),
                            last_seen_at=now - timedelta(days=2))

    merge_enterprises(survivor, duplicate)

    assert list(EnterpriseSource.objects.values_list("external_id", flat=True)) == ["MINE"]


def test_merge_is_recorded_in_the_survivors_history_with_who_merged():
    survivor, duplicate = pair()
    curator = UserFactory(username="curatrice")

    merge_enterprises(survivor, duplicate, user=curator)

    record = survivor.history.latest()
    assert record.history_user == curator
    assert "C.P.E. LES SOLEILS DE MÉKINAC" in record.history_change_reason
    assert Enterprise.history.filter(id=duplicate.pk, history_type="-").exists()


def test_a_long_name_is_cut_in_the_history_note_rather_than_refused():
    """The history's reason column holds 100 characters; PostgreSQL refuses more."""
    survivor = EnterpriseFactory(name="Coopérative de solidarité " + "très " * 40 + "longue")
    duplicate = EnterpriseFactory(name=survivor.name.upper())

    merge_enterprises(survivor, duplicate)

    reason = survivor.history.latest().history_change_reason
    assert len(reason) == 100
    assert reason.startswith("COOPÉRATIVE DE SOLIDARITÉ TRÈS")
    assert reason.endswith("…")


def test_merged_enterprise_address_answers_a_permanent_redirect_to_the_survivor(client):
    survivor, duplicate = pair()
    older = EnterpriseRedirect.objects.create(old_slug="soleils-2019", enterprise=duplicate)

    merge_enterprises(survivor, duplicate)

    for slug in ("c-p-e-les-soleils", older.old_slug):
        response = client.get(reverse("enterprises:detail", kwargs={"slug": slug}))
        assert response.status_code == 301
        assert response["Location"] == survivor.get_absolute_url()
    unknown = reverse("enterprises:detail", kwargs={"slug": "nulle-part"})
    assert client.get(unknown).status_code == 404


def test_the_english_page_of_a_merged_enterprise_redirects_to_the_english_survivor(client):
    survivor, duplicate = pair()

    merge_enterprises(survivor, duplicate)

    with translation.override("en"):
        old, new = (reverse("enterprises:detail", kwargs={"slug": slug})
                    for slug in ("c-p-e-les-soleils", survivor.slug))
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)
    assert new.startswith("/en/")


def test_an_enterprise_cannot_be_merged_into_itself():
    survivor, _duplicate = pair()

    with pytest.raises(ValidationError, match="elle-même"):
        merge_enterprises(survivor, survivor)


def duplicate_item(survivor, duplicate):
    item = ImportReviewItemFactory(kind=ImportReviewItem.Kind.POSSIBLE_DUPLICATE,
                                   enterprise=duplicate, field="", current_value=None,
                                   incoming_value=None)
    item.candidates.add(survivor)
    return item


def test_a_possible_duplicate_shows_a_merge_button_that_merges_in_one_click(staff_client):
    survivor, duplicate = pair()
    PurchaseFactory(enterprise=duplicate)
    item = duplicate_item(survivor, duplicate)
    page = staff_client.get(reverse("admin:enterprises_importreviewitem_change", args=[item.pk]))
    merge_url = reverse("admin:enterprises_importreviewitem_merge", args=[item.pk])
    assert f'formaction="{merge_url}"' in page.content.decode()

    response = staff_client.post(merge_url, {"survivor": survivor.pk})

    assert response.status_code == 302
    assert response.url == reverse("admin:enterprises_enterprise_change", args=[survivor.pk])
    assert not Enterprise.objects.filter(pk=duplicate.pk).exists()
    assert Purchase.objects.get().enterprise == survivor
    item.refresh_from_db()
    assert (item.state, item.enterprise) == (ImportReviewItem.State.RESOLVED, survivor)


def test_the_merge_button_only_answers_a_post(staff_client):
    survivor, duplicate = pair()
    item = duplicate_item(survivor, duplicate)

    response = staff_client.get(
        reverse("admin:enterprises_importreviewitem_merge", args=[item.pk]),
        {"survivor": survivor.pk},
    )

    assert response.status_code == 405
    assert Enterprise.objects.filter(pk=duplicate.pk).exists()


def test_a_curator_who_may_not_delete_enterprises_cannot_merge(client):
    survivor, duplicate = pair()
    item = duplicate_item(survivor, duplicate)
    curator = UserFactory(username="stagiaire", is_staff=True)
    curator.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_importreviewitem", "change_importreviewitem", "change_enterprise",
    ]))
    client.force_login(curator)

    response = client.post(reverse("admin:enterprises_importreviewitem_merge", args=[item.pk]),
                           {"survivor": survivor.pk})

    assert response.status_code == 403
    assert Enterprise.objects.filter(pk=duplicate.pk).exists()


def test_merging_into_an_enterprise_the_item_did_not_name_is_refused(staff_client):
    survivor, duplicate = pair()
    item = duplicate_item(survivor, duplicate)
    stranger = EnterpriseFactory(name="Théâtre du Quai")

    response = staff_client.post(
        reverse("admin:enterprises_importreviewitem_merge", args=[item.pk]),
        {"survivor": stranger.pk}, follow=True,
    )

    assert "Choisissez une des correspondances possibles" in response.content.decode()
    assert Enterprise.objects.filter(pk=duplicate.pk).exists()


def test_not_a_duplicate_resolves_the_item_and_keeps_both(staff_client):
    survivor, duplicate = pair()
    item = duplicate_item(survivor, duplicate)

    staff_client.post(reverse("admin:enterprises_importreviewitem_not_duplicate",
                              args=[item.pk]))

    item.refresh_from_db()
    assert item.state == ImportReviewItem.State.RESOLVED
    assert Enterprise.objects.filter(pk__in=[survivor.pk, duplicate.pk]).count() == 2


def test_merging_needs_exactly_two_selected_enterprises(staff_client):
    survivor, duplicate = pair()
    third = EnterpriseFactory(name="Théâtre du Quai")

    response = staff_client.post(reverse("admin:enterprises_enterprise_changelist"), {
        "action": "merge_selected",
        "_selected_action": [survivor.pk, duplicate.pk, third.pk],
    }, follow=True)

    assert "Sélectionnez exactement deux entreprises à fusionner." in response.content.decode()
    assert Enterprise.objects.count() == 3


def test_merging_two_selected_enterprises_asks_which_one_stays(staff_client):
    survivor, duplicate = pair()
    changelist = reverse("admin:enterprises_enterprise_changelist")
    selection = {"action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk]}

    page = staff_client.post(changelist, selection)
    assert "Fusionner deux entreprises" in page.content.decode()
    assert Enterprise.objects.count() == 2

    response = staff_client.post(changelist, {**selection, "survivor": survivor.pk})

    assert response.status_code == 302
    assert list(Enterprise.objects.all()) == [survivor]
