from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("themes/<slug:slug>/", views.theme_form, name="theme-form"),
    path("demandes/", views.my_tickets, name="my-tickets"),
    path("demandes/<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("demandes/<int:pk>/envoyee/", views.ticket_sent, name="ticket-sent"),
    path("demandes/<int:pk>/suivi/", views.ticket_followup, name="ticket-followup"),
    path("demandes/<int:pk>/solution/accepter/", views.solution_accept, name="solution-accept"),
    path("demandes/<int:pk>/solution/refuser/", views.solution_refuse, name="solution-refuse"),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document",
    ),
    path("profil/", views.profile, name="profile"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("recherche/personnes/", views.people, name="people"),
    path("recherche/lieux/", views.places, name="places"),
]
