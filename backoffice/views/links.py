"""Linked tickets on the work page: link, unlink, merge a duplicate, solve the children.

Like the page's other actions, each is a plain POST that comes back to the page; a
refused one re-renders the page with the error next to its form. A ticket number the
technician may not see reads exactly as one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from tickets import permissions, selectors, services, workflow
from tickets.models import TicketLink

from ..forms import ChildrenSolutionForm, LinkForm, MergeForm, page_form
from .access import back_office, worked_ticket

LINK_FORMS = {"link": LinkForm, "merge": MergeForm, "children": ChildrenSolutionForm}


def _link_form(name: str, user, ticket, data=None):
    kwargs = {"prefix": name}
    if name in ("link", "merge"):
        kwargs["user"] = user
    if name == "merge":
        kwargs["ticket"] = ticket
    if name == "children":
        solution = ticket.solutions.order_by("-created_at", "-id").first()
        kwargs["initial"] = {"content": solution.content if solution else ""}
    if data is None:
        return page_form(LINK_FORMS[name], **kwargs)
    return LINK_FORMS[name](data, **kwargs)


def links_context(user, ticket, *, bound=None) -> dict:
    """What templates/backoffice/_links.html needs besides the page's actions: the rows, the
    forms, whether one may link."""
    rows = selectors.ticket_links(user, ticket)
    manages = permissions.can_manage_ticket(user, ticket) and not ticket.is_closed
    # A child open to a solution: neither solved nor closed (services.open_children).
    children = manages and any(
        row.link.kind == "parent_of" and not row.incoming and row.other.status in workflow.WORKING
        for row in rows
    )
    forms = {}
    if manages:
        names = ["link", "merge"] + (["children"] if children else [])
        forms = {name: _link_form(name, user, ticket) for name in names}
        if bound is not None and bound.prefix in forms:
            forms[bound.prefix] = bound
    return {
        "links": rows,
        "link_forms": forms,
        "may_link": manages,
    }


def _again(request, ticket, form, error=None):
    from .work import _page  # the work page imports this module for links_context

    return _page(request, ticket, bound=form, error=error, status=400)


def _act(request, pk, name, do, success):
    ticket = worked_ticket(request, pk)
    form = _link_form(name, request.user, ticket, request.POST)
    if not form.is_valid():
        return _again(request, ticket, form)
    try:
        do(ticket, form.cleaned_data)
    except (DomainError, PermissionDenied) as refusal:
        ticket.refresh_from_db()
        return _again(
            request, ticket, form, str(refusal) or _("You may not do this on this ticket.")
        )
    messages.success(request, success)
    return redirect("backoffice:ticket", pk=ticket.pk)


@back_office
@require_POST
def add_link(request, pk):
    def do(ticket, data):
        services.ticket_link(
            ticket=ticket, other=data["other"], kind=data["kind"], actor=request.user
        )

    return _act(request, pk, "link", do, _("The tickets are linked."))


@back_office
@require_POST
def merge(request, pk):
    def do(ticket, data):
        services.ticket_merge(ticket=ticket, into=data["into"], actor=request.user)

    return _act(request, pk, "merge", do, _("The ticket is merged and closed as a duplicate."))


@back_office
@require_POST
def solve_children(request, pk):
    def do(ticket, data):
        services.children_solve(parent=ticket, actor=request.user, content=data["content"])

    return _act(
        request, pk, "children", do, _("The solution is sent to the children's requesters.")
    )


@back_office
@require_POST
def remove_link(request, pk, link_pk):
    ticket = worked_ticket(request, pk)
    link = get_object_or_404(
        TicketLink.objects.select_related("from_ticket", "to_ticket"),
        Q(from_ticket=ticket) | Q(to_ticket=ticket),
        pk=link_pk,
    )
    other = link.from_ticket if link.to_ticket_id == ticket.pk else link.to_ticket
    if not permissions.can_view_ticket(request.user, other):
        raise Http404  # the page does not show it either
    try:
        services.ticket_unlink(link=link, actor=request.user)
    except (DomainError, PermissionDenied) as refusal:
        messages.error(request, str(refusal) or _("You may not do this on this ticket."))
    else:
        messages.success(request, _("The link is removed."))
    return redirect("backoffice:ticket", pk=ticket.pk)
