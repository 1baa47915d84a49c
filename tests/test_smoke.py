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
def test_the_language_switch_offers_the_other_language(client):
    assert 'value="en" lang="en">English</button>' in client.get("/").content.decode()
    assert 'value="fr" lang="fr">Français</button>' in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_each_language_has_its_own_navigation(client):
    french, english = client.get("/").content.decode(), client.get("/en/").content.decode()

    assert 'aria-label="Menu principal"' in french and 'href="/repertoire/"' in french
    assert 'aria-label="Main menu"' in english and 'href="/en/repertoire/"' in english
