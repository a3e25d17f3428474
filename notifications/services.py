"""Record the messages a change causes, in the change's own transaction.

The ticket services announce what happened (`tickets.events`); `record` hears each
announcement, asks the event's declaration (`events.py`) who hears of it, and writes
the outbox rows (one per recipient, unique per event and recipient); once the
transaction commits, a Celery task sends them. A rolled-back change leaves no row and
sends nothing; a message that cannot go out now is retried by the relay
(notifications.tasks).
"""

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, DateTimeField, F, JSONField, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, Lower, NullIf, Substr
from django.utils import timezone

from core.sql import insert_new, insert_select
from servicelevels.services import within_working_days
from tickets.models import HelpdeskSettings, Solution, Ticket

from .events import ALIASES, BATCHES, EVENTS, REQUIRED_EVENTS, Batch, Message, dedupe_key
from .models import Notification

logger = logging.getLogger(__name__)
REMINDER_DAYS_BEFORE = 2


def record(name: str, **objects) -> None:
    """Write the outbox rows of an announced event, and send them once committed."""
    if name in BATCHES:
        _insert_batch(BATCHES[name](**objects))
        return
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


def _insert_batch(batch: Batch) -> None:
    """The outbox rows of many tickets in one INSERT ... SELECT, the same rows as `_rows`.

    One SELECT per recipient field, in the event's order; a second address of the same
    ticket breaks the dedupe key's uniqueness and is left out, as `_rows` skips it.
    """
    event, now = batch.event, timezone.now()
    selects = []
    for position, field in enumerate(batch.fields):
        people = Ticket.objects.filter(pk__among=batch.ids, **{f"{field}__is_active": True})
        people = people.exclude(**{f"{field}__email": ""})
        if event not in REQUIRED_EVENTS:
            # The list holds bare event names: the quoted name matches one element only.
            people = people.exclude(**{f"{field}__muted_notifications__icontains": f'"{event}"'})
        email, language = F(f"{field}__email"), F(f"{field}__language")
        about = Concat(
            Value(f"{event}:"),
            Cast("pk", CharField()),
            Value(":"),
            Lower(email),
            output_field=CharField(),
        )
        selects.append(
            people.order_by().values(
                n_event=Value(event),
                n_ticket=F("pk"),
                n_recipient=F(field),
                n_email=email,
                n_language=Coalesce(NullIf(language, Value("")), Value(settings.LANGUAGE_CODE)),
                n_context=Value(batch.context, output_field=JSONField()),
                n_key=Substr(about, 1, 200),
                n_state=Value(Notification.State.PENDING.value),
                n_attempts=Value(0),
                n_error=Value(""),
                n_at=Value(now, output_field=DateTimeField()),
                n_position=Value(position),
            )
        )
    columns = {
        "event": "n_event",
        "ticket_id": "n_ticket",
        "recipient_id": "n_recipient",
        "email": "n_email",
        "language": "n_language",
        "context": "n_context",
        "dedupe_key": "n_key",
        "state": "n_state",
        "attempts": "n_attempts",
        "next_attempt_at": "n_at",
        "last_error": "n_error",
        "created_at": "n_at",
    }
    rows = selects[0].union(*selects[1:], all=True)
    ids = insert_select(Notification, rows, columns, order_by="n_position", skip_conflicts=True)
    _send_after_commit(ids)


def _save_and_send(rows: list[Notification]) -> None:
    # A second run of the same job finds its rows there already and adds nothing (the
    # relay sends those rows if they are still waiting).
    _send_after_commit(insert_new(rows))


# The ids `sent_together` gathers, while it lasts.
_gathered = threading.local()


@contextmanager
def sent_together():
    """Send the rows recorded inside the block as one task, once the transaction commits.

    For a change that causes several events at once (an e-mail becoming a followup and
    its confirmation): one task claims and sends them together. Use it inside the
    transaction; if the block fails, nothing is queued and the relay sends what remains.
    """
    outer = getattr(_gathered, "ids", None)
    _gathered.ids = ids = []
    try:
        yield
    finally:
        _gathered.ids = outer
    if outer is not None:
        outer += ids
    elif ids:
        transaction.on_commit(lambda: enqueue(ids))


def _send_after_commit(ids: list[int]) -> None:
    if not ids:
        return
    gathered = getattr(_gathered, "ids", None)
    if gathered is not None:
        gathered += ids
        return
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
    """Remind requesters two days (calendar or working, as the delay is counted) before
    their solved ticket closes by itself; each solution once."""
    now = now or timezone.now()
    if HelpdeskSettings.load().auto_close_in_working_days:
        soon = within_working_days(
            "ticket__auto_close_at", now, REMINDER_DAYS_BEFORE, team="ticket__team"
        )
    else:
        soon = Q(ticket__auto_close_at__lte=now + timedelta(days=REMINDER_DAYS_BEFORE))
    solutions = Solution.objects.filter(
        soon,
        status=Solution.Status.WAITING,
        ticket__status=Ticket.Status.SOLVED,
        ticket__auto_close_at__gt=now,
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
