"""Shared steps of the browser tests."""

from django.conf import settings
from django.test import Client


def log_in(context, live_server, user):
    """Sign the browser in as ``user`` without going through the form (tests of the form do)."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
