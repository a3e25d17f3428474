"""Record the messages a change causes, in the change's own transaction.

The ticket services announce what happened (`tickets.events`); `record` hears each
announcement, asks the event's declaration (`events.py`) who hears of it, and writes
the outbox rows (one per recipient, unique per event and recipient); once the
transaction commits, a Celery task sends them. A rolled-back change leaves no row and
sends nothing; a message that cannot go out now is retried by the relay
(notifications.tasks).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tickets.models import HelpdeskSettings, Solution, Ticket

from .events import ALIASES, EVENTS, REQUIRED_EVENTS, Message, dedupe_key
from .models import Notification

logger = logging.getLogger(__name__)
REMINDER_DAYS_BEFORE = 2


def record(name: str, **objects) -> None:
    """Write the outbox rows of an announced event, and send them once committed."""
    if name not in EVENTS and name not in ALIASES:
        return  # an announcement no message follows (such as "ticket_changed")
    event, messages = ALIASES.get(name) or (name, EVENTS[name].messages)
    _save_and_send([row for message in messages(**objects) for row in _rows(event, message)])


def _rows(event: str, message: Message) -> list[Notification]:
    """The outbox rows of one message, skipping who asked not to hear of it."""
    rows, seen = [], set()
    for recipient in message.recipients:
        if isinstance(recipient, str):
            user, email, language = None, recipient, settings.LANGUAGE_CODE
        else:
            user, email, language = recipient, recipient.email, recipient.language
            if not user.is_active or (
                message.exclude is not None and user.pk == message.exclude.pk
            ):
                continue
            if event not in REQUIRED_EVENTS and event in (user.muted_notifications or []):
                continue
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        rows.append(
            Notification(
                event=event,
                ticket=message.ticket,
                recipient=user,
                email=email,
                language=language or settings.LANGUAGE_CODE,
                context=message.context,
                dedupe_key=dedupe_key(event, message.about, email),
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
    messages = EVENTS["auto_close_reminder"].messages
    rows = [
        row
        for solution in solutions
        for message in messages(solution=solution)
        for row in _rows("auto_close_reminder", message)
    ]
    _save_and_send(rows)
    return len(solutions)
