"""Who gets into the back office, and which ticket a technician may open."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from tickets import permissions, selectors
from tickets.models import Ticket


def back_office(view):
    """Log in first; then anyone else than a technician or an expert gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can_use_back_office(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


# What the work page and its actions show of a ticket, read with it.
TICKET_RELATED = (
    "requester",
    "beneficiary",
    "theme__parent",
    "category",
    "location",
    "team",
    "assignee",
)


def worked_ticket(request, pk: int, *, related=TICKET_RELATED) -> Ticket:
    """The ticket if the user works on it (team, assignee, expert, admin); 404 otherwise."""
    return _if_worked(request, get_object_or_404(Ticket.objects.select_related(*related), pk=pk))


def work_page_ticket(request, pk: int) -> Ticket:
    """The work page's ticket (selectors.work_page_ticket), as worked_ticket gives it."""
    ticket = selectors.work_page_ticket(pk)
    if ticket is None:
        raise Http404
    return _if_worked(request, ticket)


def _if_worked(request, ticket: Ticket) -> Ticket:
    if not permissions.can_work_ticket(request.user, ticket):
        raise Http404
    return ticket


def active_technician(view):
    """Log in first; then anyone else than an active technician (experts too) gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.is_active_technician(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
