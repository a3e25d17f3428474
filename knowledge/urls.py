from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("intervention/base-de-connaissances/", views.article_list, name="list"),
    path("intervention/base-de-connaissances/nouveau/", views.article_create, name="create"),
    path("intervention/base-de-connaissances/choix/", views.picker, name="picker"),
    path("intervention/base-de-connaissances/<int:pk>/", views.article_detail, name="detail"),
    path(
        "intervention/base-de-connaissances/<int:pk>/modifier/",
        views.article_edit,
        name="edit",
    ),
    path(
        "intervention/base-de-connaissances/<int:pk>/versions/<int:revision_pk>/restaurer/",
        views.revision_restore,
        name="restore",
    ),
    path("faq/", views.faq, name="faq"),
    path("faq/suggestions/", views.faq_suggestions, name="suggestions"),
    path("faq/<int:pk>/", views.faq_article, name="faq-article"),
    path("faq/<int:pk>/avis/", views.faq_vote, name="vote"),
    path(
        "faq/<int:pk>/fichiers/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
]
