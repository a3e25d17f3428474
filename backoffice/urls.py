from django.urls import path

from .views import dashboard, lookups, queues, replies, work
from .views import links as link_views
from .views.new import new_ticket

app_name = "backoffice"

urlpatterns = [
    path("", queues.queue, name="home"),
    path("files/<slug:queue>/", queues.queue, name="queue"),
    path("files/<slug:queue>/actions/", queues.bulk_action, name="bulk"),
    path("files/<slug:queue>/export.csv", queues.export_csv, name="export"),
    path("recherches/", queues.saved_search_create, name="saved-search-create"),
    path("recherches/<int:pk>/", queues.saved_search, name="saved-search"),
    path(
        "recherches/<int:pk>/supprimer/",
        queues.saved_search_delete,
        name="saved-search-delete",
    ),
    path("tableau-de-bord/", dashboard.dashboard, name="dashboard"),
    path("tableau-de-bord/export/", dashboard.dashboard_export, name="dashboard-export"),
    path("compteur/", queues.open_count, name="open-count"),
    path("recherche/<slug:kind>/", lookups.lookup, name="lookup"),
    path("tickets/nouveau/", new_ticket, name="new-ticket"),
    path("tickets/<int:pk>/", work.ticket_page, name="ticket"),
    path("tickets/<int:pk>/ordre/", work.timeline_order, name="timeline-order"),
    path("tickets/<int:pk>/prendre/", work.take, name="take"),
    path("tickets/<int:pk>/champs/", work.update_fields, name="fields"),
    path("tickets/<int:pk>/technicien/", work.assign, name="assign"),
    path("tickets/<int:pk>/statut/", work.change_status, name="status"),
    path("tickets/<int:pk>/observateurs/", work.change_observers, name="observers"),
    path("tickets/<int:pk>/transfert/", work.transfer, name="transfer"),
    path("tickets/<int:pk>/suivis/", work.add_followup, name="followup"),
    path("tickets/<int:pk>/taches/", work.add_task, name="task"),
    path("tickets/<int:pk>/taches/<int:task_pk>/faite/", work.complete_task, name="task-done"),
    path("tickets/<int:pk>/documents/", work.add_document, name="document-add"),
    path("tickets/<int:pk>/documents/<int:document_pk>/", work.document, name="document"),
    path("tickets/<int:pk>/solution/", work.propose_solution, name="solution"),
    path("reponses-types/", replies.canned_list, name="canned-list"),
    path("reponses-types/nouvelle/", replies.canned_create, name="canned-create"),
    path("reponses-types/choisir/", replies.canned_picker, name="canned-picker"),
    path("reponses-types/<int:pk>/", replies.canned_edit, name="canned-edit"),
    path(
        "reponses-types/<int:pk>/desactiver/", replies.canned_deactivate, name="canned-deactivate"
    ),
    path("tickets/<int:pk>/liens/", link_views.add_link, name="link-add"),
    path("tickets/<int:pk>/liens/<int:link_pk>/", link_views.remove_link, name="link-remove"),
    path("tickets/<int:pk>/fusion/", link_views.merge, name="merge"),
    path("tickets/<int:pk>/enfants/solution/", link_views.solve_children, name="children-solution"),
]
