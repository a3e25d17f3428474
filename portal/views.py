from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.services import profile_update
from core.errors import DomainError
from core.files import attachment_response
from core.forms import LookupForm
from core.people import person_hint, person_label
from core.ratelimit import over_limit
from notifications.models import REQUIRED_EVENTS, Event
from tickets import permissions, workflow
from tickets import services as ticket_services
from tickets.models import HelpdeskSettings, Location, Solution, Theme, Ticket
from tickets.selectors import (
    auto_close_date,
    documents_visible_to,
    place_names,
    search_tickets,
    ticket_links,
    ticket_timeline,
)

from . import services
from .forms import (
    FollowsForm,
    FollowupForm,
    MyTicketsForm,
    ProfileForm,
    RefusalForm,
    TicketForm,
)
from .models import AccessibilityStatement

PAGE_SIZE = 20
PEOPLE_MIN_LENGTH = 3
PEOPLE_LIMIT = 10
PEOPLE_SEARCHES_PER_MINUTE = 60
PEOPLE_SEARCHES_PER_DAY = 1000  # some 10 people a minute for a working day
PLACES_LIMIT = 20

STATUS_HELP = {
    Ticket.Status.NEW: gettext_lazy(
        "Your ticket has been received; a technician will take it soon."
    ),
    Ticket.Status.ASSIGNED: gettext_lazy("A technician is working on your ticket."),
    Ticket.Status.PLANNED: gettext_lazy("An intervention is planned."),
    Ticket.Status.PENDING: gettext_lazy(
        "The technician is waiting for something (an answer from you, a delivery...). "
        "If you were asked for information, add a message below."
    ),
    Ticket.Status.SOLVED: gettext_lazy("A solution has been proposed: please accept or refuse it."),
    Ticket.Status.CLOSED: gettext_lazy("Your ticket is closed."),
}
REFUSED_BY_MESSAGE = gettext_lazy(
    "Your message has been added and the solution refused: the technician has your "
    "reason and goes on."
)


def _upload_limits() -> dict:
    return {
        "max_upload_mb": settings.HELP_MAX_UPLOAD_MB,
        "max_upload_bytes": settings.HELP_MAX_UPLOAD_MB * 1024 * 1024,
    }


def _visible_ticket(request, pk: int) -> Ticket:
    """The ticket if the user may see it; 404 otherwise, so nothing leaks its existence."""
    ticket = get_object_or_404(
        Ticket.objects.select_related(
            "theme__parent", "team", "assignee", "location", "requester", "beneficiary"
        ),
        pk=pk,
    )
    if not permissions.can_view_ticket(request.user, ticket):
        raise Http404
    return ticket


def _keep_for_later(request, accepted, kept):
    return kept + [services.pending_upload_create(owner=request.user, file=f) for f in accepted]


@login_required
def home(request):
    themes = Theme.objects.filter(is_active=True, parent__isnull=True)
    return render(request, "portal/home.html", {"themes": themes})


@login_required
def theme_form(request, slug):
    theme = get_object_or_404(
        Theme.objects.select_related("parent"),
        Q(parent__isnull=True) | Q(parent__is_active=True),
        slug=slug,
        is_active=True,
    )
    children = list(theme.children.filter(is_active=True))
    if children:
        return render(request, "portal/theme_children.html", {"theme": theme, "themes": children})
    questions = list(theme.questions.select_related("show_if_question"))
    form_kwargs = {"user": request.user, "questions": questions}
    pending = []
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES, **form_kwargs)
        valid = form.is_valid()
        accepted, kept, file_errors = form.uploads(request.user)
        for error in file_errors:
            form.add_error("files", error)
        if valid and not file_errors:
            ticket = services.ticket_submit(
                requester=request.user,
                theme=theme,
                data=form.cleaned_data,
                answers=form.answers(),
                files=accepted,
                pending=kept,
            )
            return redirect("portal:ticket-sent", pk=ticket.pk)
        pending = _keep_for_later(request, accepted, kept)
    else:
        form = TicketForm(initial=_follow_up_of(request), **form_kwargs)
    context = {
        "theme": theme,
        "form": form,
        "pending": pending,
        "questions": [(q, form[q.field_name], form.is_shown(q)) for q in questions],
        "places": place_names(),
        **_upload_limits(),
    }
    return render(request, "portal/theme_form.html", context, status=400 if form.errors else 200)


def _follow_up_of(request) -> dict:
    """Pre-fill a new request that follows a closed one ("?suite=<number>")."""
    number = FollowsForm(request.GET).number()
    if number is None:
        return {}
    previous = Ticket.objects.filter(pk=number).first()
    if previous is None or not permissions.can_view_ticket(request.user, previous):
        return {}
    return {
        "title": _("Continuation of ticket %(number)s: %(title)s")
        % {"number": previous.pk, "title": previous.title}
    }


@login_required
@require_GET
def ticket_sent(request, pk):
    ticket = get_object_or_404(Ticket.objects.select_related("team"), pk=pk)
    if ticket.requester_id != request.user.pk:
        raise Http404
    config = HelpdeskSettings.load()
    context = {
        "ticket": ticket,
        "days": config.auto_close_days,
        "working_days": config.auto_close_in_working_days,
    }
    return render(request, "portal/ticket_sent.html", context)


def _my_tickets(user):
    return Ticket.objects.filter(permissions.party_q(user))


@login_required
@require_GET
def my_tickets(request):
    tickets = _my_tickets(request.user).select_related("theme", "theme__parent")
    form = MyTicketsForm(request.GET)
    filters = form.values()
    state, query = filters.get("state", "all"), filters.get("q", "").strip()
    if state == "open":
        tickets = tickets.exclude(status=Ticket.Status.CLOSED)
    elif state == "closed":
        tickets = tickets.filter(status=Ticket.Status.CLOSED)
    if query:
        tickets = search_tickets(tickets, query, private_notes=False)
    # Those waiting for the requester's answer first, then the open ones, the closed last.
    rank = Case(
        When(status__in=workflow.WAITING_FOR_REQUESTER, then=Value(0)),
        When(status=Ticket.Status.CLOSED, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    tickets = tickets.annotate(rank=rank).order_by("rank", "-last_activity_at", "-pk")
    page = Paginator(tickets, PAGE_SIZE).get_page(form.number())
    context = {"page": page, "query": query, "state": state}
    return render(request, "portal/my_tickets.html", context)


def _with_refusal_reasons(timeline: list) -> list:
    """Show each refused solution with its reason, not the reason as a message of its own."""
    followups = {item.pk: item for kind, item in timeline if kind == "followup"}
    reasons = set()
    for kind, item in timeline:
        if kind == "solution" and item.status == Solution.Status.REFUSED:
            item.refusal_reason = followups.get(item.refusal_id)
            reasons.add(item.refusal_id)
    return [(kind, item) for kind, item in timeline if kind != "followup" or item.pk not in reasons]


def _ticket_page(
    request,
    ticket,
    *,
    followup_errors=(),
    content="",
    content_format="",
    refuse_error=None,
    reason="",
    pending=(),
    status=200,
):
    waiting = None
    if ticket.status == Ticket.Status.SOLVED:
        waiting = (
            ticket.solutions.filter(status=Solution.Status.WAITING)
            .select_related("knowledge_link__article")
            .first()
        )
    context = {
        "ticket": ticket,
        # Public items only, whoever looks: this is the requester's view of the ticket.
        "timeline": _with_refusal_reasons(ticket_timeline(ticket, public_only=True)),
        "waiting_solution": waiting,
        # Only links to tickets this user may open, with their public facts.
        "links": ticket_links(request.user, ticket),
        "can_decide": permissions.can_decide_solution(request.user, ticket),
        "message_refuses": workflow.followup_refuses(request.user, ticket),
        "auto_close_on": auto_close_date(ticket),
        "followup_errors": followup_errors,
        "refuse_error": refuse_error,
        "pending": pending,
        "content": content,
        "content_format": content_format,
        "reason": reason,
        "status_help": STATUS_HELP[ticket.status],
        **_upload_limits(),
    }
    return render(request, "portal/ticket_detail.html", context, status=status)


@login_required
@require_GET
def ticket_detail(request, pk):
    return _ticket_page(request, _visible_ticket(request, pk))


@login_required
@require_POST
def ticket_followup(request, pk):
    ticket = _visible_ticket(request, pk)
    form = FollowupForm(request.POST, request.FILES)
    valid = form.is_valid()
    accepted, kept, errors = form.uploads(request.user)
    errors += [str(error) for field_errors in form.errors.values() for error in field_errors]
    content = form.cleaned_data.get("content", "")
    if valid and not errors:
        solved = ticket.status == Ticket.Status.SOLVED
        try:
            services.followup_submit(
                ticket=ticket, author=request.user, content=content, files=accepted, pending=kept
            )
        except DomainError as error:
            errors.append(str(error))
        else:
            ticket.refresh_from_db(fields=["status"])
            if solved and ticket.status != Ticket.Status.SOLVED:
                messages.success(request, REFUSED_BY_MESSAGE)
            else:
                messages.success(request, _("Your message has been added to the ticket."))
            return redirect("portal:ticket-detail", pk=ticket.pk)
    pending = _keep_for_later(request, accepted, kept) if not ticket.is_closed else []
    back, typed_format = form.typed()  # escaped by the template, or cleaned HTML
    return _ticket_page(
        request,
        ticket,
        followup_errors=errors,
        content=back,
        content_format=typed_format,
        pending=pending,
        status=400,
    )


@login_required
@require_POST
def solution_accept(request, pk):
    ticket = _visible_ticket(request, pk)
    try:
        ticket_services.solution_accept(ticket=ticket, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you: the solution is accepted and the ticket closed."))
    return redirect("portal:ticket-detail", pk=ticket.pk)


@login_required
@require_POST
def solution_refuse(request, pk):
    ticket = _visible_ticket(request, pk)
    form = RefusalForm(request.POST)
    typed = form.data.get("reason", "")
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _ticket_page(request, ticket, refuse_error=error, reason=typed, status=400)
    try:
        ticket_services.solution_refuse(
            ticket=ticket, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except PermissionDenied:
        raise Http404 from None
    except DomainError as error:
        ticket.refresh_from_db()
        if ticket.status != Ticket.Status.SOLVED:  # decided meanwhile: nothing to refuse
            messages.error(request, str(error))
            return redirect("portal:ticket-detail", pk=ticket.pk)
        return _ticket_page(request, ticket, refuse_error=str(error), reason=typed, status=400)
    messages.success(
        request, _("The solution is refused. The technician has your reason and goes on.")
    )
    return redirect("portal:ticket-detail", pk=ticket.pk)


@login_required
@require_GET
def document_download(request, pk, document_pk):
    ticket = _visible_ticket(request, pk)
    return attachment_response(
        get_object_or_404(documents_visible_to(request.user, ticket), pk=document_pk)
    )


@login_required
@require_GET
def people(request):
    """Suggestions for a person picker: a few active users whose name or e-mail matches.

    Enough to find a colleague, not to read the directory: 3 characters at least, 10
    people at most, showing only what tells namesakes apart, so many searches a minute
    and a day.
    """
    key = f"people-search:{request.user.pk}"
    if over_limit(key, limit=PEOPLE_SEARCHES_PER_MINUTE, seconds=60):
        message = _("Too many searches in a short time: wait a minute, then type again.")
        return render(request, "portal/options.html", {"message": message}, status=429)
    # A minute's limit still lets a patient script read the directory over a night.
    if over_limit(f"{key}:day", limit=PEOPLE_SEARCHES_PER_DAY, seconds=24 * 3600):
        message = _("Too many searches today: type the person's name and e-mail in full.")
        return render(request, "portal/options.html", {"message": message}, status=429)
    query = LookupForm(request.GET).text().strip()
    users = []
    if len("".join(query.split())) >= PEOPLE_MIN_LENGTH:
        users = get_user_model().objects.filter(is_active=True)
        for word in query.split()[:4]:
            users = users.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(display_name__icontains=word)
                | Q(email__icontains=word)
            )
        users = users.order_by("last_name", "first_name", "pk")[:PEOPLE_LIMIT]
    people = [(person_label(user), person_hint(user)) for user in users]
    return render(request, "portal/options.html", {"labelled": people})


@login_required
@require_GET
def places(request):
    """Suggestions for the location picker: places whose path matches every word."""
    query = LookupForm(request.GET).text().strip()
    options = []
    if query:
        locations = Location.objects.filter(is_active=True)
        for word in query.split()[:6]:
            locations = locations.filter(full_name__icontains=word)
        found = locations.order_by("full_name").values_list("full_name", flat=True)
        options = list(found[:PLACES_LIMIT])
    return render(request, "portal/options.html", {"options": options})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        profile_update(user=request.user, **form.changes())
        messages.success(request, _("Your profile is saved."))
        return redirect("portal:profile")
    context = {
        "form": form,
        "always_sent": [Event(event).label for event in Event if event in REQUIRED_EVENTS],
        "places": place_names(),
    }
    return render(request, "portal/profile.html", context, status=400 if form.errors else 200)


@require_GET
def accessibility(request):
    """The accessibility statement, open to everyone, logged in or not."""
    statement = AccessibilityStatement.load()
    return render(request, "portal/accessibility.html", {"statement": statement})
