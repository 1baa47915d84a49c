"""Invitations: a manager invites an address, and only the person who accepts, signed in with
that address, joins the organization; used, revoked, expired and unknown links say so."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from purchases.models import Invitation, Membership, OutgoingMail
from purchases.views import InvitationView
from tests.factories import (
    InvitationFactory,
    MemberOrganizationFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Tournesol-Saguenay-2026"


@pytest.fixture
def manager(client):
    membership = MembershipFactory(
        role=Membership.Role.MANAGER, organization__name="Ville de Trois-Rivières",
        user__email="gestionnaire@v3r.net",
    )
    client.force_login(membership.user)
    return membership


def invite(client, email, role="contributor", language="fr"):
    return client.post(reverse("purchases:team"), {
        "email": email, "role": role, "language": language,
    })


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def test_manager_invites_and_nobody_joins_before_accepting(client, manager, task_worker):
    response = invite(client, "  Julie.Tremblay@Example.ORG ")
    task_worker()

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organization) == (
        "julie.tremblay@example.org", manager.organization
    )
    assert not get_user_model().objects.filter(email="julie.tremblay@example.org").exists()
    assert Membership.objects.filter(organization=manager.organization).count() == 1
    message, = mail.outbox
    assert message.to == ["julie.tremblay@example.org"]
    assert "Ville de Trois-Rivières" in message.subject
    assert link_in(message).endswith(invitation.get_absolute_url())
    team = client.get(reverse("purchases:team")).content.decode()
    assert "julie.tremblay@example.org" in team


def test_the_invitation_mail_is_in_the_language_the_manager_chose(client, manager, task_worker):
    invite(client, "pat.smith@example.org", language="en")
    task_worker()

    message, = mail.outbox
    assert message.subject == "Invitation to record purchases for Ville de Trois-Rivières"
    assert "/en/membres/invitations/" in message.body


def test_a_new_person_creates_an_account_and_joins(client, manager, task_worker):
    invite(client, "julie.tremblay@example.org", role="manager")
    task_worker()
    link = link_in(mail.outbox[0])
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "Créez votre compte" in page.content.decode()
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("purchases:dashboard")
    user = get_user_model().objects.get(email="julie.tremblay@example.org")
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role) == (manager.organization, "manager")
    assert client.get(reverse("purchases:dashboard")).status_code == 200
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED


def test_passwords_that_differ_are_refused_and_nothing_is_created(client):
    invitation = InvitationFactory(email="julie.tremblay@example.org")

    response = client.post(invitation.get_absolute_url(), {
        "new_password1": PASSWORD, "new_password2": PASSWORD + "x",
    })

    assert response.status_code == 200
    assert "Les deux mots de passe ne correspondent pas" in response.content.decode()
    assert not get_user_model().objects.filter(email="julie.tremblay@example.org").exists()
    assert not Membership.objects.exists()


def test_a_second_click_on_create_my_account_shows_the_accepted_invitation(
    client, monkeypatch
):
    invitation = InvitationFactory(email="julie.tremblay@example.org")
    fields = {"new_password1": PASSWORD, "new_password2": PASSWORD}
    client.post(invitation.get_absolute_url(), fields)
    client.logout()
    # The second request checked for an account before the first one created it.
    monkeypatch.setattr(InvitationView, "has_account", lambda view: False)

    again = client.post(invitation.get_absolute_url(), fields)

    assert again.status_code == 410
    assert "a déjà été acceptée" in again.content.decode()
    assert get_user_model().objects.filter(email="julie.tremblay@example.org").count() == 1


def test_an_existing_account_staff_included_joins_only_by_accepting(client, manager):
    staff = StaffFactory(username="curatrice", email="curatrice@reseau.qc.ca")
    invite(client, "CURATRICE@reseau.qc.ca")
    invitation = Invitation.objects.get()
    assert not Membership.objects.filter(user=staff).exists()

    client.logout()
    page = client.get(invitation.get_absolute_url()).content.decode()
    assert "Se connecter pour accepter" in page
    client.post(invitation.get_absolute_url(), {})  # signed out: nothing to accept yet
    assert not Membership.objects.filter(user=staff).exists()

    client.force_login(staff)
    assert "Accepter l'invitation" in client.get(invitation.get_absolute_url()).content.decode()
    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 302
    assert Membership.objects.get(user=staff).organization == manager.organization


def test_signing_in_from_the_invitation_leads_back_to_it(client):
    user = UserFactory(username="julie.tremblay@example.org", email="julie.tremblay@example.org")
    invitation = InvitationFactory(email=user.email)
    page = client.get(invitation.get_absolute_url()).content.decode()
    sign_in = re.search(r'href="([^"]*connexion[^"]*)"', page).group(1).replace("&amp;", "&")

    response = client.post(sign_in, {
        "username": user.username, "password": "correct horse battery staple",
        "next": invitation.get_absolute_url(),
    })

    assert response["Location"] == invitation.get_absolute_url()
    client.post(invitation.get_absolute_url())
    assert Membership.objects.get(user=user).organization == invitation.organization


def test_another_account_cannot_accept_someone_elses_invitation(client):
    invitation = InvitationFactory(email="julie.tremblay@example.org")
    intruder = UserFactory(email="intrus@example.org")
    client.force_login(intruder)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 200
    assert "Vous êtes connecté en tant que intrus@example.org" in response.content.decode()
    assert not Membership.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_a_used_link_says_it_was_already_accepted(client):
    user = UserFactory(email="julie.tremblay@example.org")
    invitation = InvitationFactory(email=user.email)
    client.force_login(user)
    client.post(invitation.get_absolute_url())

    again = client.post(invitation.get_absolute_url())

    assert again.status_code == 410
    assert "a déjà été acceptée" in again.content.decode()
    assert Membership.objects.filter(user=user).count() == 1


def test_an_expired_link_says_so_and_adds_nobody(client):
    user = UserFactory(email="julie.tremblay@example.org")
    invitation = InvitationFactory(
        email=user.email, expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(user)

    page = client.get(invitation.get_absolute_url())
    accepted = client.post(invitation.get_absolute_url())

    assert page.status_code == accepted.status_code == 410
    assert "a expiré le" in page.content.decode()
    assert not Membership.objects.exists()


def test_an_unknown_link_is_a_clear_404_page(client):
    response = client.get(reverse("purchases:invitation", args=["pas-un-jeton"]))

    assert response.status_code == 404
    assert "Ce lien d'invitation n'est pas valide" in response.content.decode()


def test_manager_revokes_an_invitation_and_its_link_stops_working(client, manager):
    invitation = InvitationFactory(organization=manager.organization)

    response = client.post(reverse("purchases:revoke_invitation", args=[invitation.pk]))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    page = client.get(invitation.get_absolute_url())
    assert page.status_code == 410
    assert "a été révoquée" in page.content.decode()
    assert invitation.email not in client.get(reverse("purchases:team")).content.decode()


def test_another_organizations_manager_neither_sees_nor_revokes_an_invitation(client, manager):
    elsewhere = InvitationFactory(
        organization=MemberOrganizationFactory(name="Desjardins"), email="autre@desjardins.com"
    )

    team = client.get(reverse("purchases:team")).content.decode()
    response = client.post(reverse("purchases:revoke_invitation", args=[elsewhere.pk]))

    assert "autre@desjardins.com" not in team
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.state == Invitation.State.PENDING


def test_a_contributor_cannot_revoke(client):
    contributor = MembershipFactory()
    invitation = InvitationFactory(organization=contributor.organization)
    client.force_login(contributor.user)

    response = client.post(reverse("purchases:revoke_invitation", args=[invitation.pk]))

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_inviting_again_sends_a_new_link_and_the_old_one_stops_working(
    client, manager, task_worker
):
    invite(client, "julie.tremblay@example.org")
    first_link = Invitation.objects.get().get_absolute_url()
    invite(client, "julie.tremblay@example.org", role="manager")
    task_worker()

    invitation = Invitation.objects.get()
    assert invitation.role == "manager"
    assert invitation.get_absolute_url() != first_link
    assert client.get(first_link).status_code == 404
    assert [link_in(message).endswith(invitation.get_absolute_url())
            for message in mail.outbox] == [False, True]


def test_inviting_a_member_of_the_organization_is_refused_with_a_message(client, manager):
    MembershipFactory(organization=manager.organization, user__email="deja@v3r.net")

    response = invite(client, "Deja@V3R.net")

    assert response.status_code == 200
    assert "déjà membre de votre organisation" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_invitation_with_the_mail_server_down_is_saved_and_its_mail_retried(
    client, manager, settings, task_worker
):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"

    response = invite(client, "julie.tremblay@example.org")
    task_worker()

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "est en route" in page
    assert Invitation.objects.get().email == "julie.tremblay@example.org"
    queued = OutgoingMail.objects.get()
    assert (queued.status, queued.attempts) == (OutgoingMail.Status.QUEUED, 1)
    assert queued.next_attempt_at is not None


def test_the_invitation_page_is_in_english_under_en(client):
    invitation = InvitationFactory(organization__name="Ville de Trois-Rivières")
    with translation.override("en"):
        url = invitation.get_absolute_url()

    page = client.get(url).content.decode()

    assert "You are invited to record the social purchases of Ville de Trois-Rivières" in page
