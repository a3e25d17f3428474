"""The ticket work page and its actions.

Every action is a plain POST that redirects back to the page (so it works without
JavaScript); htmx swaps in the new page's work area instead of reloading. A refused
action re-renders the page with the error next to its form.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.services import timeline_order_set
from core.errors import DomainError
from core.files import attachment_response
from core.reversing import url_for
from knowledge import selectors as knowledge_selectors
from knowledge import services as knowledge
from replies import permissions as reply_permissions
from replies import services as replies
from replies.models import CannedAnswer
from replies.placeholders import render as render_canned
from servicelevels import selectors as service_levels
from tickets import selectors, services, workflow
from tickets.errors import TicketError
from tickets.models import Task

from ..forms import (
    AssignForm,
    BlankForm,
    CannedPrefillForm,
    DocumentForm,
    FollowupForm,
    ObserversForm,
    SolutionForm,
    StatusForm,
    TaskForm,
    TicketFieldsForm,
    TimelineOrderForm,
    TransferForm,
    page_form,
)
from .access import back_office, work_page_ticket, worked_ticket
from .links import links_context

FORMS = {
    "fields": TicketFieldsForm,
    "assign": AssignForm,
    "status": StatusForm,
    "observers": ObserversForm,
    "transfer": TransferForm,
    "followup": FollowupForm,
    "task": TaskForm,
    "document": DocumentForm,
    "solution": SolutionForm,
}


# The URLs of the page's forms, by URL name (templates read them as urls.<name>).
PAGE_URLS = (
    "take",
    "timeline-order",
    "fields",
    "assign",
    "status",
    "transfer",
    "observers",
    "followup",
    "task",
    "document-add",
    "solution",
    "link-add",
    "merge",
    "children-solution",
)


def _form(name: str, ticket, request=None, initial=None, observers=None):
    """One of the page's forms, bound to the request's data when one is given."""
    kwargs = {"prefix": name, "initial": initial or {}}
    if name == "fields":
        kwargs["instance"] = ticket
    elif name == "observers":
        kwargs.update(ticket=ticket, observers=observers)
    elif name == "assign":
        kwargs["initial"] = {"assignee": ticket.assignee}
    elif name == "status":
        kwargs["ticket"] = ticket
    if request is not None:
        return FORMS[name](request.POST, request.FILES, **kwargs)
    if name == "observers" and not observers and not initial:
        # Without observers, the same blank form on every ticket: written once (BlankForm).
        return BlankForm(ObserversForm, name, ticket=ticket, observers=observers)
    return page_form(FORMS[name], **kwargs)


def _forms(ticket, observers, bound=None, initial=None):
    initial = initial or {}
    forms = {name: _form(name, ticket, None, initial.get(name), observers) for name in FORMS}
    if bound is not None:
        forms[bound.prefix] = bound
    return forms


def _page(request, ticket, *, bound=None, error=None, status=200, initial=None):
    user = request.user
    # The observers, read once: the timeline's roles, the side panel and its form use them.
    observers = selectors.ticket_observers(ticket)
    # First: it reads the ticket's people with its items' when the ticket came without them.
    timeline = selectors.ticket_timeline(ticket, observers=observers)
    # Read with the ticket (work_page_ticket); after an action that failed, read now.
    dues = service_levels.clock_dues(getattr(ticket, "clock", None))
    context = {
        "ticket": ticket,
        "service_level": dues,
        "clock_entries": service_levels.clock_entries(ticket) if dues else [],
        "forms": _forms(ticket, observers, bound, initial),
        "failed": bound.prefix if bound is not None else None,
        "error": error,
        "timeline": _in_order(timeline, user),
        "history": selectors.history_rows(ticket),
        "observers": observers,
        "actions": workflow.actions_for(user, ticket),
        "urls": {
            name.replace("-", "_"): url_for(f"backoffice:{name}", ticket.pk) for name in PAGE_URLS
        },
    }
    context.update(links_context(user, ticket, bound=bound))
    return render(request, "backoffice/ticket.html", context, status=status)


def _in_order(timeline: list, user) -> list:
    return timeline[::-1] if user.newest_first else timeline


@back_office
@require_GET
def ticket_page(request, pk):
    ticket = work_page_ticket(request, pk)
    services.ticket_seen(user=request.user, ticket=ticket)
    return _page(request, ticket, initial=_chosen_canned_answer(request, ticket))


@back_office
@require_POST
def timeline_order(request, pk):
    """Read the timeline newest or oldest first, on this ticket and the next ones."""
    ticket = worked_ticket(request, pk)
    form = TimelineOrderForm(request.POST)
    if form.is_valid():
        newest_first = form.cleaned_data["order"] == "newest"
        timeline_order_set(user=request.user, newest_first=newest_first)
    return redirect("backoffice:ticket", pk=ticket.pk)


def _chosen_canned_answer(request, ticket) -> dict:
    """A canned answer chosen without JavaScript ("?canned=<id>&kind=followup"), filled in."""
    form = CannedPrefillForm(request.GET)
    if not request.GET or not form.is_valid() or form.cleaned_data["canned"] is None:
        return {}
    kind = form.cleaned_data["kind"]
    answer = CannedAnswer.objects.filter(pk=form.cleaned_data["canned"]).first()
    if answer is None or not reply_permissions.can_use(request.user, answer, kind):
        return {}
    text = render_canned(answer.body, ticket=ticket, user=request.user)
    return {kind: {"content": text, "canned": answer.pk}}


def _act(request, pk, name, do, success):
    """Validate the named form, run the service, and come back to the page."""
    ticket = worked_ticket(request, pk)
    form = _form(name, ticket, request)
    if not form.is_valid():
        return _page(request, ticket, bound=form, status=400)
    try:
        with transaction.atomic():  # all the action's steps, or none of them
            do(ticket, form.cleaned_data, form)
    except (DomainError, PermissionDenied) as refusal:
        ticket.refresh_from_db()
        error = str(refusal) or _("You may not do this on this ticket.")
        return _page(request, ticket, bound=form, error=error, status=400)
    messages.success(request, success)
    return redirect("backoffice:ticket", pk=ticket.pk)


@back_office
@require_POST
def take(request, pk):
    ticket = worked_ticket(request, pk)
    try:
        services.ticket_take(ticket=ticket, actor=request.user)
    except (DomainError, PermissionDenied) as refusal:
        messages.error(request, str(refusal) or _("You may not do this on this ticket."))
    else:
        messages.success(request, _("You have taken the ticket."))
    return redirect("backoffice:ticket", pk=ticket.pk)


@back_office
@require_POST
def update_fields(request, pk):
    def do(ticket, data, form):
        changes = {field: data[field] for field in form.changed_data}
        if changes:
            services.ticket_update(ticket=ticket, actor=request.user, **changes)

    return _act(request, pk, "fields", do, _("The ticket is updated."))


@back_office
@require_POST
def assign(request, pk):
    def do(ticket, data, form):
        services.ticket_assign(ticket=ticket, actor=request.user, assignee=data["assignee"])

    return _act(request, pk, "assign", do, _("The technician is changed."))


@back_office
@require_POST
def change_status(request, pk):
    def do(ticket, data, form):
        services.ticket_set_status(ticket=ticket, actor=request.user, status=data["status"])

    return _act(request, pk, "status", do, _("The status is changed."))


@back_office
@require_POST
def change_observers(request, pk):
    def do(ticket, data, form):
        services.ticket_observers_change(
            ticket=ticket,
            actor=request.user,
            add=[data["add"]] if data["add"] else [],
            remove=list(data["remove"]),
        )

    return _act(request, pk, "observers", do, _("The observers are changed."))


@back_office
@require_POST
def transfer(request, pk):
    def do(ticket, data, form):
        services.ticket_transfer(
            ticket=ticket, actor=request.user, team=data["team"], comment=data["comment"]
        )

    return _act(request, pk, "transfer", do, _("The ticket is transferred."))


@back_office
@require_POST
def add_followup(request, pk):
    def do(ticket, data, form):
        services.followup_with_files(
            ticket=ticket,
            author=request.user,
            content=data["content"],
            is_private=data["is_private"],
            files=data["files"] or [],
        )
        replies.canned_answer_used(answer_id=data["canned"], user=request.user, kind="followup")

    return _act(request, pk, "followup", do, _("The followup is added."))


@back_office
@require_POST
def add_task(request, pk):
    def do(ticket, data, form):
        services.task_add(
            ticket=ticket,
            author=request.user,
            content=data["content"],
            is_private=data["is_private"],
            state=data["state"],
            duration_minutes=data["duration_minutes"],
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
            assigned_user=data["assigned_user"],
            assigned_team=data["assigned_team"],
        )

    return _act(request, pk, "task", do, _("The task is added."))


@back_office
@require_POST
def complete_task(request, pk, task_pk):
    ticket = worked_ticket(request, pk)
    task = get_object_or_404(Task, pk=task_pk, ticket=ticket)
    try:
        services.task_complete(task=task, actor=request.user)
    except (DomainError, PermissionDenied) as refusal:
        messages.error(request, str(refusal) or _("You may not do this on this ticket."))
    else:
        messages.success(request, _("The task is done."))
    return redirect("backoffice:ticket", pk=ticket.pk)


@back_office
@require_POST
def add_document(request, pk):
    def do(ticket, data, form):
        services.document_add(
            ticket=ticket, author=request.user, file=data["file"], is_private=data["is_private"]
        )

    return _act(request, pk, "document", do, _("The document is added."))


@back_office
@require_POST
def propose_solution(request, pk):
    def do(ticket, data, form):
        article = None
        if data["article"]:
            article = knowledge_selectors.article_named(data["article"])
            if article is None:
                raise TicketError(_("Choose the article in the list."))
        solution = services.solution_propose(
            ticket=ticket, author=request.user, content=data["content"]
        )
        if article is not None:
            knowledge.solution_link_article(solution=solution, article=article, author=request.user)
        replies.canned_answer_used(answer_id=data["canned"], user=request.user, kind="solution")

    return _act(request, pk, "solution", do, _("The solution is sent to the requester."))


@back_office
@require_GET
def document(request, pk, document_pk):
    ticket = worked_ticket(request, pk)
    return attachment_response(get_object_or_404(ticket.documents, pk=document_pk))
