"""Site-wide views: the load balancer's health check, the CSRF refusal page, the favicon."""

from django.db import DatabaseError, connections
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 only when the primary database answers, so the load balancer skips a broken server."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """The site's own translated 403 page, without Django's explanation of the failed check."""
    return render(request, "403.html", status=403)


def favicon(request):
    """Tools and old browsers ask for /favicon.ico whatever the page links: send them to the
    icon the pages name (its hashed name in production)."""
    return HttpResponsePermanentRedirect(static("favicon-32.png"))
