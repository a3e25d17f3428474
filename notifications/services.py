"""Record the messages a change causes, in the change's own transaction.

The ticket services call one function per event; each writes outbox rows (one per
recipient, unique per event and recipient) and, once the transaction commits, asks a
Celery task to send them. A rolled-back change leaves no row and sends nothing; a
message that cannot go out now is retried by the relay (notifications.tasks).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tickets.models import HelpdeskSettings, Solution, Task, Ticket

from .models import REQUIRED_EVENTS, Event, Notification

logger = logging.getLogger(__name__)
REMINDER_DAYS_BEFORE = 2


def _team_recipients(team) -> list:
    """A team is reached at its own address when it has one, else through its members."""
    if team is None:
        return []
    if team.email:
        return [team.email]
    return [m.user for m in team.memberships.select_related("user") if m.user.is_active]


def _workers(ticket: Ticket) -> list:
    """Who works the ticket: its technician, or else its team."""
    if ticket.assignee_id:
        return [ticket.assignee]
    return _team_recipients(ticket.team)


def _parties(ticket: Ticket, *, observers: bool = False) -> list:
    people = [ticket.requester, ticket.beneficiary]
    if observers:
        people += list(ticket.observers.all())
    return people


def _record(event: str, ticket: Ticket, recipients, **options) -> None:
    """Write one outbox row per distinct recipient, and send them once committed."""
    _save_and_send(_rows(event, ticket, recipients, **options))


def _rows(event: str, ticket: Ticket, recipients, *, key: str, context=None, exclude=None):
    """The outbox rows for one event, skipping who asked not to hear of it."""
    rows, seen = [], set()
    for recipient in recipients:
        if isinstance(recipient, str):
            user, email, language = None, recipient, settings.LANGUAGE_CODE
        else:
            user, email, language = recipient, recipient.email, recipient.language
            if not user.is_active or (exclude is not None and user.pk == exclude.pk):
                continue
            if event not in REQUIRED_EVENTS and event in (user.muted_notifications or []):
                continue
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        rows.append(
            Notification(
                event=event,
                ticket=ticket,
                recipient=user,
                email=email,
                language=language or settings.LANGUAGE_CODE,
                context=context or {},
                dedupe_key=f"{event}:{key}:{email.lower()}"[:200],
            )
        )
    return rows


def _save_and_send(rows: list[Notification]) -> None:
    if not rows:
        return
    # A second run of the same job finds its rows there already and adds nothing.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.dedupe_key for row in rows]
    ids = list(
        Notification.objects.filter(
            dedupe_key__in=keys, state=Notification.State.PENDING
        ).values_list("id", flat=True)
    )
    transaction.on_commit(lambda: enqueue(ids))


def enqueue(ids: list[int]) -> None:
    """Ask a worker to send now; if the broker is down, the relay sends them later."""
    from .tasks import send_notifications

    try:
        send_notifications.delay(ids)
    except Exception:
        logger.warning("Could not queue notifications %s; the relay will send them.", ids)


def notify_ticket_created(ticket: Ticket) -> None:
    _record(Event.TICKET_CREATED, ticket, _parties(ticket), key=f"{ticket.pk}")
    _record(
        Event.TICKET_CREATED,
        ticket,
        _workers(ticket),
        key=f"{ticket.pk}",
        exclude=ticket.requester,
    )


def notify_followup_added(followup) -> None:
    ticket = followup.ticket
    workers = _workers(ticket)
    # Private notes reach only the people who work the ticket, never its requester.
    parties = [] if followup.is_private else _parties(ticket, observers=True)
    _record(
        Event.FOLLOWUP_ADDED,
        ticket,
        parties + workers,
        key=f"{followup.pk}",
        context={"followup": followup.pk},
        exclude=followup.author,
    )


def notify_task_assigned(task: Task) -> None:
    recipients = [task.assigned_user] if task.assigned_user_id else []
    recipients += _team_recipients(task.assigned_team)
    _record(
        Event.TASK_ASSIGNED,
        task.ticket,
        recipients,
        key=f"{task.pk}",
        context={"task": task.pk},
        exclude=task.author,
    )


def notify_solution_proposed(solution: Solution) -> None:
    _record(
        Event.SOLUTION_PROPOSED,
        solution.ticket,
        _parties(solution.ticket),
        key=f"{solution.pk}",
        context={"solution": solution.pk},
    )


def notify_solution_refused(solution: Solution, reason) -> None:
    _record(
        Event.SOLUTION_REFUSED,
        solution.ticket,
        _workers(solution.ticket),
        key=f"{solution.pk}",
        context={"solution": solution.pk, "followup": reason.pk},
    )


def _closing_rows(ticket: Ticket, *, automatic: bool) -> list[Notification]:
    recipients = _parties(ticket) + ([ticket.assignee] if ticket.assignee_id else [])
    return _rows(
        Event.TICKET_CLOSED,
        ticket,
        recipients,
        key=f"{ticket.pk}",
        context={"automatic": automatic},
    )


def notify_ticket_closed(ticket: Ticket, *, automatic: bool) -> None:
    _save_and_send(_closing_rows(ticket, automatic=automatic))


def notify_tickets_auto_closed(ids: list[int]) -> None:
    """One batch of closings: all their rows written and queued at once."""
    tickets = Ticket.objects.filter(pk__in=ids).select_related(
        "requester", "beneficiary", "assignee"
    )
    _save_and_send([row for t in tickets for row in _closing_rows(t, automatic=True)])


@transaction.atomic
def auto_close_reminders_record(*, now=None) -> int:
    """Remind requesters two days before their solved ticket closes by itself."""
    now = now or timezone.now()
    days = HelpdeskSettings.load().auto_close_days
    window_start = now - timedelta(days=days)
    window_end = now - timedelta(days=max(days - REMINDER_DAYS_BEFORE, 0))
    solutions = Solution.objects.filter(
        status=Solution.Status.WAITING,
        ticket__status=Ticket.Status.SOLVED,
        ticket__solved_at__gt=window_start,
        ticket__solved_at__lte=window_end,
    ).select_related("ticket__requester", "ticket__beneficiary")
    solutions = list(solutions)
    rows = [
        row
        for solution in solutions
        for row in _rows(
            Event.AUTO_CLOSE_REMINDER,
            solution.ticket,
            _parties(solution.ticket),
            key=f"{solution.pk}",
            context={"solution": solution.pk},
        )
    ]
    _save_and_send(rows)
    return len(solutions)
