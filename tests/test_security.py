"""Security on every URL: headers, inline code, CSRF, the login throttle, cookies, deploy checks.

The URLs are read from the URLconf, so a page added later is covered without editing this file.
"""

import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, resolve, reverse
from django.urls import path as url_path
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ecpar_site import urls as site_urls
from ecpar_site.proxies import client_ip_address
from enterprises.models import Category, Region, Sector
from purchases.models import Membership, Purchase
from purchases.urls import portal_patterns
from tests.factories import (
    EnterpriseFactory,
    MembershipFactory,
    PurchaseFactory,
    StaffFactory,
)

PASSWORD = "correct horse battery staple"


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for key in resolver.reverse_dict:
        if isinstance(key, str):
            yield namespace + key
    for name, (_prefix, child) in resolver.namespace_dict.items():
        yield from url_names(child, f"{namespace}{name}:")


def reversible_without_arguments(name):
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


ARGUMENTLESS = sorted(name for name in set(url_names()) if reversible_without_arguments(name))


@pytest.fixture
def member(db):
    """A staff member of a member organization: sees the portal and the admin."""
    user = StaffFactory(username="curator")
    MembershipFactory(user=user, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def draft(member):
    return PurchaseFactory(
        organization=member.memberships.get().organization, status=Purchase.Status.DRAFT
    )


@pytest.fixture
def actions(member, draft):
    """URLs that only take a POST: each changes something."""
    colleague = MembershipFactory(organization=draft.organization)
    return [
        reverse("purchases:purchase_submit", args=[draft.pk]),
        reverse("purchases:purchase_withdraw", args=[draft.pk]),
        reverse("purchases:remove_member", args=[colleague.pk]),
        reverse("admin:purchases_purchase_delete", args=[draft.pk]),
    ]


@pytest.fixture
def urls_with_arguments(member, draft):
    """A page of each kind whose URL takes an argument."""
    enterprise = EnterpriseFactory()
    return [
        enterprise.get_absolute_url(),
        reverse("enterprises:category", args=[Category.objects.first().slug]),
        reverse("enterprises:sector", args=[Sector.objects.first().slug]),
        reverse("enterprises:region", args=[Region.objects.first().slug]),
        reverse("purchases:purchase_detail", args=[draft.pk]),
        reverse("purchases:purchase_update", args=[draft.pk]),
        reverse(
            "purchases:password_reset_confirm",
            args=[urlsafe_base64_encode(force_bytes(member.pk)),
                  default_token_generator.make_token(member)],
        ),
        reverse("admin:enterprises_enterprise_change", args=[enterprise.pk]),
        reverse("admin:purchases_purchase_change", args=[draft.pk]),
        reverse("sitemap-section", args=["enterprises"]),
    ]


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        parts[0]: parts[1:] for parts in (part.split() for part in policy.split(";")) if parts
    }


def assert_security_headers(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


class InlineCode(HTMLParser):
    """Collects what the policy blocks: inline scripts, style elements and attributes, on*=."""

    DATA_SCRIPTS = {"application/ld+json", "application/json"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            if attributes.get("type") not in self.DATA_SCRIPTS:
                self.found.append(self.get_starttag_text())
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(response):
    if not response["Content-Type"].startswith("text/html"):
        return []
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


def in_both_languages(name):
    """The French path and, for pages under i18n_patterns, its English twin."""
    paths = set()
    for language in ("fr", "en"):
        with translation.override(language):
            paths.add(reverse(name))
    return sorted(paths)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ARGUMENTLESS)
def test_every_url_sends_the_security_headers_and_no_inline_code(name, client, member):
    for who in ("anonymous", "member"):
        if who == "member":
            client.force_login(member)
        for path in in_both_languages(name):
            response = client.get(path, secure=True)
            assert response.status_code < 500, (who, path)
            assert_security_headers(response)
            assert inline_code(response) == [], (who, path)


@pytest.mark.django_db
def test_pages_with_arguments_send_the_security_headers_and_no_inline_code(
    member_client, urls_with_arguments
):
    for url in urls_with_arguments:
        response = member_client.get(url, secure=True)
        if response.status_code == 302:  # the reset link hides its token behind a redirect
            response = member_client.get(response["Location"], secure=True)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert inline_code(response) == [], url


def test_the_policy_never_allows_inline_or_evaluated_scripts():
    script_sources = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script_sources)


def is_csrf_exempt(path):
    return getattr(resolve(path).func, "csrf_exempt", False)


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_token(member, urls_with_arguments, actions):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    for url in [reverse(name) for name in ARGUMENTLESS] + urls_with_arguments + actions:
        response = client.post(url, {"username": "curator", "password": PASSWORD}, secure=True)
        if is_csrf_exempt(url):
            # Only the public API may skip the check (django-ninja exempts its views), and it
            # answers GET alone: a state-changing view anywhere that skips it is a finding.
            assert url.startswith("/api/"), url
            assert response.status_code == 405, url
        else:
            assert response.status_code == 403, url
            assert [t.name for t in response.templates][:1] == ["403.html"], url


@pytest.mark.django_db
def test_a_post_with_its_token_gets_through(member):
    client = Client(enforce_csrf_checks=True)
    login = reverse("purchases:login")
    token = client.get(login, secure=True).cookies["csrftoken"].value
    response = client.post(
        login,
        {"username": "curator", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        headers={"referer": f"https://testserver{login}"},
    )
    assert response.status_code == 302


# Login throttle -----------------------------------------------------------------------------

LOGINS = ["purchases:login", "admin:login"]
ATTACKER = "203.0.113.66"
REAL_USER = "198.51.100.7"


@pytest.fixture
def throttled(settings, member):
    settings.AXES_ENABLED = True
    return member


def sign_in(client, login, password, address, forwarded_for=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        reverse(login), {"username": "curator", "password": password}, **extra
    )


def is_signed_in(client):
    return "_auth_user_id" in client.session


def lock_out(login, address=ATTACKER, forwarded_for=None):
    attacker = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, login, f"guess-{attempt}", address, forwarded_for)
    return attacker


@pytest.mark.parametrize("login", LOGINS)
def test_wrong_passwords_lock_that_username_out_from_that_address(login, throttled):
    attacker = lock_out(login)

    response = sign_in(attacker, login, PASSWORD, ATTACKER)

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert not is_signed_in(attacker)


@pytest.mark.parametrize("login", LOGINS)
def test_a_forged_forwarded_for_does_not_reset_the_count(login, throttled):
    attacker = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, login, "guess", ATTACKER, forwarded_for=f"192.0.2.{attempt}")

    response = sign_in(attacker, login, PASSWORD, ATTACKER, forwarded_for="192.0.2.99")

    assert response.status_code == 429
    assert not is_signed_in(attacker)


@pytest.mark.parametrize("login", LOGINS)
def test_the_real_user_elsewhere_still_signs_in_during_a_lockout(login, throttled, client):
    lock_out(login)

    response = sign_in(client, login, PASSWORD, REAL_USER)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_lockout_ends_after_the_cool_off(throttled, client):
    lock_out("purchases:login")
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
        attempt.save()

    response = sign_in(client, "purchases:login", PASSWORD, ATTACKER)

    assert response.status_code == 302
    assert settings.AXES_COOLOFF_TIME <= timedelta(minutes=30)


def test_behind_trusted_proxies_the_address_they_saw_counts(throttled, settings, client):
    """The balancer appends the client's address; what the client wrote before it is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = "10.0.0.2"
    lock_out("purchases:login", balancer, forwarded_for=f"192.0.2.1, {ATTACKER}")

    locked = sign_in(Client(), "purchases:login", PASSWORD, balancer, f"192.0.2.2, {ATTACKER}")
    real_user = sign_in(client, "purchases:login", PASSWORD, balancer, forwarded_for=REAL_USER)

    assert locked.status_code == 429
    assert real_user.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.2"),
        (1, "192.0.2.1, 203.0.113.66", "203.0.113.66"),
        (2, "192.0.2.1, 203.0.113.66, 10.0.0.1", "203.0.113.66"),
        (1, "", "10.0.0.2"),
        (2, "203.0.113.66", "10.0.0.2"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(
    rf, settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip_address(request) == expected


# Production settings, read by a fresh interpreter as gunicorn would ----------------------------

def production_environment(**overrides):
    """The environment of a production server: no DEBUG, a long random key, a host name."""
    ours = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_", "SESSION_", "CSRF_", "DJANGO_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
    env.update(
        DJANGO_SETTINGS_MODULE="ecpar_site.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="repertoire.example.org",
    )
    return {**env, **overrides}


def run(*command, **environment):
    return subprocess.run(
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env=production_environment(**environment),
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION_NAMES = [
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
]


@pytest.fixture(scope="module")
def production_settings():
    script = (
        "import json; from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {PRODUCTION_NAMES!r}}}))"
    )
    result = run("-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_passes_in_production():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_check_deploy_would_catch_a_missing_hsts():
    result = run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0"
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


@pytest.mark.django_db
def test_production_cookies_are_secure_httponly_and_lax(production_settings, settings, member):
    for name, value in production_settings.items():
        setattr(settings, name, value)
    client = Client()
    login = reverse("purchases:login")

    csrf_cookie = client.get(login, secure=True).cookies["csrftoken"]
    session_cookie = client.post(
        login, {"username": "curator", "password": PASSWORD}, secure=True
    ).cookies["sessionid"]

    for cookie in (csrf_cookie, session_cookie):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_production_redirects_http_to_https_except_the_health_check(
    production_settings, settings, client
):
    for name, value in production_settings.items():
        setattr(settings, name, value)

    assert client.get("/").headers["Location"] == "https://testserver/"
    assert client.get("/healthz").status_code == 200


# Uploads ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_oversized_form_is_refused_before_it_is_read(client):
    """A form body past DATA_UPLOAD_MAX_MEMORY_SIZE is a clean 400, never a stored record."""
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("purchases:login"), {"username": too_big, "password": "x"})
    assert response.status_code == 400
    assert [t.name for t in response.templates][:1] == ["400.html"]


# Private pages ------------------------------------------------------------------------------

PORTAL_PAGES = sorted(
    f"purchases:{pattern.name}" for pattern in portal_patterns
    if reversible_without_arguments(f"purchases:{pattern.name}")
)


def is_private(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.mark.parametrize("name", PORTAL_PAGES)
@pytest.mark.django_db
def test_no_cache_keeps_a_portal_page(name, client):
    client.force_login(MembershipFactory(role=Membership.Role.MANAGER).user)
    for path in in_both_languages(name):
        response = client.get(path)
        assert response.status_code in (200, 405), path
        assert is_private(response), path


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_no_cache_keeps_a_members_export(member_client, draft, export_format):
    response = member_client.get(reverse("purchases:purchase_export"), {"format": export_format})

    assert response.status_code == 200
    assert is_private(response)


def test_no_cache_keeps_a_purchase_or_the_sign_in_redirect(member_client, draft):
    detail = reverse("purchases:purchase_detail", args=[draft.pk])

    assert is_private(member_client.get(detail))
    assert is_private(Client().get(detail))


@pytest.mark.parametrize(
    "name", ["enterprises:home", "enterprises:list", "purchases:repertory", "events:list"]
)
@pytest.mark.django_db
def test_public_pages_stay_cacheable(name, client):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# Logs ---------------------------------------------------------------------------------------


def broken_view(request):
    raise RuntimeError("the mail server vanished")


# The site's URLs, which its error page links to, and one whose view fails.
urlpatterns = [url_path("en-panne/", broken_view), *site_urls.urlpatterns]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_unhandled_error_is_logged_to_stderr_with_its_traceback(client):
    assert not settings.DEBUG
    stderr = next(handler for handler in logging.getLogger().handlers if handler.name == "stderr")
    written = io.StringIO()
    original = stderr.setStream(written)
    client.raise_request_exception = False
    try:
        response = client.get("/en-panne/")
    finally:
        stderr.setStream(original)

    assert response.status_code == 500
    log = written.getvalue()
    assert re.match(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR django.request Internal Server Error: "
        "/en-panne/\n", log
    )
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: the mail server vanished" in log
