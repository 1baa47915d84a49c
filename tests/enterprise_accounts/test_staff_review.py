"""Staff correct a proposed identity change before approving it; owners hear of a colleague
who joined by the domain link or whose claim staff approved; the trusted flag keeps its
history."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from enterprise_accounts import claims
from enterprise_accounts.models import ChangeRequest, EnterpriseAccount, EnterpriseMembership
from tests.factories import EnterpriseFactory, EnterpriseMembershipFactory, LabelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="Coop Les Pousses", website="https://www.lespousses.coop/",
                             email="info@lespousses.coop", legal_form="cooperative")


@pytest.fixture
def labels(db):
    return [LabelFactory(name=name) for name in ("Bio", "Équitable", "Insertion")]


@pytest.fixture
def proposal(enterprise, labels):
    """An editor, in a browser of their own, asks for a solidarity cooperative holding the
    first two labels."""
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client = Client()
    client.force_login(membership.user)
    client.post(reverse("enterprise_accounts:identity", args=[enterprise.pk]), {
        "name": enterprise.name, "neq": "", "legal_form": "solidarity_cooperative",
        "labels": [labels[0].pk, labels[1].pk], "note": "Nous avons changé de statut.",
    })
    return ChangeRequest.objects.get()


def review_url(change):
    return reverse("admin:enterprise_accounts_changerequest_review", args=[change.pk])


def selected_options(page, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*selected>', select)


def test_the_review_form_offers_the_proposed_legal_form_and_labels_to_correct(
    staff_client, proposal, labels
):
    assert proposal.changes == {"legal_form": "solidarity_cooperative",
                                "labels": sorted([labels[0].pk, labels[1].pk])}
    page = staff_client.get(review_url(proposal)).content.decode()
    assert selected_options(page, "legal_form") == ["solidarity_cooperative"]
    assert '<option value="">' not in page  # a legal form is required: no empty choice
    assert re.search(r'<select name="labels"[^>]*multiple', page)
    assert sorted(selected_options(page, "labels")) == sorted(
        [str(labels[0].pk), str(labels[1].pk)])
    # Every label can be chosen, not only the proposed ones.
    assert "Insertion" in page


def test_the_review_of_a_label_change_costs_the_same_queries_for_any_number_of_labels(
    staff_client, proposal, enterprise, labels, django_assert_max_num_queries
):
    enterprise.labels.set([labels[2]] + LabelFactory.create_batch(20), through_defaults={})
    LabelFactory.create_batch(30)
    # Session, user, the request with its enterprise and submitter; the live labels' ids,
    # then their names, the proposed labels' names, and the multi-select's choices.
    with django_assert_max_num_queries(7):
        response = staff_client.get(review_url(proposal))
    assert response.status_code == 200


def test_staff_correct_the_legal_form_and_labels_then_approve(
    staff_client, proposal, enterprise, labels, task_worker
):
    response = staff_client.post(review_url(proposal), {
        "approve": "1", "legal_form": "worker_cooperative",
        "labels": [labels[0].pk, labels[2].pk],
    })
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.legal_form == "worker_cooperative"
    assert set(enterprise.labels.all()) == {labels[0], labels[2]}
    assert enterprise.field_origins["labels"][0] == "enterprise"
    proposal.refresh_from_db()
    assert proposal.state == ChangeRequest.State.APPROVED
    # The request keeps what went live, in the shape the diff reads.
    assert proposal.changes == {"legal_form": "worker_cooperative",
                                "labels": sorted([labels[0].pk, labels[2].pk])}
    task_worker()
    assert "approuv" in mail.outbox[-1].subject


def test_staff_may_remove_every_proposed_label(staff_client, proposal, enterprise):
    staff_client.post(review_url(proposal), {"approve": "1", "legal_form": "cooperative"})
    enterprise.refresh_from_db()
    assert not enterprise.labels.exists()
    assert ChangeRequest.objects.get().state == ChangeRequest.State.APPROVED


def test_an_unknown_label_or_legal_form_is_refused_and_nothing_changes(
    staff_client, proposal, enterprise, labels
):
    response = staff_client.post(review_url(proposal), {
        "approve": "1", "legal_form": "empire", "labels": [labels[0].pk, 987654],
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"legal_form", "labels"}
    assert "Sélectionnez un choix valide" in str(errors["labels"])
    enterprise.refresh_from_db()
    assert enterprise.legal_form == "cooperative"
    assert not enterprise.labels.exists()
    assert ChangeRequest.objects.get().state == ChangeRequest.State.PENDING


def join_by_domain_link(enterprise, email, language="fr"):
    claim = claims.start_claim(enterprise, "Léa Tremblay", "Directrice", email, language,
                               "http://testserver")
    Client().post(reverse("enterprise_accounts:claim_link", args=[claims.link_token(claim)]))
    return claim


def test_owners_are_told_in_their_language_when_a_colleague_joins_by_the_domain_link(
    enterprise, task_worker
):
    french = EnterpriseMembershipFactory(enterprise=enterprise, role="owner", language="fr")
    english = EnterpriseMembershipFactory(enterprise=enterprise, role="owner", language="en")
    EnterpriseMembershipFactory(enterprise=enterprise, role="editor")
    join_by_domain_link(enterprise, "lea@lespousses.coop")
    assert EnterpriseMembership.objects.get(user__username="lea@lespousses.coop").role == "editor"
    task_worker()
    told = {message.to[0]: message for message in mail.outbox
            if message.to != ["lea@lespousses.coop"]}
    # The owners only: an editor cannot remove anyone.
    assert set(told) == {french.user.email, english.user.email}
    fr, en = told[french.user.email], told[english.user.email]
    assert fr.subject == ("Léa Tremblay tient maintenant à jour la fiche de Coop Les Pousses "
                          "avec vous")
    assert "lea@lespousses.coop" in fr.body and "retirez-la de votre équipe\u00a0:" in fr.body
    # The link opens the team page, where the owner can remove the newcomer.
    owner_browser = Client()
    owner_browser.force_login(french.user)
    team = re.search(r"http://testserver(/\S+)", fr.body).group(1)
    assert "lea@lespousses.coop" in owner_browser.get(team).content.decode()
    assert en.subject == "Léa Tremblay now keeps the profile of Coop Les Pousses with you"
    assert "remove them from your team:" in en.body
    assert "/en/" in en.body


def test_owners_are_told_in_their_language_when_staff_approve_a_colleagues_claim(
    staff_client, enterprise, task_worker
):
    french = EnterpriseMembershipFactory(enterprise=enterprise, role="owner", language="fr")
    english = EnterpriseMembershipFactory(enterprise=enterprise, role="owner", language="en")
    EnterpriseMembershipFactory(enterprise=enterprise, role="editor")
    # An address the enterprise's domain does not prove: the claim waits for staff.
    claim = claims.start_claim(enterprise, "Léa Tremblay", "Directrice", "lea@gmail.com", "fr",
                               "http://testserver")
    staff_client.post(reverse("admin:enterprise_accounts_claim_decide", args=[claim.pk]))
    assert EnterpriseMembership.objects.get(user__username="lea@gmail.com").role == "editor"
    task_worker()
    told = {message.to[0]: message for message in mail.outbox
            if message.to != ["lea@gmail.com"]}
    assert set(told) == {french.user.email, english.user.email}
    fr, en = told[french.user.email], told[english.user.email]
    assert fr.subject == ("Léa Tremblay tient maintenant à jour la fiche de Coop Les Pousses "
                          "avec vous")
    assert "L'équipe du réseau a approuvé la demande de Léa Tremblay (Directrice, " \
        "lea@gmail.com)" in fr.body
    assert "retirez-la de votre équipe\u00a0:" in fr.body
    owner_browser = Client()
    owner_browser.force_login(french.user)
    team = re.search(r"http://testserver(/\S+)", fr.body).group(1)
    assert "lea@gmail.com" in owner_browser.get(team).content.decode()
    assert "The network's staff approved the request of Léa Tremblay" in en.body
    assert "remove them from your team:" in en.body and "/en/" in en.body


def test_the_first_person_and_an_invited_colleague_tell_no_owner(enterprise, task_worker):
    join_by_domain_link(enterprise, "lea@lespousses.coop")
    owner = EnterpriseMembership.objects.get()
    assert owner.role == "owner"
    claim = claims.invite(enterprise, "paul@example.com", "editor", "fr", owner.user,
                          "http://testserver")
    Client().post(reverse("enterprise_accounts:claim_link", args=[claims.link_token(claim)]))
    assert EnterpriseMembership.objects.count() == 2
    task_worker()
    # The claim link and the invitation, nothing sent to the owner who invited.
    assert [message.to for message in mail.outbox] == [
        ["lea@lespousses.coop"], ["paul@example.com"]]


def test_marking_an_enterprise_trusted_is_recorded_with_the_staff_member(
    staff_client, staff_user, enterprise
):
    account = EnterpriseAccount.objects.create(enterprise=enterprise)
    response = staff_client.post(
        reverse("admin:enterprise_accounts_enterpriseaccount_change", args=[account.pk]),
        {"enterprise": enterprise.pk, "trusted": "on", "last_reminded_at_0": "",
         "last_reminded_at_1": "", "_save": "1"},
    )
    assert response.status_code == 302
    latest = account.history.first()
    assert (latest.trusted, latest.history_user) == (True, staff_user)
    page = staff_client.get(
        reverse("admin:enterprise_accounts_enterpriseaccount_history", args=[account.pk])
    ).content.decode()
    assert "curator" in page and "Coop Les Pousses" in page
