"""The requests' counts (dashboard, repertory, staff statistics and supply gaps) against a
recount by hand, and the self-service buyer account."""

import html
import json
import random
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from enterprises.models import Category, Municipality
from procurement import stats
from procurement.models import BuyerProfile, QuoteInvitation, QuoteRequest
from purchases.models import Purchase
from tests.factories import (
    MembershipFactory,
    PurchaseFactory,
    QuoteInvitationFactory,
    QuoteRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests_world(member):
    """Forty requests in three categories and three places, answered at random; a quarter
    became a purchase, of any status, so that only the validated ones count as converted."""
    rng = random.Random(19)
    categories = list(Category.objects.order_by("pk")[:3])
    places = [Municipality.objects.filter(name=name).order_by("-population").first()
              for name in ("Longueuil", "Saguenay", "Gatineau")]
    other = MembershipFactory()
    for number in range(40):
        owner = member if number % 2 else other
        quote_request = QuoteRequestFactory(
            buyer=owner.user, organization=owner.organization,
            category=rng.choice(categories), municipality=rng.choice(places),
        )
        for _ in range(rng.randint(1, 3)):
            answer = rng.choice(["pending", "pending", "declined", "quoted"])
            QuoteInvitationFactory(
                request=quote_request, answer=answer,
                answered_at=None if answer == "pending" else timezone.now(),
            )
        if rng.random() < 0.25:
            quote_request.purchase = PurchaseFactory(
                organization=owner.organization, status=rng.choice(Purchase.Status.values),
                rejection_reason="Fournisseur à vérifier",
            )
            quote_request.save()
    return categories


def recount(requests):
    """The three figures, request by request in Python."""
    requests = list(requests.select_related("purchase").prefetch_related("invitations"))
    return {
        "sent": len(requests),
        "answered": sum(
            any(i.answer != "pending" for i in r.invitations.all()) for r in requests
        ),
        "converted": sum(
            r.purchase_id is not None and r.purchase.status == "validated" for r in requests
        ),
    }


def test_the_category_and_region_counts_match_a_recount(requests_world):
    for row in stats.by_category():
        expected = recount(QuoteRequest.objects.filter(category=row["category"]))
        assert {key: row[key] for key in stats.COUNTS} == expected
    for row in stats.by_region():
        expected = recount(QuoteRequest.objects.filter(region=row["region"]))
        assert {key: row[key] for key in stats.COUNTS} == expected
    assert sum(row["sent"] for row in stats.by_category()) == 40


def test_the_random_world_has_purchases_that_count_and_others_that_do_not(requests_world):
    # Guards the recounts above: they would not notice drafts counted if there were none.
    statuses = set(QuoteRequest.objects.filter(purchase__isnull=False)
                   .values_list("purchase__status", flat=True))
    assert "validated" in statuses and len(statuses) > 1


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
def test_a_request_whose_purchase_staff_did_not_validate_is_not_converted(
    member, status
):
    purchase = PurchaseFactory(
        organization=member.organization, status=status, rejection_reason="Montant à vérifier"
    )
    QuoteRequestFactory(buyer=member.user, organization=member.organization, purchase=purchase)

    assert stats.organization_counts(member.organization)["converted"] == 0
    assert [row["converted"] for row in stats.by_category()] == [0]
    purchase.status = Purchase.Status.VALIDATED
    purchase.save()
    assert stats.organization_counts(member.organization)["converted"] == 1
    assert [row["converted"] for row in stats.by_region()] == [1]


def test_the_supply_gaps_are_the_requests_that_got_no_offer(requests_world):
    gaps = {row["category"]: row for row in stats.supply_gaps()}

    for category in requests_world:
        answers = [
            set(r.invitations.values_list("answer", flat=True))
            for r in QuoteRequest.objects.filter(category=category)
        ]
        unanswered = sum(a == {"pending"} for a in answers)
        declined = sum(a != {"pending"} and not a & {"interested", "quoted"} for a in answers)
        row = gaps.get(category.pk, {"unanswered": 0, "declined": 0, "gaps": 0})
        assert (row["unanswered"], row["declined"], row["gaps"]) == (
            unanswered, declined, unanswered + declined
        )
    # The random world has both kinds of gap, or this test would prove little.
    assert sum(row["unanswered"] for row in gaps.values()) > 0
    assert sum(row["declined"] for row in gaps.values()) > 0


def test_a_request_every_enterprise_declined_is_a_supply_gap_in_the_csv(staff_client):
    declined = QuoteRequestFactory()
    for _ in range(2):
        QuoteInvitationFactory(request=declined, answer="declined", answered_at=timezone.now())
    served = QuoteRequestFactory()
    QuoteInvitationFactory(request=served, answer="declined", answered_at=timezone.now())
    QuoteInvitationFactory(request=served, answer="quoted", amount=900,
                           answered_at=timezone.now())

    with translation.override("en"):
        report = staff_client.get(reverse("admin:procurement_supply_gaps"))
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()

    separator = lines[0][len("Category")]
    assert lines[0].split(separator)[-2:] == [
        "Requests every enterprise declined", "Requests without any offer"
    ]
    # Two requests sent, both answered, none unanswered, one declined by all: one gap.
    assert lines[1].split(separator)[1:] == ["2", "2", "0", "1", "1"]


def test_the_member_dashboard_shows_its_own_counts(client, member, requests_world):
    expected = recount(QuoteRequest.objects.filter(organization=member.organization))
    client.force_login(member.user)

    html = client.get(reverse("purchases:dashboard")).content.decode()

    section = html[html.index('id="quote-requests-heading"'):]
    figures = re.findall(r"<dd>(\d+)</dd>", section)[:3]
    assert figures == [str(expected["sent"]), str(expected["answered"]),
                       str(expected["converted"])]


def test_the_repertory_shows_anonymized_counts_in_both_languages(client, requests_world, member):
    french = client.get(reverse("purchases:repertory")).content.decode()
    english = client.get("/en" + reverse("purchases:repertory")).content.decode()

    assert "Demandes de prix passées par le répertoire" in french
    assert "Requests for quotes through the directory" in english
    assert member.organization.name not in french
    for invitation in QuoteInvitation.objects.select_related("enterprise")[:5]:
        assert invitation.enterprise.name not in french


def test_the_repertory_leaves_out_categories_and_regions_with_fewer_than_three_requests(
    client, member
):
    catering, cleaning = Category.objects.order_by("pk")[:2]
    longueuil, saguenay = (
        Municipality.objects.filter(name=name).order_by("-population").first()
        for name in ("Longueuil", "Saguenay")
    )
    for number in range(3):
        QuoteRequestFactory(category=catering, municipality=longueuil, title=f"Repas {number}")
    for number in range(2):
        QuoteRequestFactory(category=cleaning, municipality=saguenay, title=f"Ménage {number}")

    html = client.get("/en" + reverse("purchases:repertory")).content.decode()

    section = html[html.index('id="quote-requests-heading"'):]
    section = section[:section.index("</section>")]
    assert "with fewer than 3 requests is left out" in section
    assert catering.name_en in section and longueuil.region.name_en in section
    assert cleaning.name_en not in section and saguenay.region.name_en not in section
    assert re.findall(r'<td class="number">(\d+)</td>', section) == ["3", "0", "0"] * 2


def test_the_repertory_says_when_every_count_is_too_small_to_show(client):
    QuoteRequestFactory()

    html = client.get("/en" + reverse("purchases:repertory")).content.decode()

    section = html[html.index('id="quote-requests-heading"'):]
    section = section[:section.index("</section>")]
    assert "Too few requests yet to show them without revealing who sent them." in section
    assert "<table" not in section


def test_the_repertory_counts_take_a_fixed_number_of_queries(
    client, requests_world, django_assert_max_num_queries
):
    from procurement.sections import public_counts

    # Two: the counts by category, the counts by region.
    with django_assert_max_num_queries(2):
        public_counts(None, None)


def test_the_staff_statistics_page_and_its_csv_agree(staff_client, requests_world):
    page = staff_client.get(reverse("admin:procurement_statistics"))
    report = staff_client.get(reverse("admin:procurement_supply_gaps"))

    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert page.status_code == 200
    assert 'data-chart="chart-categories"' in page.content.decode()
    lines = text.splitlines()
    assert len(lines) == 1 + len(stats.supply_gaps())
    assert lines[0].startswith("Catégorie")


def contrast_on_white(colour):
    """WCAG's contrast ratio of a "#rrggbb" colour against white."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_the_staff_charts_show_three_coloured_series_of_counts_with_a_legend(
    staff_client, requests_world
):
    page = staff_client.get(reverse("admin:procurement_statistics")).content.decode()

    for chart_id, rows in (("chart-categories", stats.by_category()),
                           ("chart-regions", stats.by_region())):
        script = re.search(
            rf'<script id="{chart_id}" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
        chart = json.loads(script)
        # Counts, not dollars; a legend, since three series share each group of bars.
        assert chart["format"] == "count" and chart["legend"] is True
        assert [dataset["label"] for dataset in chart["datasets"]] == [
            "Envoyé", "Avec réponse", "Devenues des achats"
        ]
        assert [dataset["data"] for dataset in chart["datasets"]] == [
            [row[key] for row in rows] for key in stats.COUNTS
        ]
        colours = [dataset["backgroundColor"] for dataset in chart["datasets"]]
        assert len(set(colours)) == 3
        assert all(contrast_on_white(colour) >= 3 for colour in colours)


def test_a_buyer_signs_up_confirms_by_email_with_a_password_and_keeps_shortlists(
    client, task_worker
):
    response = client.post(reverse("procurement:buyer_signup"), {
        "organization_name": "Clinique des Rives", "kind": "private_company",
        "email": "Achats@Clinique.Example",
    })
    task_worker()

    assert "achats@clinique.example" in response.content.decode()
    profile = BuyerProfile.objects.get()
    assert profile.user.username == "achats@clinique.example"
    assert not profile.user.is_active and not profile.user.has_usable_password()
    [message] = mail.outbox
    assert message.subject == "Confirmez votre compte d'acheteur"
    link = re.search(r"https?://\S+", message.body).group()
    assert client.get(link).status_code == 200
    assert confirm(client, link, "un mot de passe solide").url == reverse(
        "procurement:shortlist_list"
    )
    profile.refresh_from_db()
    assert profile.confirmed_at and profile.user.is_active
    assert client.get(reverse("procurement:shortlist_list")).status_code == 200
    client.logout()
    assert client.login(username="achats@clinique.example", password="un mot de passe solide")


SIGN_UP = {
    "fr-ca": {"subject": "Confirmez votre compte d'acheteur",
              "taken": "Vous avez déjà un compte", "prefix": "",
              "choose": "Choisissez votre mot de passe",
              "differ": "Les deux mots de passe ne sont pas identiques.",
              "too_short": "Ce mot de passe est trop court."},
    "en": {"subject": "Confirm your buyer account",
           "taken": "You already have an account", "prefix": "/en",
           "choose": "Choose your password",
           "differ": "The two passwords are not the same.",
           "too_short": "This password is too short."},
}


def sign_up(client, language, email, organization="Autre", password=None):
    """The sign-up form; a ``password`` added to the request, as a stranger's script could,
    must change nothing, since the form has no such field."""
    with translation.override(language):
        path = reverse("procurement:buyer_signup")
    data = {"organization_name": organization, "kind": "other", "email": email}
    if password:
        data["password"] = password
    return client.post(path, data)


def confirm(client, link, password, again=None):
    return client.post(link, {"password1": password, "password2": again or password})


def page_without(response, email):
    """The page's text with the address and the form tokens taken out, to compare two."""
    html = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_an_unconfirmed_buyer_who_signs_up_again_gets_a_fresh_link(client, outbox, language):
    words = SIGN_UP[language]
    sign_up(client, language, "achats@clinique.example")
    [lost] = outbox()
    mail.outbox.clear()

    response = sign_up(client, language, "Achats@Clinique.example",
                       organization="Clinique des Rives")

    assert response.status_code == 200
    [message] = outbox()
    assert message.to == ["achats@clinique.example"]
    assert message.subject == words["subject"]
    profile = BuyerProfile.objects.get()
    assert profile.organization_name == "Clinique des Rives"
    link = re.search(r"https?://\S+", message.body).group()
    assert link.startswith(f"http://testserver{words['prefix']}/")
    confirm(client, link, "le mot de passe choisi")
    profile.user.refresh_from_db()
    assert profile.user.is_active and profile.user.check_password("le mot de passe choisi")


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_whoever_holds_the_mailbox_chooses_the_password_not_whoever_signed_up_with_it(
    client, outbox, language
):
    words = SIGN_UP[language]
    # A stranger signs up with someone else's address and a password of their own.
    sign_up(type(client)(), language, "direction@clinique.example",
            organization="Faux nom", password="le mot de passe de l'intrus")
    [message] = outbox()
    link = re.search(r"https?://\S+", message.body).group()

    # The address's owner opens the link: the page asks for a password before anything.
    assert words["choose"] in client.get(link).content.decode()
    assert client.post(link, {}).status_code == 400
    mismatch = confirm(client, link, "le mot de passe choisi", again="un autre mot de passe")
    short = confirm(client, link, "court")
    assert mismatch.status_code == short.status_code == 400
    assert words["differ"] in html.unescape(mismatch.content.decode())
    assert words["too_short"] in html.unescape(short.content.decode())
    user = BuyerProfile.objects.get().user
    user.refresh_from_db()
    assert not user.is_active

    assert confirm(client, link, "le mot de passe choisi").status_code == 302

    user.refresh_from_db()
    assert user.is_active and user.check_password("le mot de passe choisi")
    assert not type(client)().login(
        username="direction@clinique.example", password="le mot de passe de l'intrus"
    )


def test_a_confirmed_account_s_link_is_no_password_reset(client, outbox):
    sign_up(client, "fr-ca", "achats@clinique.example")
    [message] = outbox()
    link = re.search(r"https?://\S+", message.body).group()
    confirm(client, link, "le mot de passe choisi")

    # Whoever finds the email later cannot change the password with its link.
    assert confirm(type(client)(), link, "un mot de passe changé").status_code == 302

    user = BuyerProfile.objects.get().user
    user.refresh_from_db()
    assert user.check_password("le mot de passe choisi")


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_an_address_with_an_account_gets_the_same_page_and_its_owner_an_email(
    client, outbox, member, outside_buyer, language
):
    words = SIGN_UP[language]
    new = sign_up(client, language, "personne@nouvelle.example")
    outbox()
    mail.outbox.clear()

    for user in (member.user, outside_buyer):
        taken = sign_up(client, language, user.email.upper())

        # Nothing on the page tells an address with an account from a new one.
        assert page_without(taken, user.email.upper().lower()) == page_without(
            new, "personne@nouvelle.example"
        )
        [message] = outbox()
        mail.outbox.clear()
        assert message.to == [user.email] and message.subject == words["taken"]
        with translation.override(language):
            assert f"http://testserver{reverse('purchases:password_reset')}" in message.body
        user.refresh_from_db()
        assert user.is_active and user.check_password("correct horse battery staple")
    assert BuyerProfile.objects.filter(user__email="personne@nouvelle.example").count() == 1
    assert BuyerProfile.objects.count() == 2


def test_signing_up_again_and_again_sends_at_most_three_emails_an_hour(
    client, outbox
):
    for _ in range(5):
        assert sign_up(client, "fr-ca", "achats@clinique.example").status_code == 200

    assert len(outbox()) == 3
    assert BuyerProfile.objects.count() == 1


def test_an_unconfirmed_buyer_cannot_send_requests(client):
    from tests.factories import BuyerProfileFactory

    profile = BuyerProfileFactory(confirmed_at=None)
    client.force_login(profile.user)

    assert client.get(reverse("procurement:shortlist_list")).status_code == 403


def test_the_request_page_takes_a_fixed_number_of_queries(
    client, member, django_assert_max_num_queries
):
    quote_request = QuoteRequestFactory(buyer=member.user, organization=member.organization)
    for _ in range(8):
        QuoteInvitationFactory(request=quote_request)
    client.force_login(member.user)

    # Session, user, is_buyer's membership, the request with its joins, its invitations
    # with their enterprises, their follow-ups, the membership again for the purchase offer,
    # and the page's own (header, messages): at most 12 however many enterprises answer.
    with django_assert_max_num_queries(12):
        assert client.get(quote_request.get_absolute_url()).status_code == 200


def test_the_category_by_region_table_matches_a_recount(requests_world):
    rows = stats.by_category_and_region()

    for row in rows:
        expected = recount(
            QuoteRequest.objects.filter(category=row["category"], region=row["region"])
        )
        assert {key: row[key] for key in stats.COUNTS} == expected
    pairs = set(QuoteRequest.objects.values_list("category", "region"))
    assert {(row["category"], row["region"]) for row in rows} == pairs
    assert sum(row["sent"] for row in rows) == 40


def test_the_category_by_region_table_is_shown_to_staff_and_exported_as_csv(
    staff_client, requests_world
):
    page = staff_client.get(reverse("admin:procurement_statistics")).content.decode()
    export = staff_client.get(reverse("admin:procurement_crossed"))

    rows = stats.crossed()
    assert "Par produit ou service dans chaque région" in page
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Catégorie;Région") or lines[0].startswith("Catégorie,Région")
    assert len(lines) == 1 + len(rows)
    first = rows[0]
    assert first["region_label"] in lines[1]
    assert lines[1].endswith(f"{first['sent']}{lines[0][9]}{first['answered']}"
                             f"{lines[0][9]}{first['converted']}")
    assert export["Content-Disposition"].startswith("attachment;")


def test_the_category_by_region_table_takes_one_query(
    requests_world, django_assert_max_num_queries
):
    # One: the requests grouped by category and region, with the answered subquery.
    with django_assert_max_num_queries(1):
        stats.crossed()
