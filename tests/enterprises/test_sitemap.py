import re

import pytest

from enterprises.models import Enterprise
from enterprises.sitemaps import EnterpriseSitemap
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def locations(response):
    return re.findall(r"<loc>(.*?)</loc>", response.content.decode())


def test_sitemap_index_lists_a_sitemap_per_kind_of_page(client):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert {
        f"http://testserver/sitemap-{section}.xml"
        for section in ("pages", "enterprises", "categories", "sectors", "regions")
    } <= set(locations(response))


def test_sitemap_lists_published_enterprises_in_both_languages(client, django_assert_num_queries):
    EnterpriseFactory(slug="cuisine-collective")
    EnterpriseFactory.create_batch(5)

    with django_assert_num_queries(1):
        content = client.get("/sitemap-enterprises.xml").content.decode()

    assert "<loc>http://testserver/entreprises/cuisine-collective/</loc>" in content
    assert "<loc>http://testserver/en/entreprises/cuisine-collective/</loc>" in content
    assert 'hreflang="en" href="http://testserver/en/entreprises/cuisine-collective/"' in content
    assert "<lastmod>" in content


def test_a_large_directory_spreads_its_enterprises_over_several_sitemap_files(client, monkeypatch):
    monkeypatch.setattr(EnterpriseSitemap, "limit", 4)
    EnterpriseFactory.create_batch(3)

    index = locations(client.get("/sitemap.xml"))
    second = client.get("/sitemap-enterprises.xml?p=2")

    assert "http://testserver/sitemap-enterprises.xml?p=2" in index
    assert len(locations(second)) == 2


def test_sitemap_never_lists_drafts_or_archived_enterprises(client):
    EnterpriseFactory(slug="publiee")
    EnterpriseFactory(slug="brouillon", status=Enterprise.Status.DRAFT)
    EnterpriseFactory(slug="archivee", status=Enterprise.Status.ARCHIVED)

    listed = locations(client.get("/sitemap-enterprises.xml"))

    assert {location.split("/")[-2] for location in listed} == {"publiee"}


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("pages", "http://testserver/repertoire/"),
        ("categories", "http://testserver/en/par-produit-et-service/traiteur/"),
        ("sectors", "http://testserver/secteurs/services-alimentaires/"),
        ("regions", "http://testserver/regions/montreal/"),
    ],
)
def test_sitemap_lists_the_directory_pages(client, section, expected):
    response = client.get(f"/sitemap-{section}.xml")

    assert response.status_code == 200
    assert expected in locations(response)


def test_robots_txt_points_to_the_sitemap_and_keeps_robots_out_of_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert {"Disallow: /admin/", "Disallow: /membres/", "Disallow: /api/"} <= set(lines)


def test_robots_txt_lets_robots_read_the_public_directory(client):
    disallowed = [
        line.removeprefix("Disallow: ")
        for line in client.get("/robots.txt").content.decode().splitlines()
        if line.startswith("Disallow:")
    ]

    assert "/admin/" in disallowed
    for public in ("/", "/repertoire/", "/entreprises/cuisine/", "/en/par-produit-et-service/"):
        assert not any(public.startswith(prefix) for prefix in disallowed)
