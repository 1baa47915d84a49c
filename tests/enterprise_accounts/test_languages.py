"""The enterprise portal as its own people see it, in French and in English: no word or
typography of the other language (the site-wide translation walk signs in as members and
staff, who find nothing in an enterprise's portal)."""

import pytest
from django.urls import reverse
from django.utils import translation

from enterprise_accounts.models import Claim
from tests.factories import (
    ChangeRequestFactory,
    ClaimFactory,
    EnterpriseFileFactory,
    EnterpriseMembershipFactory,
)
from tests.test_translations import other_language_found, read_text, where

pytestmark = pytest.mark.django_db

PORTAL_PAGES = ("profile", "identity", "files", "team")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_portal_page_speaks_only_its_language(client, language):
    owner = EnterpriseMembershipFactory(role="owner")
    enterprise = owner.enterprise
    EnterpriseMembershipFactory(enterprise=enterprise, role="editor")
    EnterpriseFileFactory(enterprise=enterprise, state="pending")
    ChangeRequestFactory(enterprise=enterprise)
    ClaimFactory(enterprise=enterprise, state=Claim.State.AWAITING_EMAIL,
                 invited_by=owner.user, role="editor")
    client.force_login(owner.user)
    # The people's and enterprise's own words are theirs, in whatever language.
    own_words = {enterprise.name, enterprise.description_fr, "Attestation"}
    problems = []
    with translation.override(language):
        urls = [reverse(f"enterprise_accounts:{name}", args=[enterprise.pk])
                for name in PORTAL_PAGES]
        urls += [reverse("enterprise_accounts:claim", args=[enterprise.slug]),
                 reverse("enterprise_accounts:report", args=[enterprise.slug]),
                 reverse("enterprise_accounts:set_password")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        # The page's own part: the site's header and footer are walked by the site-wide test.
        html = response.content.decode()
        main = html[html.index("<main"):html.index("</main>")]
        text = read_text(main, own_words)
        if other_language_found(text, language):
            problems.append(f"{url}: {where(text, language)}")
    assert not problems, "\n".join(problems)
