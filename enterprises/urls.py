from django.urls import path

from . import views
from .exports import EnterpriseExportView

app_name = "enterprises"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("repertoire/", views.DirectoryView.as_view(), name="list"),
    # Before "detail": "exporter" would otherwise be read as a slug.
    path("entreprises/exporter/", EnterpriseExportView.as_view(), name="export"),
    path("entreprises/<slug:slug>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("par-produit-et-service/", views.CategoryIndexView.as_view(), name="category_index"),
    path("par-produit-et-service/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("secteurs/<slug:slug>/", views.SectorView.as_view(), name="sector"),
    path("regions/<slug:slug>/", views.RegionView.as_view(), name="region"),
]
