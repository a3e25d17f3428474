"""The notification events: each declares who hears of it and what its message is about.

One generic sender (`sending.render`) turns any event into an e-mail from its three
templates, `notifications/<name>-subject.txt`, `-body.txt` and `-body.html`. Adding an
event touches its declaration below, those templates and its tests (and the service
that announces it, through `tickets.events`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicelevels.models import Alert
from tickets.models import Ticket


@dataclass
class Message:
    """One event told to some people about one ticket."""

    ticket: Ticket
    recipients: list  # users, or a team's own address as a bare string
    about: str  # what the event is about, for its dedupe key: "12" for ticket 12
    context: dict = field(default_factory=dict)  # ids of the items the message shows
    exclude: object = None  # the person who caused the event hears nothing of it


@dataclass(frozen=True)
class EventKind:
    name: str
    label: str
    messages: Callable[..., list[Message]]  # from what the service announced
    required: bool = False  # asks the recipient to act: it cannot be turned off


def dedupe_key(event: str, about: str, email: str) -> str:
    """One message per event, subject and recipient, however often a change or job runs."""
    return f"{event}:{about}:{email.lower()}"[:200]


def team_recipients(team) -> list:
    """A team is reached at its own address when it has one, else through its members."""
    if team is None:
        return []
    if team.email:
        return [team.email]
    return [m.user for m in team.memberships.select_related("user") if m.user.is_active]


def workers(ticket: Ticket) -> list:
    """Who works the ticket: its technician, or else its team."""
    if ticket.assignee_id:
        return [ticket.assignee]
    return team_recipients(ticket.team)


def parties(ticket: Ticket, *, observers: bool = False) -> list:
    people = [ticket.requester, ticket.beneficiary]
    if observers:
        people += list(ticket.observers.all())
    return people


def _ticket_created(*, ticket, follows=None) -> list[Message]:
    context = {"follows": follows.pk} if follows is not None else {}
    return [
        Message(ticket, parties(ticket), f"{ticket.pk}", context),
        # Whoever typed the ticket in knows of it: the requester, or the technician for them.
        Message(
            ticket,
            workers(ticket),
            f"{ticket.pk}",
            context,
            exclude=ticket.filed_by or ticket.requester,
        ),
    ]


def _followup_added(*, followup) -> list[Message]:
    ticket = followup.ticket
    # Private notes reach only the people who work the ticket, never its requester.
    people = [] if followup.is_private else parties(ticket, observers=True)
    context = {"followup": followup.pk}
    return [Message(ticket, people + workers(ticket), f"{followup.pk}", context, followup.author)]


def _reply_received(*, followup, refused: bool) -> list[Message]:
    """Who answered by e-mail hears what their message became (and if it refused)."""
    context = {"followup": followup.pk, "refused": refused}
    return [Message(followup.ticket, [followup.author], f"{followup.pk}", context)]


def _task_assigned(*, task) -> list[Message]:
    recipients = [task.assigned_user] if task.assigned_user_id else []
    recipients += team_recipients(task.assigned_team)
    return [Message(task.ticket, recipients, f"{task.pk}", {"task": task.pk}, task.author)]


def _task_done(*, task) -> list[Message]:
    """The ticket's technician (or its team) hears that an expert did their part."""
    ticket = task.ticket
    return [Message(ticket, workers(ticket), f"{task.pk}", {"task": task.pk}, task.done_by)]


def _ticket_taken(*, ticket) -> list[Message]:
    """The requester hears who takes their ticket in charge, once per ticket."""
    return [Message(ticket, parties(ticket), f"{ticket.pk}", exclude=ticket.assignee)]


def _ticket_pending(*, ticket, question) -> list[Message]:
    """The requester hears that we wait for them, with the question when there is one."""
    context = {"followup": question.pk} if question else {}
    about = f"{ticket.pk}:{question.pk if question else 0}"
    return [Message(ticket, parties(ticket), about, context)]


def _task_added(*, task) -> list[Message]:
    """A public task (an intervention on site, a delivery) is told to the requester."""
    ticket = task.ticket
    return [Message(ticket, parties(ticket), f"{task.pk}", {"task": task.pk}, task.author)]


def _document_added(*, document) -> list[Message]:
    """A technician's public file is told to the requester, beneficiary and observers."""
    ticket = document.ticket
    people = parties(ticket, observers=True)
    return [
        Message(ticket, people, f"{document.pk}", {"document": document.pk}, document.uploaded_by)
    ]


def _ticket_transferred(*, ticket) -> list[Message]:
    """The requester sees which team has their ticket now (the reason stays private)."""
    return [Message(ticket, parties(ticket), f"{ticket.pk}:{ticket.team_id}")]


def _solution_proposed(*, solution) -> list[Message]:
    ticket = solution.ticket
    return [Message(ticket, parties(ticket), f"{solution.pk}", {"solution": solution.pk})]


def _solution_refused(*, solution, reason) -> list[Message]:
    context = {"solution": solution.pk, "followup": reason.pk}
    return [Message(solution.ticket, workers(solution.ticket), f"{solution.pk}", context)]


# Who hears that a ticket closed, in this order: the ticket's fields that name them.
CLOSED_RECIPIENTS = ("requester", "beneficiary", "assignee")


def _ticket_closed(*, ticket, automatic: bool) -> list[Message]:
    recipients = [getattr(ticket, f) for f in CLOSED_RECIPIENTS if getattr(ticket, f"{f}_id")]
    return [Message(ticket, recipients, f"{ticket.pk}", {"automatic": automatic})]


@dataclass(frozen=True)
class Batch:
    """One event told about many tickets at once, written set-based (INSERT ... SELECT).

    Each ticket's message is about the ticket itself (its id in the dedupe key), goes to
    the people its `fields` name, in that order, and carries the same `context`: what
    the event's own function would write for each ticket, one by one.
    """

    event: str
    ids: list[int]
    fields: tuple[str, ...]
    context: dict


def _tickets_auto_closed(*, ids) -> Batch:
    """One batch of the auto-close: every closing message of the batch at once."""
    return Batch("ticket_closed", ids, CLOSED_RECIPIENTS, {"automatic": True})


def _ticket_merged(*, ticket, into) -> list[Message]:
    """The duplicate's requester and beneficiary hear of the ticket that now carries it."""
    return [Message(into, parties(ticket), f"{ticket.pk}", {"merged": ticket.pk})]


def _auto_close_reminder(*, solution) -> list[Message]:
    ticket = solution.ticket
    return [Message(ticket, parties(ticket), f"{solution.pk}", {"solution": solution.pk})]


def managers(team) -> list:
    """A team's supervisors."""
    if team is None:
        return []
    return [m.user for m in team.memberships.select_related("user") if m.is_manager]


def _service_level_alerts(*, ids, breach: bool) -> list[Message]:
    """Before the due date its technician (or its team) hears; at the breach, its managers."""
    alerts = Alert.objects.filter(pk__in=ids).select_related("ticket__assignee", "ticket__team")
    teams = {}  # a team's people, read once for the whole batch

    def recipients(ticket) -> list:
        if not breach and ticket.assignee_id:
            return [ticket.assignee]
        if ticket.team_id not in teams:
            teams[ticket.team_id] = (managers if breach else team_recipients)(ticket.team)
        return teams[ticket.team_id]

    return [
        Message(alert.ticket, recipients(alert.ticket), f"{alert.pk}", {"alert": alert.pk})
        for alert in alerts
    ]


def _service_level_warning(*, ids) -> list[Message]:
    return _service_level_alerts(ids=ids, breach=False)


def _service_level_breach(*, ids) -> list[Message]:
    return _service_level_alerts(ids=ids, breach=True)


REGISTRY = [
    EventKind("ticket_created", _("A ticket is created"), _ticket_created),
    EventKind("followup_added", _("A followup is added"), _followup_added),
    EventKind("reply_received", _("My reply by e-mail is added to a ticket"), _reply_received),
    EventKind("task_assigned", _("A task is given to me"), _task_assigned, required=True),
    EventKind("task_done", _("A task of my ticket is done"), _task_done),
    EventKind("ticket_taken", _("My ticket is taken in charge"), _ticket_taken),
    EventKind("ticket_pending", _("A ticket waits for my answer"), _ticket_pending, required=True),
    EventKind("task_added", _("A public task is added to my ticket"), _task_added),
    EventKind("document_added", _("A document is added to my ticket"), _document_added),
    EventKind("ticket_transferred", _("My ticket is passed to another team"), _ticket_transferred),
    EventKind("solution_proposed", _("A solution is proposed"), _solution_proposed, required=True),
    EventKind("solution_refused", _("A solution is refused"), _solution_refused),
    EventKind("ticket_closed", _("A ticket is closed"), _ticket_closed),
    EventKind("ticket_merged", _("A ticket is merged into another ticket"), _ticket_merged),
    EventKind(
        "auto_close_reminder",
        _("Reminder before a ticket closes by itself"),
        _auto_close_reminder,
        required=True,
    ),
    EventKind(
        "service_level_warning",
        _("A ticket I work nears its due date"),
        _service_level_warning,
    ),
    EventKind(
        "service_level_breach",
        _("A ticket of a team I supervise is past its due date"),
        _service_level_breach,
    ),
]
EVENTS = {kind.name: kind for kind in REGISTRY}
# Announcements of many tickets at once, told as one of the events above.
BATCHES = {"tickets_auto_closed": _tickets_auto_closed}
# Announcements that are told as one of the events above.
ALIASES = {
    "service_level_warnings": ("service_level_warning", _service_level_warning),
    "service_level_breaches": ("service_level_breach", _service_level_breach),
}

Event = models.TextChoices(
    "Event", [(kind.name.upper(), (kind.name, kind.label)) for kind in REGISTRY]
)
REQUIRED_EVENTS = frozenset(kind.name for kind in REGISTRY if kind.required)
