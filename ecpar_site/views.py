"""Site-wide views: the load balancer's health check and the CSRF refusal page."""

from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.shortcuts import render
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
