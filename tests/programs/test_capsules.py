"""Video capsules: no third-party request before the visitor clicks, strict ids, links both ways."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from enterprises.models import Enterprise
from programs.models import VideoCapsule
from tests.factories import (
    EnterpriseFactory,
    MemberOrganizationFactory,
    VideoCapsuleFactory,
)
from tests.test_security import directives

pytestmark = pytest.mark.django_db

PLAYER_HOSTS = sorted(["https://www.youtube-nocookie.com", "https://player.vimeo.com"])


class AutoLoadedUrls(HTMLParser):
    """Every address a browser fetches on its own while reading the page, before any click."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("iframe", "img", "script", "frame", "embed", "audio", "video", "source",
                   "track", "input"):
            self.urls += [attrs.get(name) for name in ("src", "poster", "srcset")]
        if tag == "object":
            self.urls.append(attrs.get("data"))
        if tag == "link" and attrs.get("rel") in ("stylesheet", "preload", "prefetch",
                                                   "preconnect", "dns-prefetch", "icon",
                                                   "modulepreload"):
            self.urls.append(attrs.get("href"))
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            self.urls.append(attrs.get("content"))


def auto_loaded_urls(page):
    parser = AutoLoadedUrls()
    parser.feed(page)
    return [url for url in parser.urls if url]


def is_third_party(url):
    parts = urlsplit(url.strip())
    return bool(parts.netloc) and parts.hostname != "testserver" or url.startswith("//")


@pytest.fixture
def capsule():
    enterprise = EnterpriseFactory(name="Carrefour Environnement Saguenay",
                                   slug="carrefour-environnement-saguenay")
    member = MemberOrganizationFactory(name="Mouvement Desjardins", slug="mouvement-desjardins",
                                       declaration_signed_on="2024-01-15")
    return VideoCapsuleFactory(
        slug="desjardins-carrefour", title="Une deuxième vie", title_en="A second life",
        member=member, enterprises=[enterprise], video_id="ecparDemo01",
    )


def text(response):
    return response.content.decode()


# No third-party request before the click


@pytest.mark.parametrize("provider, video_id", [("youtube", "ecparDemo01"),
                                                ("vimeo", "76979871")])
def test_capsule_page_fetches_nothing_from_another_host_before_the_click(
    client, provider, video_id
):
    capsule = VideoCapsuleFactory(provider=provider, video_id=video_id)

    page = text(client.get(capsule.get_absolute_url()))

    loaded = auto_loaded_urls(page)
    assert loaded, "the parser found the page's own stylesheet and scripts"
    assert [url for url in loaded if is_third_party(url)] == []
    assert "<iframe" not in page
    # The player's address waits in the button for the click; the link is for visitors
    # without JavaScript, and a link loads nothing by itself.
    assert f'data-embed-url="{capsule.embed_url.replace("&", "&amp;")}"' in page
    assert f'href="{capsule.watch_url}"' in page
    assert '<script src="/static/js/video-consent.js" defer></script>' in page


def test_player_addresses_are_the_privacy_enhanced_ones():
    youtube = VideoCapsule(provider="youtube", video_id="ecparDemo01")
    vimeo = VideoCapsule(provider="vimeo", video_id="76979871")

    assert youtube.embed_url.startswith("https://www.youtube-nocookie.com/embed/ecparDemo01?")
    assert vimeo.embed_url.startswith("https://player.vimeo.com/video/76979871?")
    assert "dnt=1" in vimeo.embed_url


def test_the_policy_lets_frames_come_from_the_two_players_only(client, capsule):
    policy = directives(client.get(capsule.get_absolute_url()))

    assert sorted(policy["frame-src"]) == PLAYER_HOSTS
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "child-src" not in policy and "connect-src" not in policy


def test_the_consent_script_builds_the_player_only_on_click():
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "js" / "video-consent.js").read_text()
    listener = script.index('addEventListener("click"')

    assert script.index('createElement("iframe")') > listener
    assert "innerHTML" not in script


# Video ids


@pytest.mark.parametrize("provider, typed, expected", [
    ("youtube", "ecparDemo01", "ecparDemo01"),
    ("youtube", "https://www.youtube.com/watch?v=ecparDemo01&t=3", "ecparDemo01"),
    ("youtube", "https://youtu.be/ecparDemo01", "ecparDemo01"),
    ("youtube", "https://www.youtube-nocookie.com/embed/ecparDemo01", "ecparDemo01"),
    ("vimeo", "76979871", "76979871"),
    ("vimeo", "https://vimeo.com/76979871", "76979871"),
    ("vimeo", "https://player.vimeo.com/video/76979871", "76979871"),
])
def test_staff_may_paste_an_id_or_the_video_address(capsule, provider, typed, expected):
    capsule.provider, capsule.video_id = provider, typed

    capsule.full_clean()

    assert capsule.video_id == expected


@pytest.mark.parametrize("provider, typed", [
    ("youtube", "short"),
    ("youtube", 'ecparDemo0"'),
    ("youtube", "ecparDemo01?autoplay=1"),
    ("youtube", "https://evil.example.org/watch?v=ecparDemo01"),
    ("youtube", "javascript:alert(1)"),
    ("vimeo", "ecparDemo01"),
    ("vimeo", "12345"),
    ("vimeo", "https://vimeo.com/76979871/../../evil"),
])
def test_any_other_video_id_is_refused_with_a_message(capsule, provider, typed):
    capsule.provider, capsule.video_id = provider, typed

    with pytest.raises(ValidationError) as error:
        capsule.full_clean()

    assert "video_id" in error.value.message_dict


def test_a_bad_id_saved_around_the_form_is_never_put_in_a_page(client, capsule):
    VideoCapsule.objects.filter(pk=capsule.pk).update(video_id='x" onload="alert(1)')

    page = text(client.get(capsule.get_absolute_url()))

    assert "Une deuxième vie" in page
    assert "data-embed-url" not in page and "onload" not in page


def test_the_transcript_is_required(capsule):
    capsule.transcript = ""

    with pytest.raises(ValidationError) as error:
        capsule.full_clean()

    assert "transcript" in error.value.message_dict


# Links both ways


def test_capsule_links_to_its_enterprises_and_to_its_member(client, capsule):
    page = text(client.get(capsule.get_absolute_url()))

    assert 'href="/entreprises/carrefour-environnement-saguenay/"' in page
    assert 'href="/jachete/#mouvement-desjardins"' in page


def test_capsule_leaves_out_unpublished_enterprises(client, capsule):
    hidden = EnterpriseFactory(name="Entreprise retirée", status=Enterprise.Status.ARCHIVED)
    capsule.enterprises.add(hidden)

    page = text(client.get(capsule.get_absolute_url()))

    assert "Carrefour Environnement Saguenay" in page
    assert "Entreprise retirée" not in page


def test_enterprise_page_lists_its_published_capsules(client, capsule):
    enterprise = capsule.enterprises.get()
    VideoCapsuleFactory(title="Capsule brouillon", enterprises=[enterprise], is_published=False)

    page = text(client.get(enterprise.get_absolute_url()))

    assert 'href="/capsules/desjardins-carrefour/"' in page
    assert "Capsule brouillon" not in page


def test_signatories_page_lists_each_members_capsules_in_one_query(
    client, capsule, django_assert_num_queries
):
    for number in range(5):
        member = MemberOrganizationFactory(declaration_signed_on="2024-02-01")
        VideoCapsuleFactory.create_batch(2, member=member, title=f"Capsule {number}")
    VideoCapsuleFactory(member=capsule.member, title="Capsule brouillon", is_published=False)

    # The signatories with their region; their published capsules.
    with django_assert_num_queries(2):
        page = text(client.get(reverse("purchases:declaration")))

    assert 'id="mouvement-desjardins"' in page
    assert 'href="/capsules/desjardins-carrefour/"' in page
    assert page.count('href="/capsules/capsule-numero-') == 10
    assert "Capsule brouillon" not in page


# Publication and languages


def test_unpublished_and_unknown_capsules_are_not_found(client, capsule):
    draft = VideoCapsuleFactory(is_published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/capsules/aucune-capsule/").status_code == 404
    assert client.get("/capsules/", {"page": "999"}).status_code == 404
    assert list(client.get("/capsules/").context["capsules"]) == [capsule]


def test_english_capsule_shows_the_english_texts_under_en(client, capsule):
    with translation.override("en"):
        url = capsule.get_absolute_url()

    page = text(client.get(url))

    assert url == "/en/capsules/desjardins-carrefour/"
    assert "<h1>A second life</h1>" in page and "Narrator: a partnership." in page
    assert 'href="/en/entreprises/carrefour-environnement-saguenay/"' in page


def test_capsule_index_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    for _number in range(6):
        VideoCapsuleFactory(enterprises=EnterpriseFactory.create_batch(2))

    # The page's count; the capsules with their member; their published enterprises.
    with django_assert_num_queries(3):
        response = client.get("/capsules/")

    assert len(response.context["capsules"]) == 6
