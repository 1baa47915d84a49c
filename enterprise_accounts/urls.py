"""The enterprise portal in French under /entreprise/, in English under /en/enterprise/."""

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import views
from .sections import portal_pages

app_name = "enterprise_accounts"

urlpatterns = [
    path(_("enterprise/"), views.PortalHomeView.as_view(), name="portal"),
    path(_("enterprise/password/"), views.SetPasswordView.as_view(), name="set_password"),
    path(_("enterprise/<int:pk>/profile/"), views.ProfileView.as_view(), name="profile"),
    path(_("enterprise/<int:pk>/confirm/"), views.ConfirmView.as_view(), name="confirm"),
    path(_("enterprise/<int:pk>/identity/"), views.IdentityView.as_view(), name="identity"),
    path(_("enterprise/<int:pk>/files/"), views.FilesView.as_view(), name="files"),
    path(
        _("enterprise/<int:pk>/files/<int:file_pk>/remove/"), views.FileDeleteView.as_view(),
        name="file_delete",
    ),
    path(_("enterprise/<int:pk>/team/"), views.TeamView.as_view(), name="team"),
    path(
        _("enterprise/<int:pk>/team/<int:member_pk>/remove/"), views.RemovePersonView.as_view(),
        name="remove_person",
    ),
    path(
        _("enterprise/<int:pk>/team/invitations/<int:claim_pk>/revoke/"),
        views.RevokeInvitationView.as_view(), name="revoke_invitation",
    ),
    path(_("enterprise/claim/<slug:slug>/"), views.ClaimView.as_view(), name="claim"),
    path(_("enterprise/claim/link/<str:token>/"), views.ClaimLinkView.as_view(),
         name="claim_link"),
    path(_("enterprise/welcome/<str:token>/"), views.WelcomeView.as_view(), name="welcome"),
    path(_("enterprise/report/<slug:slug>/"), views.ReportView.as_view(), name="report"),
    path(_("enterprise/file/<int:pk>/"), views.PublicFileView.as_view(), name="file"),
]

# The pages other apps add (their sections are registered when the apps are ready, before the
# URLs are read).
urlpatterns += [
    path(format_lazy("{}{}/", _("enterprise/<int:pk>/"), page.slug),
         views.PortalPageView.as_view(page=page), name=page.url_name)
    for page in portal_pages()
]
