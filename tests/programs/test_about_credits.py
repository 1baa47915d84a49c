import pytest

from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_the_about_page_credits_the_official_place_lists_in_french(client):
    page = client.get("/pages/a-propos/").content.decode()

    assert "Sources des données géographiques" in page
    assert "<cite>Répertoire des municipalités du Québec</cite>, ministère des Affaires " \
        "municipales et de l'Habitation (MAMH)" in page.replace("&#x27;", "'")
    assert "<cite>Système sur les découpages administratifs</cite> (SDA), ministère des " \
        "Ressources naturelles et des Forêts (MRNF)" in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.fr">licence CC BY 4.0' in page


def test_the_about_page_credits_the_official_place_lists_in_english(client):
    page = client.get("/en/pages/a-propos/").content.decode()

    assert "Sources of the geographic data" in page
    assert "Ministère des Affaires municipales et de l'Habitation (MAMH)" in page.replace(
        "&#x27;", "'"
    )
    assert "Ministère des Ressources naturelles et des Forêts (MRNF)" in page
    assert "Données Québec under the Creative Commons Attribution 4.0 licence" in page


def test_other_pages_carry_no_data_credits(client):
    page = PageFactory(slug="autre-page", is_published=True)

    response = client.get("/pages/autre-page/")

    assert response.status_code == 200 and page.title in response.content.decode()
    assert "Données Québec" not in response.content.decode()
