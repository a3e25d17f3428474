"""Reads of tickets that views and tasks share."""

from django.db.models import QuerySet

from . import permissions
from .models import Followup, Task, Ticket


def tickets_visible_to(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(permissions.visible_tickets_q(user))


def followups_visible_to(user, ticket: Ticket) -> QuerySet[Followup]:
    followups = ticket.followups.select_related("author")
    if permissions.can_see_private(user, ticket):
        return followups
    return followups.filter(is_private=False)


def tasks_visible_to(user, ticket: Ticket) -> QuerySet[Task]:
    tasks = ticket.tasks.select_related("author", "assigned_user", "assigned_team")
    if permissions.can_see_private(user, ticket):
        return tasks
    return tasks.filter(is_private=False)


def documents_visible_to(user, ticket: Ticket):
    documents = ticket.documents.select_related("uploaded_by")
    if permissions.can_see_private(user, ticket):
        return documents
    return documents.filter(is_private=False)
