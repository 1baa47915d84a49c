"""seed_demo: the real demo set, and synthetic data that is deterministic and consistent."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import translation

from enterprises.models import Category, Enterprise, EnterpriseLabel, EnterpriseSource, Region
from enterprises.search import search
from enterprises.validators import neq_passes_checksum, normalize_neq
from purchases.demo import DEMO_PASSWORD, load_real_demo_set
from purchases.demo.synthetic import EnterpriseGenerator, MemberGenerator, Reference
from purchases.demo.vocabulary import TRADES
from purchases.models import (
    ContractSizeThreshold,
    MemberOrganization,
    Membership,
    Purchase,
    PurchaseSummary,
)

pytestmark = pytest.mark.django_db


def table_counts():
    models = [
        MemberOrganization, Enterprise, Purchase, EnterpriseSource, EnterpriseLabel,
        Enterprise.categories.through, Enterprise.sectors.through,
        Enterprise.service_area.through,
    ]
    return {model.__name__: model.objects.count() for model in models}


def seed_demo(*args, **options):
    stdout = StringIO()
    call_command("seed_demo", *args, stdout=stdout, stderr=StringIO(), **options)
    return stdout.getvalue()


SMALL = {"enterprises": 40, "members": 15, "purchases": 300}
REAL_ENTERPRISES = [
    "dose-culture", "groupe-taq", "carrefour-environnement-saguenay", "resto-plateau",
    "la-cantine-pour-tous", "robin-des-bois", "santropol-roulant",
]


def test_loading_the_real_demo_set_twice_gives_identical_counts():
    first = load_real_demo_set()
    counts = table_counts()
    second = load_real_demo_set()

    assert table_counts() == counts
    assert first == {"members": 9, "enterprises": 7, "purchases": 14}
    assert second == {"members": 0, "enterprises": 0, "purchases": 0}


def test_the_real_demo_enterprises_are_in_their_official_municipality():
    load_real_demo_set()

    places = dict(Enterprise.objects.values_list("slug", "municipality__name"))
    assert places["dose-culture"] == "Longueuil"
    assert places["carrefour-environnement-saguenay"] == "Saguenay"
    assert Enterprise.objects.get(slug="groupe-taq").mrc.code == "251"


def test_desjardins_bought_from_carrefour_environnement_saguenay_and_groupe_taq():
    load_real_demo_set()

    purchases = Purchase.objects.published().filter(organization__name="Mouvement Desjardins")
    suppliers = {purchase.enterprise.name: purchase for purchase in purchases}
    assert {"Carrefour Environnement Saguenay", "Groupe TAQ"} <= set(suppliers)
    assert suppliers["Carrefour Environnement Saguenay"].category.slug == (
        "recuperation-informatique"
    )
    assert suppliers["Groupe TAQ"].category.slug == "insertion-mecanique"
    assert suppliers["Groupe TAQ"].delivery_region.name == "Chaudière-Appalaches"


def test_dose_culture_is_in_the_region_of_the_ville_de_longueuil_which_bought_from_it():
    load_real_demo_set()

    dose_culture = Enterprise.objects.get(name="Dose Culture")
    longueuil = MemberOrganization.objects.get(name="Ville de Longueuil")
    assert dose_culture.region == longueuil.region == Region.objects.get(name="Montérégie")
    assert dose_culture.purchases.filter(organization=longueuil).exists()


def test_real_enterprises_are_published_with_their_labels_and_sources_but_no_invented_neq():
    load_real_demo_set()

    real = Enterprise.objects.all()
    assert set(real.values_list("status", flat=True)) == {"published"}
    assert set(real.values_list("neq", flat=True)) == {""}
    taq = real.get(name="Groupe TAQ")
    assert list(taq.labels.values_list("slug", flat=True)) == ["entreprise-adaptee"]
    assert list(taq.sources.values_list("network__slug", flat=True)) == ["cqea"]
    saguenay = real.get(name="Carrefour Environnement Saguenay")
    assert saguenay.labels.filter(slug="entreprise-insertion").exists()


def test_the_real_demo_rows_pass_model_validation():
    load_real_demo_set()

    for model in (MemberOrganization, Enterprise, Purchase):
        for row in model.objects.all():
            row.full_clean()
    assert set(Purchase.objects.values_list("status", "consent_to_publish")) == {
        ("validated", True)
    }


def test_the_same_seed_generates_the_same_names_and_another_seed_others():
    reference = Reference.load()

    def names(seed):
        generator = EnterpriseGenerator(seed, reference)
        return [generator.build(index).enterprise.name for index in range(60)]

    assert names(7) == names(7)
    assert names(7) != names(8)
    assert any(character in "éèàôçÉ" for character in "".join(names(7)))


def test_seed_demo_with_the_same_seed_writes_the_same_rows_after_a_reset():
    seed_demo(seed=5, **SMALL)
    first = list(Enterprise.objects.order_by("pk").values_list("name", "region__code"))
    first_amounts = list(Purchase.objects.order_by("pk").values_list("amount", flat=True))

    seed_demo("--reset", seed=5, **SMALL)

    assert list(Enterprise.objects.order_by("pk").values_list("name", "region__code")) == first
    assert list(Purchase.objects.order_by("pk").values_list("amount", flat=True)) == first_amounts


def test_generated_neqs_are_unique_and_pass_their_check_digit():
    generator = EnterpriseGenerator(1, Reference.load())
    enterprises = [generator.build(index).enterprise for index in range(3000)]

    neqs = [enterprise.neq for enterprise in enterprises if enterprise.neq]
    assert len(neqs) > 900
    assert len(set(neqs)) == len(neqs)
    assert all(normalize_neq(neq) == neq and neq_passes_checksum(neq) for neq in neqs)
    assert not any(enterprise.neq_checksum_failed for enterprise in enterprises)


def test_generated_enterprises_are_in_the_official_municipality_of_their_city():
    generator = EnterpriseGenerator(3, Reference.load())
    enterprises = [generator.build(index).enterprise for index in range(200)]

    placed = [enterprise for enterprise in enterprises if enterprise.municipality_id]
    assert len(placed) > 180
    for enterprise in placed:
        municipality = enterprise.municipality
        assert (municipality.name, municipality.region_id, municipality.mrc_id) == (
            enterprise.city, enterprise.region.pk, enterprise.mrc_id
        )


def test_generated_enterprises_and_members_pass_model_validation():
    reference = Reference.load()
    enterprises = EnterpriseGenerator(2, reference)
    members = MemberGenerator(2, reference)

    def errors(instance):
        try:
            instance.full_clean()
        except ValidationError as error:
            return {str(instance): error.message_dict}
        return {}

    refused = {}
    for index in range(50):
        refused |= errors(enterprises.build(index).enterprise) | errors(members.build(index))

    assert refused == {}


def test_every_trade_names_existing_categories_sectors_and_labels():
    reference = Reference.load()

    for trade in TRADES:
        assert set(trade.categories) <= set(reference.categories)
        assert set(trade.sectors) <= set(reference.sectors)
        assert set(trade.labels) <= set(reference.labels)


def test_generated_purchases_are_classed_by_the_thresholds_in_force_on_their_award_date():
    seed_demo(seed=3, **SMALL)

    purchases = Purchase.objects.select_related("enterprise")
    for purchase in purchases:
        thresholds = ContractSizeThreshold.objects.in_force_on(purchase.award_date)
        assert purchase.contract_size_bracket == thresholds.bracket_for(purchase.amount)
    assert {"small", "below_public_tender"} <= set(
        purchases.values_list("contract_size_bracket", flat=True)
    )


def test_generated_purchases_name_a_category_their_supplier_offers():
    seed_demo(seed=3, **SMALL)

    generated = Purchase.objects.exclude(enterprise__slug__in=REAL_ENTERPRISES)
    offered = set(Enterprise.categories.through.objects.values_list("enterprise", "category"))
    assert generated.filter(category__isnull=False).exists()
    for enterprise_id, category_id in generated.filter(category__isnull=False).values_list(
        "enterprise", "category"
    ):
        assert (enterprise_id, category_id) in offered
    assert not Purchase.objects.filter(status="rejected", rejection_reason="").exists()


def test_the_real_enterprises_keep_only_their_curated_purchases():
    seed_demo(seed=3, **SMALL)

    assert Purchase.objects.filter(enterprise__name="Groupe TAQ").count() == 2
    assert Purchase.objects.filter(enterprise__slug__in=REAL_ENTERPRISES).count() == 14


def test_seed_demo_reaches_the_requested_totals_and_a_second_run_adds_nothing():
    with translation.override("en"):
        output = seed_demo(seed=4, **SMALL)
    counts = table_counts()

    seed_demo(seed=4, **SMALL)

    assert table_counts() == counts
    assert (counts["Enterprise"], counts["MemberOrganization"], counts["Purchase"]) == (40, 15, 300)
    assert "Generated: 33 enterprises, 6 member organizations, 286 purchases." in output


def test_the_public_repertory_summary_counts_the_generated_purchases():
    seed_demo(seed=6, **SMALL)

    summarized = PurchaseSummary.objects.filter(sector=None, category=None).aggregate(
        count=Sum("purchase_count"), total=Sum("total_amount")
    )
    published = Purchase.objects.published()
    assert summarized["count"] == published.count() > 0
    assert summarized["total"] == published.aggregate(total=Sum("amount"))["total"]


def test_generated_and_real_enterprises_can_be_found_by_the_directory_search():
    seed_demo(seed=2, **SMALL)
    generated = Enterprise.objects.published().exclude(slug__in=REAL_ENTERPRISES).first()

    for name in ("Groupe TAQ", generated.name):
        assert name in {row.name for row in search(Enterprise.objects.published(), name)}


def test_demo_logins_exist_only_when_debug_is_on(settings):
    settings.DEBUG = False
    seed_demo(enterprises=0, members=0, purchases=0)
    assert not get_user_model().objects.filter(username="membre@example.org").exists()

    settings.DEBUG = True
    output = seed_demo(enterprises=0, members=0, purchases=0)

    assert f"membre@example.org / {DEMO_PASSWORD}" in output
    member = authenticate(username="membre@example.org", password=DEMO_PASSWORD)
    manager = authenticate(username="gestionnaire@example.org", password=DEMO_PASSWORD)
    assert member.memberships.get().organization.name == "Ville de Longueuil"
    assert member.memberships.get().role == Membership.Role.CONTRIBUTOR
    assert manager.memberships.get().organization.name == "Mouvement Desjardins"
    assert manager.memberships.get().role == Membership.Role.MANAGER


def test_reset_deletes_generated_rows_but_keeps_the_reference_lists():
    seed_demo(seed=1, **SMALL)
    categories = Category.objects.count()

    seed_demo("--reset", enterprises=10, members=10, purchases=20)

    assert table_counts()["Enterprise"] == 10
    assert Purchase.objects.count() == 20
    assert Category.objects.count() == categories


def test_a_negative_total_is_refused_with_a_clear_message():
    with translation.override("en"), pytest.raises(CommandError, match="whole number of rows"):
        seed_demo("--purchases", "-5")
