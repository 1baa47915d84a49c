import pytest
from django.urls import reverse

from enterprises.models import Region
from tests.factories import EnterpriseFactory


@pytest.mark.django_db
def test_home_lists_published_enterprises_in_french_and_english(client):
    EnterpriseFactory(name="Dose Culture")
    for url in (reverse("enterprises:home"), "/en/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Dose Culture" in response.content.decode()


@pytest.mark.django_db
def test_a_migrated_database_has_the_seventeen_regions():
    assert list(Region.objects.values_list("code", flat=True)) == [f"{n:02}" for n in range(1, 18)]


@pytest.mark.django_db
def test_the_language_switch_links_to_the_same_page_in_the_other_language(client):
    enterprise = EnterpriseFactory(name="Dose Culture")
    listing = client.get("/repertoire/?q=culture&region=06").content.decode()
    french_url = f"/entreprises/{enterprise.slug}/"
    english_page = client.get(f"/en{french_url}").content.decode()

    assert 'href="/en/repertoire/?q=culture&amp;region=06" hreflang="en"' in listing
    assert f'href="{french_url}" hreflang="fr" lang="fr">Français' in english_page


@pytest.mark.django_db
def test_an_unknown_address_offers_the_other_languages_home_page(client):
    assert 'href="/en/" hreflang="en"' in client.get("/nulle-part/").content.decode()


@pytest.mark.django_db
def test_public_pages_set_no_cookie(client):
    enterprise = EnterpriseFactory()
    for url in ("/", "/repertoire/?q=culture", enterprise.get_absolute_url(), "/en/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url


@pytest.mark.django_db
def test_each_language_has_its_own_navigation(client):
    french, english = client.get("/").content.decode(), client.get("/en/").content.decode()

    assert 'aria-label="Menu principal"' in french and 'href="/repertoire/"' in french
    assert 'aria-label="Main menu"' in english and 'href="/en/repertoire/"' in english
