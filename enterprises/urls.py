from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("entreprises/<slug:slug>/", views.EnterpriseDetailView.as_view(), name="detail"),
]
