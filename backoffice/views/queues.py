"""The technicians' queues: filters remembered per queue, bulk actions, CSV export."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from tickets import permissions, selectors, services
from tickets.models import HELD, Ticket

from ..forms import SORTS, BulkActionForm, QueueFilterForm, QueuePageForm, SelectionForm
from .access import back_office

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
QUEUE_TITLES = {
    "mine": gettext_lazy("My tickets"),
    "team": gettext_lazy("My team"),
    "tasks": gettext_lazy("My tasks"),
    "all": gettext_lazy("All"),
}


def _queue_or_404(request, queue: str) -> str:
    if queue not in selectors.queue_names_for(request.user):
        raise Http404
    return queue


def _ordering(queue: str, filters: dict) -> list:
    column = SORTS[filters.get("sort", "activity")][0]
    if queue == "team" and "sort" not in filters:
        return [HELD.asc(), column]  # the tickets nobody holds yet come first
    return [column]


def _filtered(request, queue):
    form = QueueFilterForm(request.GET)
    filters = form.values()
    private_notes = permissions.may_search_private_notes(request.user, queue)
    tickets = selectors.filter_tickets(
        selectors.queue_tickets(request.user, queue), filters, private_notes=private_notes
    )
    return form, filters, tickets


@back_office
@require_GET
def queue(request, queue="mine"):
    queue = _queue_or_404(request, queue)
    remembered = request.session.setdefault("queue_filters", {})
    if not request.GET and remembered.get(queue):
        return redirect(f"{request.path}?{remembered[queue]}")
    navigation = QueuePageForm(request.GET)
    if navigation.values().get("reset"):
        remembered.pop(queue, None)
        request.session.modified = True
        return redirect(request.path)
    form, filters, tickets = _filtered(request, queue)
    query = form.query()
    if remembered.get(queue) != query.urlencode():
        remembered[queue] = query.urlencode()
        request.session.modified = True
    page = navigation.number()
    rows, has_next = selectors.page_of_tickets(
        tickets, _ordering(queue, filters), page, PAGE_SIZE, seen_by=request.user
    )
    context = {
        "queue": queue,
        "queue_title": QUEUE_TITLES[queue],
        "queues": [(name, QUEUE_TITLES[name]) for name in selectors.queue_names_for(request.user)],
        "form": form,
        "rows": rows,
        "page": page,
        "previous_query": querystring(query, page=page - 1) if page > 1 else None,
        "next_query": querystring(query, page=page + 1) if has_next else None,
        "query": query.urlencode(),
        "bulk": BulkActionForm(ticket_ids=[]),
        "now": timezone.now(),
    }
    return render(request, "backoffice/queue.html", context)


@back_office
@require_POST
def bulk_action(request, queue):
    queue = _queue_or_404(request, queue)
    visible = selectors.tickets_visible_to(request.user)
    ids = SelectionForm(request.POST).values().get("tickets", [])
    tickets = list(visible.filter(pk__in=ids))
    form = BulkActionForm(request.POST, ticket_ids=[t.pk for t in tickets])
    back = reverse("backoffice:queue", args=[queue])
    if not tickets:
        messages.error(request, _("Select at least one ticket."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    done, refused = 0, []
    for ticket in tickets:
        try:
            _apply(form.cleaned_data, ticket, request.user)
            done += 1
        except (DomainError, PermissionDenied) as error:
            reason = str(error) or _("you may not change it")
            refused.append(_("#%(number)s: %(reason)s") % {"number": ticket.pk, "reason": reason})
    if done:
        messages.success(
            request,
            ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", done)
            % {"count": done},
        )
    for line in refused:
        messages.error(request, line)
    return redirect(back)


def _apply(data: dict, ticket: Ticket, user) -> None:
    action = data["action"]
    if action == "take":
        services.ticket_take(ticket=ticket, actor=user)
    elif action == "assign":
        services.ticket_assign(ticket=ticket, actor=user, assignee=data["assignee"])
    elif action == "transfer":
        services.ticket_transfer(
            ticket=ticket, actor=user, team=data["team"], comment=data["comment"]
        )
    elif action == "priority":
        services.ticket_update(ticket=ticket, actor=user, priority=data["priority"])


# A cell that a spreadsheet would read as a formula is written as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@back_office
@require_GET
def export_csv(request, queue):
    queue = _queue_or_404(request, queue)
    form, filters, tickets = _filtered(request, queue)
    rows, _more = selectors.page_of_tickets(tickets, _ordering(queue, filters), 1, EXPORT_LIMIT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tickets-{queue}.csv"'
    response.write("\ufeff")  # so that spreadsheets read the accents right
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Number"),
            _("Title"),
            _("Status"),
            _("Priority"),
            _("Type"),
            _("Requester"),
            _("Beneficiary"),
            _("Theme"),
            _("Category"),
            _("Location"),
            _("Team"),
            _("Technician"),
            _("Created"),
            _("Last activity"),
        ]
    )
    for t in rows:
        cells = [
            t.pk,
            t.title,
            t.get_status_display(),
            t.get_priority_display(),
            t.get_type_display(),
            t.requester,
            t.beneficiary,
            t.theme.name if t.theme else "",
            t.category,
            t.location,
            t.team,
            t.assignee,
            timezone.localtime(t.created_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(t.last_activity_at).strftime("%Y-%m-%d %H:%M"),
        ]
        writer.writerow([csv_cell(cell) for cell in cells])
    return response


def querystring(query: QueryDict, **changes) -> str:
    params = query.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@login_required
@require_GET
def open_count(request):
    """How many open tickets the person holds, for a badge: one query after the login's."""
    held = Ticket.objects.filter(assignee=request.user).exclude(status=Ticket.Status.CLOSED)
    return JsonResponse({"mine": held.count()})
