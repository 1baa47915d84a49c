"""A buyer signs up in a real browser, in French and in English, and chooses the password on
the page the confirmation email's link opens (not on the sign-up form, which anyone may fill
with someone else's address); both pages pass axe-core, errors included."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from procurement.models import BuyerProfile

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORDS = {
    "fr-ca": {"create": "Créer mon compte", "activate": "Activer mon compte"},
    "en": {"create": "Create my account", "activate": "Activate my account"},
}


def url(language, name):
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_a_buyer_signs_up_then_chooses_the_password_from_the_email_s_link(
    page, live_server, task_worker, language, check_accessibility
):
    words = WORDS[language]
    site = live_server.url
    page.goto(site + url(language, "procurement:buyer_signup"))
    check_accessibility(page)
    assert page.locator("input[type=password]").count() == 0
    page.fill("#id_organization_name", "Clinique des Rives")
    page.select_option("#id_kind", "private_company")
    page.fill("#id_email", "achats@clinique.example")
    page.get_by_role("button", name=words["create"]).click()
    expect(page.locator("h1")).to_be_visible()
    task_worker()
    [message] = mail.outbox
    link = re.search(r"https?://\S+", message.body).group().replace("http://testserver", site)

    page.goto(link)
    check_accessibility(page)
    page.fill("#id_password1", "un mot de passe solide")
    page.fill("#id_password2", "un autre mot de passe")
    page.get_by_role("button", name=words["activate"]).click()
    expect(page.locator("#id_password2")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)
    assert not BuyerProfile.objects.get().user.is_active

    page.fill("#id_password1", "un mot de passe solide")
    page.fill("#id_password2", "un mot de passe solide")
    page.get_by_role("button", name=words["activate"]).click()

    expect(page).to_have_url(site + url(language, "procurement:shortlist_list"))
    user = BuyerProfile.objects.get().user
    assert user.is_active and user.check_password("un mot de passe solide")
