from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("evenements/", views.EventListView.as_view(), name="list"),
    # The private links first: "annulation" and "inscriptions" would otherwise read as slugs.
    path(
        "evenements/inscriptions/<slug:token>/",
        views.RegistrationView.as_view(),
        name="registration",
    ),
    path("evenements/annulation/<slug:token>/", views.CancelView.as_view(), name="cancel"),
    path("evenements/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("evenements/<slug:slug>/inscription/", views.RegisterView.as_view(), name="register"),
    path("evenements/<slug:slug>/calendrier.ics", views.CalendarView.as_view(), name="calendar"),
    path("evenements/<slug:slug>/rendez-vous/", views.ScheduleView.as_view(), name="schedule"),
]
