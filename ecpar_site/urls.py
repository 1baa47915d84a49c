"""Root URLs: the public site in French at /, in English under /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView

from ecpar_site import views
from enterprises.api import api
from enterprises.sitemaps import sitemaps
from programs.sitemaps import sitemaps as program_sitemaps

sitemaps = {**sitemaps, **program_sitemaps}

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/", api.urls),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("enterprises.urls")),
    path("", include("purchases.urls")),
    path("", include("programs.urls")),
    path("", include("events.urls")),
    path("", include("procurement.urls")),
    path("", include("enterprise_accounts.urls")),
    prefix_default_language=False,
)
