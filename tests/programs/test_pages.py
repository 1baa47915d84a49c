"""Editorial pages, the home page's section, the menu, the sitemap and the demo set."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from enterprises.models import Category
from programs.demo import load_programs_demo_set
from programs.models import Page, ProcurementSheet, VideoCapsule, text_blocks
from tests.factories import PageFactory, ProcurementSheetFactory, VideoCapsuleFactory

pytestmark = pytest.mark.django_db

BENEFITS = f"/pages/{Page.BENEFITS_SLUG}/"


def text(response):
    return response.content.decode()


# Editorial pages


def test_the_migrations_publish_the_benefits_and_about_pages_in_both_languages(client):
    french = text(client.get(BENEFITS))
    english = text(client.get(f"/en{BENEFITS}"))
    about = client.get("/en/pages/a-propos/")

    assert "<h1>Pourquoi acheter auprès d&#x27;entreprises d&#x27;économie sociale</h1>" in french
    assert "personnes éloignées du marché du travail" in french
    assert "<h1>Why buy from social economy enterprises</h1>" in english
    assert "Jobs for people far from the labour market" in english
    assert "Social Economy Act" in english
    assert about.status_code == 200 and "<h1>About</h1>" in text(about)


def test_unpublished_and_unknown_pages_are_not_found(client):
    draft = PageFactory(is_published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/pages/aucune-page/").status_code == 404
    assert client.get("/pages/pas un slug/").status_code == 404


def test_staff_preview_an_unpublished_page(staff_client):
    draft = PageFactory(is_published=False)

    assert staff_client.get(draft.get_absolute_url()).status_code == 200


def test_english_page_falls_back_to_french_while_untranslated(client):
    page = PageFactory(title_en="", body_en="", body="Texte seulement en français.")

    with translation.override("en"):
        url = page.get_absolute_url()
    english = text(client.get(url))

    assert url.startswith("/en/pages/")
    assert "Texte seulement en français." in english


def test_page_text_is_never_read_as_html(client):
    page = PageFactory(body='## Titre <script>alert(1)</script>\n\n<img src=x onerror="alert(1)">')

    html = text(client.get(page.get_absolute_url()))

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html


def test_plain_text_makes_headings_lists_and_paragraphs():
    blocks = text_blocks("Intro\nsur deux lignes\n\n## Titre\n\n- un\n- deux\r\n\r\nFin")

    assert blocks == [
        {"kind": "paragraph", "lines": ["Intro", "sur deux lignes"]},
        {"kind": "heading", "text": "Titre"},
        {"kind": "list", "items": ["un", "deux"]},
        {"kind": "paragraph", "lines": ["Fin"]},
    ]


# Home page and menu


def test_home_page_keeps_the_search_first_then_shows_sheets_capsules_and_benefits(client):
    sheet = ProcurementSheetFactory(title="Traiteur responsable")
    capsule = VideoCapsuleFactory(title="Capsule de démonstration")
    ProcurementSheetFactory(title="Fiche brouillon", is_published=False,
                            category=Category.objects.get(slug="imprimerie"))

    html = text(client.get(reverse("enterprises:home")))

    search = html.index('role="search"')
    assert search < html.index(sheet.get_absolute_url())
    assert capsule.get_absolute_url() in html
    assert f'href="{BENEFITS}"' in html
    assert "Fiche brouillon" not in html


def test_main_menu_links_sheets_capsules_and_benefits_in_both_languages(client):
    for prefix in ("", "/en"):
        html = text(client.get(f"{prefix}/"))
        nav = html[html.index('<ul class="nav">'):html.index("</nav>")]
        links = re.findall(r'href="([^"]+)"', nav)

        assert f"{prefix}/fiches/" in links
        assert f"{prefix}/capsules/" in links
        assert f"{prefix}{BENEFITS}" in links
        for link in (f"{prefix}/fiches/", f"{prefix}/capsules/", f"{prefix}{BENEFITS}"):
            assert client.get(link).status_code == 200


# Sitemap


def test_sitemap_lists_published_sheets_capsules_and_pages_in_both_languages(client):
    ProcurementSheetFactory(slug="fiche-publiee")
    ProcurementSheetFactory(slug="fiche-brouillon", is_published=False,
                            category=Category.objects.get(slug="imprimerie"))
    VideoCapsuleFactory(slug="capsule-publiee")
    VideoCapsuleFactory(slug="capsule-brouillon", is_published=False)

    index = text(client.get("/sitemap.xml"))
    sheets = text(client.get("/sitemap-sheets.xml"))
    capsules = text(client.get("/sitemap-capsules.xml"))
    pages = text(client.get("/sitemap-editorial.xml"))
    programs = text(client.get("/sitemap-programs.xml"))

    for section in ("sheets", "capsules", "editorial", "programs", "enterprises"):
        assert f"http://testserver/sitemap-{section}.xml" in index
    assert "<loc>http://testserver/fiches/fiche-publiee/</loc>" in sheets
    assert "<loc>http://testserver/en/fiches/fiche-publiee/</loc>" in sheets
    assert "brouillon" not in sheets and "brouillon" not in capsules
    assert "http://testserver/capsules/capsule-publiee/" in capsules
    assert f"http://testserver{BENEFITS}" in pages
    assert "<loc>http://testserver/fiches/</loc>" in programs


# Demo data


def test_the_demo_set_loads_sheets_and_capsules_once():
    call_command("seed_demo", enterprises=0, members=0, purchases=0,
                 stdout=StringIO(), stderr=StringIO())
    counts = (ProcurementSheet.objects.count(), VideoCapsule.objects.count())
    again = load_programs_demo_set()

    assert counts == (3, 2)
    assert again == {"sheets": 0, "capsules": 0}
    assert set(ProcurementSheet.objects.values_list("category__slug", flat=True)) == {
        "traiteur", "imprimerie", "recuperation-informatique",
    }
    capsule = VideoCapsule.objects.get(slug="desjardins-carrefour-environnement-saguenay")
    capsule.full_clean()
    assert list(capsule.enterprises.values_list("slug", flat=True)) == [
        "carrefour-environnement-saguenay"
    ]
    for sheet in ProcurementSheet.objects.all():
        sheet.full_clean()
        assert sheet.title_en and sheet.market_en and sheet.requirements_en
