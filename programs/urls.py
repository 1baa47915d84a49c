from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("fiches/", views.SheetIndexView.as_view(), name="sheet_index"),
    path("fiches/<slug:slug>/", views.SheetDetailView.as_view(), name="sheet"),
    path("capsules/", views.CapsuleIndexView.as_view(), name="capsule_index"),
    path("capsules/<slug:slug>/", views.CapsuleDetailView.as_view(), name="capsule"),
    path("pages/<slug:slug>/", views.PageView.as_view(), name="page"),
]
