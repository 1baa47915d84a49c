"""The member portal under /membres/, the public pages under /achats/ and /jachete/."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import uploads, views
from .forms import PasswordResetRequestForm

app_name = "purchases"

auth_patterns = [
    path(
        "membres/connexion/",
        views.SignInView.as_view(),
        name="login",
    ),
    path(
        "membres/deconnexion/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("purchases:login")),
        name="logout",
    ),
    path(
        "membres/mot-de-passe/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetRequestForm,
            success_url=reverse_lazy("purchases:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "membres/mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "membres/mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("purchases:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "membres/mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("membres/invitations/<str:token>/", views.InvitationView.as_view(), name="invitation"),
]

portal_patterns = [
    path("membres/", views.DashboardView.as_view(), name="dashboard"),
    path("membres/achats/", views.PurchaseListView.as_view(), name="purchase_list"),
    path("membres/achats/ajouter/", views.PurchaseCreateView.as_view(), name="purchase_create"),
    path("membres/achats/importer/", uploads.PurchaseUploadView.as_view(), name="purchase_upload"),
    path(
        "membres/achats/importer/confirmer/", uploads.ConfirmUploadView.as_view(),
        name="upload_confirm",
    ),
    path(
        "membres/achats/importer/<str:token>/", uploads.UploadStatusView.as_view(),
        name="upload_status",
    ),
    path("membres/achats/modele/", views.UploadTemplateView.as_view(), name="upload_template"),
    path("membres/achats/exporter/", views.PurchaseExportView.as_view(), name="purchase_export"),
    path("membres/achats/<int:pk>/", views.PurchaseDetailView.as_view(), name="purchase_detail"),
    path(
        "membres/achats/<int:pk>/modifier/",
        views.PurchaseUpdateView.as_view(),
        name="purchase_update",
    ),
    path(
        "membres/achats/<int:pk>/soumettre/",
        views.PurchaseSubmitView.as_view(),
        name="purchase_submit",
    ),
    path(
        "membres/achats/<int:pk>/retirer/",
        views.PurchaseWithdrawView.as_view(),
        name="purchase_withdraw",
    ),
    path(
        "membres/entreprises/suggestions/",
        views.EnterpriseSuggestionsView.as_view(),
        name="enterprise_suggestions",
    ),
    path("membres/objectif/", views.TargetView.as_view(), name="target"),
    path("membres/equipe/", views.TeamView.as_view(), name="team"),
    path(
        "membres/equipe/<int:pk>/retirer/", views.RemoveMemberView.as_view(), name="remove_member"
    ),
    path(
        "membres/equipe/invitations/<int:pk>/revoquer/",
        views.RevokeInvitationView.as_view(),
        name="revoke_invitation",
    ),
]

public_patterns = [
    path("achats/", views.RepertoryView.as_view(), name="repertory"),
    path("achats/export.csv", views.RepertoryExportView.as_view(), name="repertory_export"),
    path("achats/ocds.json", views.OcdsView.as_view(), name="ocds"),
    path("jachete/", views.DeclarationView.as_view(), name="declaration"),
]

urlpatterns = auth_patterns + portal_patterns + public_patterns
