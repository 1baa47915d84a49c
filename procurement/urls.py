"""Shortlists under /listes/ (/en/shortlists/), requests for quotes under /demandes-de-prix/
(/en/quote-requests/): the paths are translated with the page's language."""

from django.urls import include, path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "procurement"

shortlist_patterns = [
    path("", views.ShortlistListView.as_view(), name="shortlist_list"),
    path("<int:pk>/", views.ShortlistDetailView.as_view(), name="shortlist_detail"),
    path("<int:pk>/export/", views.ShortlistExportView.as_view(), name="shortlist_export"),
    path("<int:pk>/<int:entry_pk>/", views.EntryView.as_view(), name="entry"),
    path(
        pgettext_lazy("url", "<int:pk>/request/"), views.QuoteRequestCreateView.as_view(),
        name="request_create",
    ),
    path(pgettext_lazy("url", "save/<slug:slug>/"), views.SaveView.as_view(), name="save"),
    path(
        pgettext_lazy("url", "shared/<str:token>/"), views.SharedShortlistView.as_view(),
        name="shortlist_shared",
    ),
    path(pgettext_lazy("url", "sign-up/"), views.BuyerSignupView.as_view(), name="buyer_signup"),
    path(
        pgettext_lazy("url", "confirm/<str:token>/"), views.BuyerConfirmView.as_view(),
        name="buyer_confirm",
    ),
]

request_patterns = [
    path("", views.QuoteRequestListView.as_view(), name="request_list"),
    path("<int:pk>/", views.QuoteRequestDetailView.as_view(), name="request_detail"),
    path(
        pgettext_lazy("url", "<int:pk>/attachment/"), views.RequestAttachmentView.as_view(),
        name="request_attachment",
    ),
    path(
        pgettext_lazy("url", "<int:pk>/ask/<int:invitation_pk>/"), views.AskView.as_view(),
        name="ask",
    ),
    path(pgettext_lazy("url", "<int:pk>/choose/"), views.ChooseView.as_view(), name="choose"),
    path(
        pgettext_lazy("url", "<int:pk>/purchase/"), views.RecordPurchaseView.as_view(),
        name="record_purchase",
    ),
    path(
        pgettext_lazy("url", "<int:pk>/quotes/<int:invitation_pk>/"),
        views.QuoteFileView.as_view(), name="quote_file",
    ),
    path(pgettext_lazy("url", "answer/<str:token>/"), views.RespondView.as_view(), name="respond"),
    path(
        pgettext_lazy("url", "answer/<str:token>/attachment/"),
        views.RespondAttachmentView.as_view(), name="respond_attachment",
    ),
    path(
        pgettext_lazy("url", "preferences/<str:token>/"), views.PreferencesView.as_view(),
        name="preferences",
    ),
    path(pgettext_lazy("url", "notices/"), views.BuyerNoticesView.as_view(), name="buyer_notices"),
    path(
        pgettext_lazy("url", "notices/stop/<str:token>/"), views.BuyerUnsubscribeView.as_view(),
        name="buyer_unsubscribe",
    ),
]

urlpatterns = [
    path(pgettext_lazy("url", "shortlists/"), include(shortlist_patterns)),
    path(pgettext_lazy("url", "quote-requests/"), include(request_patterns)),
]
