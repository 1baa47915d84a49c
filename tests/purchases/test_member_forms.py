"""The purchase form reads amounts in the page's language and asks before saving one that looks
like a slip; the dashboard and the sign-in page say what is true."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from enterprises.models import Category
from purchases.models import Membership, Purchase
from tests.factories import MembershipFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributor(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


def purchase_data(**overrides):
    return {
        "supplier": "Traiteur du quartier",
        "enterprise": "",
        "category": Category.objects.get(slug="traiteur").pk,
        "description": "",
        "amount": "12 500,50",
        "award_date": timezone.localdate().isoformat(),
        "procurement_method": Purchase.ProcurementMethod.DIRECT,
        **overrides,
    }


def create_url(language="fr"):
    with translation.override(language):
        return reverse("purchases:purchase_create")


def test_a_french_amount_with_a_comma_is_saved_as_typed(client, contributor):
    client.post(create_url(), purchase_data(amount="12500,50"))
    assert Purchase.objects.get().amount == Decimal("12500.50")


def test_an_english_amount_with_thousands_commas_is_saved_as_typed(client, contributor):
    client.post(create_url("en"), purchase_data(amount="$12,500.50"))
    assert Purchase.objects.get().amount == Decimal("12500.50")


def test_an_ambiguous_amount_is_refused_with_both_readings(client, contributor):
    response = client.post(create_url(), purchase_data(amount="12,500"))
    assert not Purchase.objects.exists()
    assert "«\u00a012,500\u00a0» peut se lire comme 12\u00a0500,00 ou comme 12,50" in response.text


def test_the_amount_is_a_text_box_with_a_decimal_keypad(client, contributor):
    page = client.get(create_url()).text
    assert 'name="amount"' in page and 'inputmode="decimal"' in page
    assert 'type="number"' not in page.split('name="amount"')[0].rsplit("<input", 1)[1]


def test_an_amount_in_the_largest_bracket_is_saved_only_once_confirmed(client, contributor):
    response = client.post(create_url(), purchase_data(amount="1250050"))
    assert not Purchase.objects.exists()
    assert "1\u00a0250\u00a0050\u00a0$" in response.text
    assert "«\u00a0Assujetti aux accords de libéralisation des marchés\u00a0»" in response.text
    assert 'name="confirm_amount" value="1250050"' in response.text

    client.post(create_url(), purchase_data(amount="1250050", confirm_amount="1250050"))
    assert Purchase.objects.get().amount == Decimal("1250050")


def test_confirming_one_amount_does_not_confirm_another(client, contributor):
    client.post(create_url(), purchase_data(amount="2500000", confirm_amount="1250050"))
    assert not Purchase.objects.exists()


def test_an_amount_far_above_the_usual_purchase_asks_for_confirmation(client, contributor):
    for amount in ("900", "1000", "1100", "1000", "950"):
        PurchaseFactory(organization=contributor.organization, amount=Decimal(amount))
    response = client.post(create_url("en"), purchase_data(amount="25,000"))
    assert Purchase.objects.count() == 5
    assert ("more than 20 times your organization's usual purchase ($1,000)"
            in html.unescape(response.text))
    assert "Yes, $25,000 is the right amount." in response.text


def test_a_usual_amount_needs_no_confirmation(client, contributor):
    for amount in ("900", "1000", "1100", "1000", "950"):
        PurchaseFactory(organization=contributor.organization, amount=Decimal(amount))
    client.post(create_url(), purchase_data(amount="19 000"))
    assert Purchase.objects.count() == 6


def test_a_target_passed_shows_the_real_percentage_with_a_full_bar(client):
    membership = MembershipFactory(role=Membership.Role.MANAGER)
    organization = membership.organization
    organization.yearly_target = Decimal("10000")
    organization.save()
    PurchaseFactory(organization=organization, amount=Decimal("15200"),
                    status=Purchase.Status.VALIDATED, award_date=timezone.localdate())
    client.force_login(membership.user)
    page = client.get(reverse("purchases:dashboard")).text
    assert "atteinte à 152\u00a0%" in page
    assert '<progress max="100" value="100"' in page
    with translation.override("en"):
        english = client.get(reverse("purchases:dashboard")).text
    assert "152% of the target of $10,000 reached." in english


def test_the_target_form_reads_a_french_amount(client):
    membership = MembershipFactory(role=Membership.Role.MANAGER)
    client.force_login(membership.user)
    client.post(reverse("purchases:target"), {"yearly_target": "250 000,00 $"})
    membership.organization.refresh_from_db()
    assert membership.organization.yearly_target == Decimal("250000")


@pytest.mark.parametrize(("language", "label"), [("fr", "Courriel"), ("en", "Email")])
def test_the_sign_in_form_asks_for_the_email_address(client, language, label):
    with translation.override(language):
        page = client.get(reverse("purchases:login")).text
    assert re.search(f">{label}\\s?:?</label>", page)
    assert 'inputmode="email"' in page and 'autocomplete="email"' in page
    assert "utilisateur" not in page and "Username" not in page


def test_a_member_signs_in_with_the_email_address(client):
    get_user_model().objects.create_user("membre@example.org", "membre@example.org", "pw-1234-xyz")
    response = client.post(
        reverse("purchases:login"), {"username": "membre@example.org", "password": "pw-1234-xyz"}
    )
    assert response.status_code == 302


def test_the_sort_options_are_in_the_pages_language_both_ways(client, contributor):
    with translation.override("fr"):
        client.get(reverse("purchases:purchase_list"))  # words anything built once, in French
    with translation.override("en"):
        english = html.unescape(client.get(reverse("purchases:purchase_list")).text)
    options = re.findall(r'<option value="-?(?:date|amount|status)"[^>]*>([^<]+)</option>', english)
    assert options == [
        "Award date, oldest first", "Award date, newest first", "Amount, smallest first",
        "Amount, largest first", "Status, draft first", "Status, validated first",
    ]


def test_an_account_without_a_membership_lands_on_the_home_page_not_a_refusal(client):
    get_user_model().objects.create_user("acheteur@example.org", "acheteur@example.org", "pw-1234")
    response = client.post(
        reverse("purchases:login"), {"username": "acheteur@example.org", "password": "pw-1234"}
    )
    assert response.url == reverse("enterprises:home")


def test_a_member_lands_on_the_dashboard_or_where_the_link_pointed(client):
    membership = MembershipFactory()
    membership.user.set_password("pw-1234")
    membership.user.save()
    credentials = {"username": membership.user.username, "password": "pw-1234"}
    assert client.post(reverse("purchases:login"), credentials).url == reverse(
        "purchases:dashboard")
    client.logout()
    target = reverse("purchases:purchase_list")
    assert client.post(f"{reverse('purchases:login')}?next={target}", credentials).url == target
