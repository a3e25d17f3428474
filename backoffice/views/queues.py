"""The technicians' queues: filters remembered per queue, bulk actions, CSV export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from tickets import permissions, selectors, services
from tickets.models import Ticket

from .. import permissions as back_office_permissions
from .. import services as back_office_services
from ..exports import csv_cell, csv_response
from ..forms import (
    BulkActionForm,
    QueueFilterForm,
    QueuePageForm,
    SavedSearchForm,
    SelectionForm,
    page_token,
)
from ..models import SavedSearch
from .access import back_office

PAGE_SIZE = 50
# A saved search's tab counts its tickets up to this many, then says "more than".
TAB_COUNT_LIMIT = 999
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


def _sort(queue: str, filters: dict) -> str:
    if queue == "team" and "sort" not in filters:
        return "unheld"  # the tickets nobody holds yet come first
    return filters.get("sort", "activity")


def _filtered(request, queue, data=None):
    """The queue's tickets under the filters asked but its words; and the words' search.

    A page searches the words itself (page_of_tickets), reading no more of the queue
    than it needs, and so does a count (count_tickets).
    """
    form = QueueFilterForm(request.GET if data is None else data)
    filters = form.values()
    tickets = selectors.filter_tickets(selectors.queue_tickets(request.user, queue), filters)
    search = {
        "words": filters.get("q", ""),
        "private_notes": permissions.may_search_private_notes(request.user, queue),
    }
    return form, filters, tickets, search


def _saved_tabs(request) -> list[dict]:
    """The saved searches the user sees, on queues they may open, each with its count."""
    user = request.user
    searches = back_office_permissions.visible_saved_searches(user, selectors.queue_names_for(user))
    tabs = []
    for search in searches:
        _form, _filters, tickets, words = _filtered(request, search.queue, QueryDict(search.query))
        # One bounded COUNT per tab (a search's words cost a query or two more).
        count = selectors.count_tickets(tickets, TAB_COUNT_LIMIT + 1, **words)
        tabs.append({"search": search, "count": count, "more": count > TAB_COUNT_LIMIT})
    return tabs


def _visible_search_or_404(request, pk: int) -> SavedSearch:
    search = SavedSearch.objects.filter(
        back_office_permissions.visible_saved_searches_q(request.user),
        pk=pk,
        queue__in=selectors.queue_names_for(request.user),
    ).first()
    if search is None:
        raise Http404
    return search


def _queue_url(queue: str, query: QueryDict) -> str:
    """The queue with these filters; with none, a reset, else the remembered ones return."""
    base = reverse("backoffice:queue", args=[queue])
    return f"{base}?{query.urlencode()}" if query else f"{base}?reset=1"


def _page(request, tickets, search: dict, sort: str):
    """The page the links ask for; a link made for another sort gives the first page."""
    wanted = QueuePageForm(request.GET).values()
    cursor = {}
    for end in ("after", "before"):
        if end in wanted and wanted[end][0] == sort:
            cursor[end] = wanted[end][1]
    if "start" in wanted:
        cursor = {"start": wanted["start"]}
    order = selectors.QUEUE_ORDERS[sort]
    page = selectors.page_of_tickets(
        tickets, order, PAGE_SIZE, seen_by=request.user, **search, **cursor
    )
    if "start" in cursor and not (page.rows and page.rows[0].pk == cursor["start"]):
        messages.info(
            request, _("Ticket %(number)s is not in this list.") % {"number": cursor["start"]}
        )
    return page


def _render_queue(request, queue: str, form, tickets, search, filters, *, saved=None, page_query):
    sort = _sort(queue, filters)
    page = _page(request, tickets, search, sort)
    query = form.query()
    chips = [dict(chip, url=_queue_url(queue, chip["rest"])) for chip in form.chips()]
    queues = selectors.queue_names_for(request.user)
    context = {
        "queue": queue,
        "queue_title": saved.name if saved else QUEUE_TITLES[queue],
        "queues": [(name, QUEUE_TITLES[name]) for name in queues],
        "saved": saved,
        "saved_tabs": _saved_tabs(request),
        "tab_count_limit": TAB_COUNT_LIMIT,
        "may_delete": saved is not None
        and back_office_permissions.can_delete_saved_search(request.user, saved),
        "form": form,
        "filter_action": reverse("backoffice:queue", args=[queue]),
        # What the filters' form is written from, to keep it written a minute (the names
        # of the teams, categories and places it shows may be a minute late).
        "filter_data": form.data.urlencode(),
        "chips": chips,
        "folded_count": form.folded_count(),
        # Built only if the page shows it: with filters, or on a miss of its kept part.
        "save_form": SimpleLazyObject(
            lambda: SavedSearchForm(
                initial={"queue": queue, "query": query.urlencode()},
                user=request.user,
                queues=queues,
                auto_id="save_%s",
            )
        ),
        "rows": page.rows,
        "previous_query": page.before
        and querystring(page_query, before=page_token(sort, page.before)),
        "next_query": page.after and querystring(page_query, after=page_token(sort, page.after)),
        "page_query": page_query,
        "page_form": SimpleLazyObject(QueuePageForm),  # kept written: built on a miss
        "query": query.urlencode(),
        "bulk": SimpleLazyObject(lambda: BulkActionForm(ticket_ids=[], auto_id="bulk_%s")),
        "now": timezone.now(),
    }
    return render(request, "backoffice/queue.html", context)


@back_office
@require_GET
def queue(request, queue="mine"):
    queue = _queue_or_404(request, queue)
    remembered = request.session.setdefault("queue_filters", {})
    if not request.GET and remembered.get(queue):
        return redirect(f"{request.path}?{remembered[queue]}")
    if QueuePageForm(request.GET).values().get("reset"):
        remembered.pop(queue, None)
        request.session.modified = True
        return redirect(request.path)
    form, filters, tickets, search = _filtered(request, queue)
    query = form.query()
    if remembered.get(queue) != query.urlencode():
        remembered[queue] = query.urlencode()
        request.session.modified = True
    return _render_queue(request, queue, form, tickets, search, filters, page_query=query)


@back_office
@require_GET
def saved_search(request, pk: int):
    """A saved search's tab: its queue with its filters, validated again as they are now."""
    search = _visible_search_or_404(request, pk)
    form, filters, tickets, words = _filtered(request, search.queue, QueryDict(search.query))
    return _render_queue(
        request,
        search.queue,
        form,
        tickets,
        words,
        filters,
        saved=search,
        page_query=QueryDict(),
    )


@back_office
@require_POST
def saved_search_create(request):
    queues = selectors.queue_names_for(request.user)
    form = SavedSearchForm(request.POST, user=request.user, queues=queues)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        queue = form.cleaned_data.get("queue", "mine")
        return redirect(_queue_url(queue, QueryDict(form.cleaned_data.get("query", ""))))
    try:
        search = back_office_services.saved_search_create(owner=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("backoffice:queue", form.cleaned_data["queue"])
    messages.success(request, _("Search “%(name)s” saved.") % {"name": search.name})
    return redirect("backoffice:saved-search", search.pk)


@back_office
@require_POST
def saved_search_delete(request, pk: int):
    search = _visible_search_or_404(request, pk)
    try:
        back_office_services.saved_search_delete(search=search, actor=request.user)
    except PermissionDenied:
        raise Http404 from None  # someone else's search: as if it did not exist
    messages.success(request, _("Search “%(name)s” deleted.") % {"name": search.name})
    return redirect("backoffice:queue", search.queue)


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


@back_office
@require_GET
def export_csv(request, queue):
    queue = _queue_or_404(request, queue)
    form, filters, tickets, search = _filtered(request, queue)
    order = selectors.QUEUE_ORDERS[_sort(queue, filters)]
    rows = selectors.page_of_tickets(tickets, order, EXPORT_LIMIT, **search).rows
    response, writer = csv_response(
        f"tickets-{queue}.csv",
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
        ],
    )
    labels = selectors.choice_labels("status", "priority", "type")
    for t in rows:
        cells = [
            t.pk,
            t.title,
            labels["status"].get(t.status, t.status),
            labels["priority"].get(t.priority, t.priority),
            labels["type"].get(t.type, t.type),
            t.requester,
            t.beneficiary or t.requester,
            t.theme,
            t.category_path,
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
