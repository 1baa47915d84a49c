"""Claim → edit → review → live, as the enterprise, staff and a buyer see it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from enterprise_accounts import claims
from enterprise_accounts.models import (
    ChangeRequest,
    Claim,
    EnterpriseAccount,
    EnterpriseMembership,
    ErrorReport,
)
from enterprises.merge import merge_enterprises
from enterprises.models import DirectoryRevision, Enterprise, Mrc
from tests.factories import EnterpriseFactory, EnterpriseMembershipFactory, SectorFactory

pytestmark = pytest.mark.django_db


def claim_form(email, name="Léa Tremblay"):
    return {"name": name, "role_title": "Directrice", "email": email}


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def profile_form(enterprise, **changes):
    data = {
        "description_fr": enterprise.description_fr, "description_en": enterprise.description_en,
        "address": enterprise.address, "city": enterprise.city,
        "postal_code": enterprise.postal_code, "phone": enterprise.phone,
        "email": enterprise.email, "website": enterprise.website,
        "employee_band": enterprise.employee_band, "year_founded": "",
        "integration_workers": "", "employees_with_disabilities": "",
    }
    return {**data, **changes}


@pytest.fixture
def staff_client(staff_user):
    """Staff in a browser of their own, beside the enterprise's person in ``client``."""
    staff = Client()
    staff.force_login(staff_user)
    return staff


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="Coop Les Pousses", website="https://www.lespousses.coop/",
                             email="info@lespousses.coop")


def test_a_claim_by_an_address_at_the_website_domain_is_confirmed_by_the_emailed_link(
    client, enterprise, task_worker
):
    response = client.post(reverse("enterprise_accounts:claim", args=[enterprise.slug]),
                           claim_form("Lea@LesPousses.coop"))
    assert "We sent a link" in response.content.decode() or "Nous avons envoyé" in \
        response.content.decode()
    task_worker()
    [message] = mail.outbox
    assert message.to == ["lea@lespousses.coop"]
    assert "Les Pousses" in message.subject
    link = path_of(link_in(message))

    # Opening the link changes nothing (mail scanners open links); the button does.
    client.get(link)
    assert not EnterpriseMembership.objects.exists()
    response = client.post(link)
    assert response.url == reverse("enterprise_accounts:set_password")
    membership = EnterpriseMembership.objects.get()
    assert (membership.user.username, membership.role) == ("lea@lespousses.coop", "owner")

    # The link works once.
    client.logout()
    client.post(link)
    assert EnterpriseMembership.objects.count() == 1


def test_a_claim_link_stops_working_once_expired(client, enterprise, task_worker):
    client.post(reverse("enterprise_accounts:claim", args=[enterprise.slug]),
                claim_form("lea@lespousses.coop"))
    task_worker()
    link = path_of(link_in(mail.outbox[-1]))
    # Opened an hour after it stopped being valid.
    Claim.objects.update(
        created_at=timezone.now() - Claim.LINK_VALID_FOR - timedelta(hours=1))

    response = client.post(link)

    assert response.status_code == 200
    assert "n'est plus valide" in response.content.decode().replace("&#x27;", "'")
    assert not EnterpriseMembership.objects.exists()


def test_a_claim_by_the_profile_own_address_is_confirmed_by_link_whatever_its_domain(
    client, enterprise, task_worker
):
    enterprise.email = "lespousses@gmail.com"
    enterprise.save()
    client.post(reverse("enterprise_accounts:claim", args=[enterprise.slug]),
                claim_form("LesPousses@gmail.com"))
    assert Claim.objects.get().state == Claim.State.AWAITING_EMAIL
    task_worker()
    [message] = mail.outbox
    assert message.to == ["lespousses@gmail.com"]
    client.post(path_of(link_in(message)))
    assert EnterpriseMembership.objects.get().user.username == "lespousses@gmail.com"
    # Another address at the same shared domain still waits for staff.
    client.logout()
    client.post(reverse("enterprise_accounts:claim", args=[enterprise.slug]),
                claim_form("someone.else@gmail.com", name="Sam"))
    assert Claim.objects.get(email="someone.else@gmail.com").state == \
        Claim.State.AWAITING_STAFF


def test_a_claim_from_another_domain_waits_for_staff_who_approve_it_by_email(
    client, staff_client, enterprise, task_worker
):
    visitor = Client()
    visitor.post(reverse("enterprise_accounts:claim", args=[enterprise.slug]),
                 claim_form("lea@gmail.com"))
    claim = Claim.objects.get()
    assert claim.state == Claim.State.AWAITING_STAFF
    queue = staff_client.get(reverse("admin:enterprise_accounts_queue"))
    assert "lea@gmail.com" in queue.content.decode()

    staff_client.post(reverse("admin:enterprise_accounts_claim_decide", args=[claim.pk]),
                      {"approve": "1"})
    task_worker()
    approval = mail.outbox[-1]
    assert approval.to == ["lea@gmail.com"]
    response = visitor.post(path_of(link_in(approval)))
    assert response.url == reverse("enterprise_accounts:set_password")
    assert EnterpriseMembership.objects.filter(user__username="lea@gmail.com").exists()


def test_a_refused_claim_tells_the_person_why_in_their_language(
    client, staff_client, enterprise, task_worker
):
    with translation.override("en"):
        url = reverse("enterprise_accounts:claim", args=[enterprise.slug])
    assert url.startswith("/en/enterprise/")
    client.post(url, claim_form("someone@example.com"))
    claim = Claim.objects.get()
    assert claim.language == "en"
    staff_client.post(reverse("admin:enterprise_accounts_claim_decide", args=[claim.pk]),
                      {"refuse": "1", "reason": "Nobody at the enterprise knows you."})
    task_worker()
    refusal = mail.outbox[-1]
    assert "refused" in refusal.subject
    assert "Nobody at the enterprise knows you." in refusal.body
    assert not EnterpriseMembership.objects.exists()


def test_an_address_at_a_shared_domain_proves_nothing(enterprise):
    enterprise.website = "https://www.facebook.com/lespousses"
    enterprise.email = ""
    assert not claims.proves_ownership(enterprise, "anyone@facebook.com")
    enterprise.website = "https://lespousses.coop"
    assert claims.proves_ownership(enterprise, "a@mail.lespousses.coop")
    assert not claims.proves_ownership(enterprise, "a@notlespousses.coop")


def test_a_text_change_waits_for_review_then_appears_with_its_origin(
    client, staff_client, enterprise, task_worker
):
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client.force_login(membership.user)
    sector = SectorFactory()
    response = client.post(
        reverse("enterprise_accounts:profile", args=[enterprise.pk]),
        profile_form(enterprise, description_fr="Nous cultivons des pousses bio.",
                     integration_workers="12", sectors=[sector.pk]),
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    # Counted facts and lists go live at once; the text waits.
    assert enterprise.integration_workers == 12
    assert list(enterprise.sectors.all()) == [sector]
    assert enterprise.confirmed_on == timezone.localdate()
    assert enterprise.field_origins["integration_workers"][0] == "enterprise"
    assert enterprise.description_fr == "Une entreprise d'économie sociale."
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "Nous cultivons" not in page

    change = ChangeRequest.objects.get()
    review_url = reverse("admin:enterprise_accounts_changerequest_review", args=[change.pk])
    review = staff_client.get(review_url).content.decode()
    assert "<ins>" in review and "Nous cultivons" in review
    revision = DirectoryRevision.current()
    staff_client.post(review_url, {"description_fr": "Nous cultivons des pousses biologiques."})
    enterprise.refresh_from_db()
    assert enterprise.description_fr == "Nous cultivons des pousses biologiques."
    assert enterprise.field_origins["description_fr"][0] == "enterprise"
    assert DirectoryRevision.current() != revision
    assert "pousses biologiques" in client.get(enterprise.get_absolute_url()).content.decode()
    task_worker()
    assert "approved" in mail.outbox[-1].subject or "approuv" in mail.outbox[-1].subject
    # The history names who made the change.
    assert enterprise.history.filter(history_user=membership.user).exists()


def test_a_trusted_enterprise_change_appears_at_once_and_stays_reviewable(
    client, staff_client, enterprise
):
    EnterpriseAccount.objects.create(enterprise=enterprise, trusted=True)
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client.force_login(membership.user)
    client.post(reverse("enterprise_accounts:profile", args=[enterprise.pk]),
                profile_form(enterprise, description_fr="Semis et pousses."))
    assert "Semis et pousses." in client.get(enterprise.get_absolute_url()).content.decode()
    change = ChangeRequest.objects.get()
    assert change.state == ChangeRequest.State.APPLIED
    # Refusing it afterwards puts the previous text back.
    staff_client.post(
        reverse("admin:enterprise_accounts_changerequest_review", args=[change.pk]),
        {"refuse": "1", "reason": "Texte publicitaire."},
    )
    enterprise.refresh_from_db()
    assert enterprise.description_fr == "Une entreprise d'économie sociale."


def test_the_portal_offers_the_mrcs_served_never_a_location_it_would_overwrite(
    client, enterprise
):
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client.force_login(membership.user)
    url = reverse("enterprise_accounts:profile", args=[enterprise.pk])
    form = client.get(url).content.decode()
    # Where it is based follows its municipality: no field whose value would be thrown away.
    assert 'name="mrc"' not in form
    quebec, levis = Mrc.objects.get(name="Québec"), Mrc.objects.get(name="Lévis")
    assert f'value="{levis.pk}"' in form

    response = client.post(url, profile_form(enterprise, mrcs_served=[quebec.pk, levis.pk]))

    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert set(enterprise.mrcs_served.all()) == {quebec, levis}
    assert enterprise.field_origins["mrcs_served"][0] == "enterprise"
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "MRC desservies" in page
    assert "Lévis (Chaudière-Appalaches)" in page and "Québec (Capitale-Nationale)" in page
    # A profile without any shows no such section.
    other = EnterpriseFactory()
    assert "MRC desservies" not in client.get(other.get_absolute_url()).content.decode()


def test_merging_two_profiles_keeps_the_mrcs_both_serve(enterprise):
    duplicate = EnterpriseFactory()
    quebec, levis = Mrc.objects.get(name="Québec"), Mrc.objects.get(name="Lévis")
    enterprise.mrcs_served.set([quebec])
    duplicate.mrcs_served.set([levis])
    merge_enterprises(enterprise, duplicate)
    assert set(enterprise.mrcs_served.all()) == {quebec, levis}


def trusted_changes(client, enterprise, *descriptions):
    """A trusted enterprise's person saves these French descriptions one after the other;
    their change requests, oldest first."""
    EnterpriseAccount.objects.create(enterprise=enterprise, trusted=True)
    client.force_login(EnterpriseMembershipFactory(enterprise=enterprise).user)
    for description in descriptions:
        enterprise.refresh_from_db()
        client.post(reverse("enterprise_accounts:profile", args=[enterprise.pk]),
                    profile_form(enterprise, description_fr=description))
    return list(ChangeRequest.objects.order_by("created_at"))


def review(staff_client, change, **data):
    url = reverse("admin:enterprise_accounts_changerequest_review", args=[change.pk])
    return staff_client.post(url, data) if data else staff_client.get(url).content.decode()


def live_description(enterprise):
    enterprise.refresh_from_db()
    return enterprise.description_fr


def test_staff_see_what_a_trusted_enterprise_change_replaced(client, staff_client, enterprise):
    [change] = trusted_changes(client, enterprise, "Semis et pousses.")
    page = review(staff_client, change)
    # The live value and the change are the same: the diff is against the text it replaced.
    assert "<del>Une entreprise d&#x27;économie sociale.</del>" in page
    assert "<ins>Semis et pousses.</ins>" in page


def test_refusing_an_older_live_change_after_a_newer_one_keeps_the_newer_text(
    client, staff_client, enterprise
):
    older, newer = trusted_changes(client, enterprise, "Semis.", "Semis et pousses.")
    page = review(staff_client, older)
    assert "remplacé cette valeur" in page
    review(staff_client, older, refuse="1", reason="Trop court.")
    assert live_description(enterprise) == "Semis et pousses."
    # The newer change now starts from the text before the refused one, and undoes to it.
    assert "<del>Une entreprise d&#x27;économie sociale.</del>" in review(staff_client, newer)
    review(staff_client, newer, refuse="1", reason="Publicitaire.")
    assert live_description(enterprise) == "Une entreprise d'économie sociale."


def test_refusing_the_newer_live_change_first_then_the_older_undoes_both(
    client, staff_client, enterprise
):
    older, newer = trusted_changes(client, enterprise, "Semis.", "Semis et pousses.")
    review(staff_client, newer, refuse="1", reason="Publicitaire.")
    assert live_description(enterprise) == "Semis."
    review(staff_client, older, refuse="1", reason="Trop court.")
    assert live_description(enterprise) == "Une entreprise d'économie sociale."


def test_approving_an_older_live_change_never_brings_its_value_back(
    client, staff_client, enterprise
):
    older, newer = trusted_changes(client, enterprise, "Semis.", "Semis et pousses.")
    # The replaced field is not offered for correction: only the newer change decides it.
    assert 'name="description_fr"' not in review(staff_client, older)
    review(staff_client, older, approve="1")
    assert live_description(enterprise) == "Semis et pousses."
    older.refresh_from_db()
    assert older.state == ChangeRequest.State.APPROVED


def test_identity_changes_wait_for_staff_even_for_a_trusted_enterprise(client, enterprise):
    EnterpriseAccount.objects.create(enterprise=enterprise, trusted=True)
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client.force_login(membership.user)
    client.post(reverse("enterprise_accounts:identity", args=[enterprise.pk]),
                {"name": "Coop Les Grandes Pousses", "neq": "", "legal_form": "cooperative",
                 "note": "Nouveau nom"})
    enterprise.refresh_from_db()
    assert enterprise.name == "Coop Les Pousses"
    assert ChangeRequest.objects.get().changes == {"name": "Coop Les Grandes Pousses"}


def test_confirming_dates_the_profile(client, enterprise):
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client.force_login(membership.user)
    client.post(reverse("enterprise_accounts:confirm", args=[enterprise.pk]))
    assert Enterprise.objects.get(pk=enterprise.pk).confirmed_on == timezone.localdate()


def test_a_buyer_report_reaches_the_queue_and_is_rate_limited(client, staff_client, enterprise):
    url = reverse("enterprise_accounts:report", args=[enterprise.slug])
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert url in page and reverse("enterprise_accounts:claim", args=[enterprise.slug]) in page
    for _attempt in range(10):
        assert client.post(url, {"message": "Le téléphone ne répond plus."}).status_code == 200
    assert client.post(url, {"message": "Encore."}).status_code == 429
    # The count is per address: another buyer is still heard.
    assert client.post(url, {"message": "Adresse fermée."},
                       REMOTE_ADDR="198.51.100.7").status_code == 200
    assert ErrorReport.objects.count() == 11
    queue = staff_client.get(reverse("admin:enterprise_accounts_queue")).content.decode()
    assert "Le téléphone ne répond plus." in queue and "Adresse fermée." in queue


def test_staff_resolve_a_report_from_the_queue(staff_client, enterprise):
    report = ErrorReport.objects.create(enterprise=enterprise, message="Adresse fermée.")
    queue = reverse("admin:enterprise_accounts_queue")
    resolve = reverse("admin:enterprise_accounts_errorreport_resolve", args=[report.pk])
    assert f'action="{resolve}"' in staff_client.get(queue).content.decode()

    response = staff_client.post(resolve, follow=True)

    report.refresh_from_db()
    assert report.state == ErrorReport.State.RESOLVED
    assert "Adresse fermée." not in response.content.decode()


def test_claims_are_rate_limited_per_address(client, enterprise):
    url = reverse("enterprise_accounts:claim", args=[enterprise.slug])
    statuses = [client.post(url, claim_form(f"p{n}@example.com")).status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]
    # Another address may still claim.
    assert client.post(url, claim_form("sam@example.com"),
                       REMOTE_ADDR="198.51.100.7").status_code == 200
    assert Claim.objects.count() == 6


def test_an_empty_claim_form_says_what_is_missing(client, enterprise):
    response = client.post(reverse("enterprise_accounts:claim", args=[enterprise.slug]), {})
    assert response.status_code == 200
    assert "obligatoire" in response.content.decode()
    assert not Claim.objects.exists()


def test_an_owner_invites_a_colleague_in_their_language_and_can_revoke_the_link(
    client, enterprise, task_worker
):
    owner = EnterpriseMembershipFactory(enterprise=enterprise, role="owner")
    client.force_login(owner.user)
    team = reverse("enterprise_accounts:team", args=[enterprise.pk])
    client.post(team, {"email": "Sam@Example.com", "role": "editor", "language": "en"})
    client.post(team, {"email": "kim@example.com", "role": "owner", "language": "fr"})
    task_worker()
    sam, kim = mail.outbox
    assert sam.to == ["sam@example.com"] and "invited" in sam.subject
    assert "/en/enterprise/" in sam.body
    assert kim.subject.startswith("Vous êtes invité")

    kim_claim = Claim.objects.get(email="kim@example.com")
    client.post(reverse("enterprise_accounts:revoke_invitation",
                        args=[enterprise.pk, kim_claim.pk]))
    client.logout()

    visitor = Client()
    visitor.post(path_of(link_in(kim)))
    assert not EnterpriseMembership.objects.filter(user__username="kim@example.com").exists()
    response = visitor.post(path_of(link_in(sam)))
    assert response.url == reverse("enterprise_accounts:set_password")
    joined = EnterpriseMembership.objects.get(user__username="sam@example.com")
    assert (joined.role, joined.language) == ("editor", "en")


def test_an_editor_cannot_invite(client, enterprise):
    editor = EnterpriseMembershipFactory(enterprise=enterprise, role="editor")
    client.force_login(editor.user)
    response = client.post(reverse("enterprise_accounts:team", args=[enterprise.pk]),
                           {"email": "x@example.com", "role": "owner", "language": "fr"})
    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_a_claim_link_used_twice_grants_once(client, enterprise):
    claim = claims.start_claim(enterprise, "Léa", "DG", "lea@lespousses.coop", "fr", "http://x")
    assert claims.grant(claim)[0] is not None
    assert claims.grant(claim) == (None, False)
    assert EnterpriseMembership.objects.count() == 1


def test_an_neq_another_enterprise_holds_is_refused_then_and_at_approval(
    client, staff_client, enterprise
):
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client.force_login(membership.user)
    identity = reverse("enterprise_accounts:identity", args=[enterprise.pk])
    client.post(identity, {"name": enterprise.name, "neq": "1160 0000 05",
                           "legal_form": "cooperative"})
    change = ChangeRequest.objects.get()
    assert change.changes == {"neq": "1160000005"}
    # Meanwhile an import gave that number to another enterprise.
    EnterpriseFactory(neq="1160000005")
    response = client.post(identity, {"name": enterprise.name, "neq": "1160000005",
                                      "legal_form": "cooperative"})
    assert "Une autre entreprise du répertoire détient ce NEQ" in str(
        response.context["form"].errors)
    response = staff_client.post(
        reverse("admin:enterprise_accounts_changerequest_review", args=[change.pk]),
        {"approve": "1", "neq": "1160 0000 05"},
    )
    assert response.status_code == 200
    assert "Une autre entreprise du répertoire détient ce NEQ" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.neq == ""
    assert ChangeRequest.objects.get().state == ChangeRequest.State.PENDING


def test_a_new_proposal_replaces_the_one_still_waiting_for_the_same_field(client, enterprise):
    membership = EnterpriseMembershipFactory(enterprise=enterprise)
    client.force_login(membership.user)
    url = reverse("enterprise_accounts:profile", args=[enterprise.pk])
    client.post(url, profile_form(enterprise, description_fr="Premier jet.",
                                  phone="418 555-0101"))
    client.post(url, profile_form(enterprise, description_fr="Version finale."))
    waiting = {tuple(sorted(request.changes.items()))
               for request in ChangeRequest.objects.pending()}
    assert waiting == {(("phone", "+1 418-555-0101"),),
                       (("description_fr", "Version finale."),)}
