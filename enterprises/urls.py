from django.urls import path

from . import views
from .caching import public_directory_cache
from .exports import EnterpriseExportView

app_name = "enterprises"


def public(view_class):
    """The view of a public directory page, cached by ETag (``caching``)."""
    return public_directory_cache(view_class.as_view())


urlpatterns = [
    path("", public(views.HomeView), name="home"),
    path("repertoire/", public(views.DirectoryView), name="list"),
    # Before "detail": "exporter" would otherwise be read as a slug.
    path("entreprises/exporter/", EnterpriseExportView.as_view(), name="export"),
    path("entreprises/<slug:slug>/", public(views.EnterpriseDetailView), name="detail"),
    path("par-produit-et-service/", public(views.CategoryIndexView), name="category_index"),
    path("par-produit-et-service/<slug:slug>/", public(views.CategoryView), name="category"),
    path("secteurs/<slug:slug>/", public(views.SectorView), name="sector"),
    path("regions/<slug:slug>/", public(views.RegionView), name="region"),
]
