"""Who gets into the back office, and which ticket a technician may open."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from .. import permissions
from ..models import Task, Ticket


def can_use_back_office(user) -> bool:
    """Technicians, and anyone who was given a task as an expert."""
    if permissions.is_technician(user):
        return True
    return user.is_active and Task.objects.filter(assigned_user=user).exists()


def back_office(view):
    """Log in first; then anyone else than a technician or an expert gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_back_office(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def worked_ticket(request, pk: int) -> Ticket:
    """The ticket if the user works on it (team, assignee, expert, admin); 404 otherwise."""
    ticket = get_object_or_404(
        Ticket.objects.select_related(
            "requester",
            "beneficiary",
            "theme__parent",
            "category",
            "location",
            "team",
            "assignee",
        ),
        pk=pk,
    )
    if not permissions.can_work_ticket(request.user, ticket):
        raise Http404
    return ticket


def attachment(document) -> FileResponse:
    """Serve a ticket's file as a download, never as a page the browser would render."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
