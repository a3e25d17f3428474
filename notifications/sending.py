"""Send outbox rows: claim, render in the recipient's language, send, or retry later."""

import json
import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from servicelevels.models import Alert
from tickets import permissions
from tickets.models import Document, Followup, Solution, Task, Ticket
from tickets.selectors import auto_close_date

from . import mailheaders, smtp
from .models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 40  # about a day and a half with the backoff below (the README says so)
BATCH_SIZE = 500  # rows claimed, rendered and sent over one SMTP connection at a time
# A worker killed mid-batch gives its rows back after this; the relay runs every minute,
# so they go out again within two minutes.
LEASE = timedelta(minutes=2)
# A batch stops sending well before its lease ends, so that no other worker can claim a
# row this live worker still holds.
SEND_BUDGET = timedelta(seconds=90)
# One relay task sends for two minutes at most (plus its last batch: under the 240 s of
# CELERY_TASK_SOFT_TIME_LIMIT); beat starts one a minute, so a larger backlog is drained
# by two at once, on as many worker processes.
RELAY_BUDGET = timedelta(seconds=120)


class NotDeliverable(Exception):
    """A message that must not go out: private content, or a recipient gone meanwhile."""


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 60))


def claim(*, ids: list[int] | None = None, limit: int = BATCH_SIZE) -> list[Notification]:
    """Take up to `limit` due rows for this worker, in one statement; load them.

    Rows another worker has locked at this instant are skipped, not waited for; a row
    claimed here is due again only when its lease ends, so a second claim (another
    worker, a redelivered task) finds nothing until then.
    """
    now = timezone.now()
    due = Notification.objects.filter(
        state__in=[Notification.State.PENDING, Notification.State.SENDING],
        next_attempt_at__lte=now,
        attempts__lt=MAX_ATTEMPTS,
    )
    if ids is not None:
        due = due.filter(pk__in=ids)
    rows, params = due.order_by("next_attempt_at").values("pk")[:limit].query.sql_with_params()
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Notification._meta.db_table}"  # noqa: S608 - our own compiled query
            " SET state = %s, attempts = attempts + 1, next_attempt_at = %s"
            f" WHERE id IN ({rows}{lock}) RETURNING id",
            [Notification.State.SENDING, now + LEASE, *params],
        )
        claimed = [pk for (pk,) in cursor.fetchall()]
    if not claimed:
        return []
    notifications = list(
        Notification.objects.filter(pk__in=claimed)
        .select_related("recipient", "ticket__requester", "ticket__filed_by", "ticket__team")
        .order_by("pk")
    )
    _prefetch(notifications)
    return notifications


def _prefetch(notifications: list[Notification]) -> None:
    """Load what the batch's messages mention with a few queries, whatever its size."""
    wanted = {name: set() for name in ("followup", "task", "solution", "merged")}
    for notification in notifications:
        for name, pks in wanted.items():
            if notification.context.get(name) is not None:
                pks.add(notification.context[name])
    found = {
        "followup": Followup.objects.select_related("author"),
        "task": Task.objects.select_related("author", "done_by"),
        "solution": Solution.objects.select_related("author"),
        "merged": Ticket.objects.all(),
    }
    found = {name: found[name].in_bulk(pks) if pks else {} for name, pks in wanted.items()}
    for notification in notifications:
        notification.prefetched = found
    recipients = [n.recipient for n in notifications if n.recipient is not None]
    permissions.prime(users=recipients, tickets=[n.ticket for n in notifications])


@contextmanager
def _quick_commits():
    """Let the batch's one-row commits return before PostgreSQL flushes them to disk.

    A worker killed meanwhile loses nothing (the server has the commit); only a crash of
    the database server itself can forget the last fraction of a second of "sent"
    marks, and those messages would go out again: late twice rather than never.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _mark_sent(notification: Notification) -> None:
    # Written as soon as SMTP accepted the message (while the server reads the next
    # one), on its own: a worker killed later in the batch leaves this row sent. "Never
    # twice" holds while the worker lives (nobody else may claim a leased row, and the
    # batch stops before its lease ends); a worker killed in the instant
    # between SMTP's "250" and this write is the one case that sends a message a second
    # time, after the lease: no mail server and database commit together, and a late
    # message beats a lost one.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Notification._meta.db_table}"  # noqa: S608 - our own table
            ' SET "state" = %s, "sent_at" = %s WHERE "id" = %s',
            [
                Notification.State.SENT,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                notification.pk,
            ],
        )


def _failed(notification: Notification, error: Exception, now) -> Notification:
    given_up = notification.attempts >= MAX_ATTEMPTS or isinstance(error, NotDeliverable)
    notification.state = Notification.State.FAILED if given_up else Notification.State.PENDING
    notification.next_attempt_at = now + _backoff(notification.attempts)
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    logger.warning("Notification %s not sent: %s", notification.pk, notification.last_error)
    return notification


class _OneByOne:
    """Another backend than SMTP (the console, the tests' outbox): a message at a time."""

    unanswered = ()

    def __init__(self, backend):
        self.backend = backend

    def take(self) -> list:
        return []

    def put(self, token, message: EmailMultiAlternatives) -> list:
        message.connection = self.backend
        message.send()
        return [(token, None)]

    def close(self) -> list:
        return []


def _pipeline(backend):
    backend.open()  # again after a lost connection
    if isinstance(backend, SMTPBackend):
        return smtp.Pipeline(backend.connection)
    return _OneByOne(backend)


def send_batch(*, ids: list[int] | None = None, limit: int = BATCH_SIZE) -> tuple[int, int]:
    """Claim due rows, send them over one SMTP connection; return (claimed, sent).

    Never raises for a message, so that a change never fails for mail: what could not
    go out goes back to the outbox with a delay (or is given up), in one write.
    """
    notifications = claim(ids=ids, limit=limit)
    claimed = len(notifications)
    if not claimed:
        return 0, 0
    now = timezone.now()
    stop_at = time.monotonic() + SEND_BUDGET.total_seconds()
    failed, sent, texts = [], 0, {}
    backend = get_connection()

    def outcome(results: list) -> None:
        nonlocal sent
        for notification, error in results:
            if error is None:
                _mark_sent(notification)
                sent += 1
            else:
                failed.append(_failed(notification, error, now))

    try:
        pipeline = _pipeline(backend)
    except Exception as error:
        failed = [_failed(notification, error, now) for notification in notifications]
        notifications, pipeline = [], None
    with _quick_commits():
        for notification in notifications:
            if time.monotonic() > stop_at:  # the rest waits for its lease to end
                break
            try:
                message = render(notification, texts=texts)
            except Exception as error:
                outcome([(notification, error)])
                continue
            try:
                pipeline = pipeline or _pipeline(backend)
                outcome(pipeline.put(notification, message))
            except Exception as error:
                # The connection is lost, and with it what the server had not answered.
                lost = [*(pipeline.unanswered if pipeline else []), notification]
                outcome(pipeline.take() if pipeline else [])
                outcome([(n, error) for n in dict.fromkeys(lost)])
                backend.close()
                pipeline = None  # the next message opens a fresh connection
        try:
            outcome(pipeline.close() if pipeline else [])
        except Exception as error:
            outcome(pipeline.take())
            outcome([(n, error) for n in pipeline.unanswered])
    backend.close()
    Notification.objects.bulk_update(failed, ["state", "next_attempt_at", "last_error"])
    return claimed, sent


def deliver(pk: int) -> bool:
    """Send one message if it is due."""
    return send_batch(ids=[pk])[1] == 1


def send_due(*, ids: list[int] | None = None, budget: timedelta = RELAY_BUDGET) -> int:
    """Send batch after batch until nothing is due or the budget is spent; return how many."""
    stop_at = time.monotonic() + budget.total_seconds()
    total = 0
    while time.monotonic() < stop_at:
        claimed, sent = send_batch(ids=ids, limit=BATCH_SIZE)
        total += sent
        if claimed < BATCH_SIZE:  # nothing more was due; what falls due later is the relay's
            break
    return total


def _item(model, pk, notification, works_on_it):
    if pk is None:
        return None
    batch = getattr(notification, "prefetched", None)  # set by claim()
    if batch is None:
        item = model.objects.select_related("author").get(pk=pk, ticket=notification.ticket)
    else:
        item = batch[model._meta.model_name].get(pk)
        if item is None or item.ticket_id != notification.ticket_id:
            raise model.DoesNotExist(f"{model.__name__} {pk} is not on this ticket")
    if getattr(item, "is_private", False) and not works_on_it:
        raise NotDeliverable(f"{model.__name__} {pk} is private")
    return item


def _document(pk, notification, works_on_it):
    if pk is None:
        return None
    document = Document.objects.select_related("uploaded_by").get(pk=pk, ticket=notification.ticket)
    if document.is_private and not works_on_it:
        raise NotDeliverable(f"Document {pk} is private")
    return document


def _merged(pk, recipient, notification):
    """The duplicate a merge closed, which its requester and beneficiary still see."""
    if pk is None:
        return None
    batch = getattr(notification, "prefetched", None)  # set by claim()
    merged = Ticket.objects.get(pk=pk) if batch is None else batch["merged"].get(pk)
    if merged is None:
        raise Ticket.DoesNotExist(f"ticket {pk} is gone")
    if recipient is not None and not permissions.can_view_ticket(recipient, merged):
        raise NotDeliverable(f"{recipient} can no longer see ticket {pk}")
    return merged


def context_for(notification: Notification) -> dict:
    ticket = notification.ticket
    recipient = notification.recipient
    if recipient is not None and not permissions.can_view_ticket(recipient, ticket):
        raise NotDeliverable(f"{recipient} can no longer see ticket {ticket.pk}")
    works_on_it = recipient is None or permissions.can_work_ticket(recipient, ticket)
    if works_on_it:
        link = reverse("backoffice:ticket", args=[ticket.pk])
    else:
        link = reverse("portal:ticket-detail", args=[ticket.pk])
    data = notification.context
    # No "recipient": what a message says depends on the recipient's role only (render()).
    return {
        "ticket": ticket,
        "for_technician": works_on_it,
        "link": settings.SITE_URL + link,
        "followup": _item(Followup, data.get("followup"), notification, works_on_it),
        "task": _item(Task, data.get("task"), notification, works_on_it),
        "solution": _item(Solution, data.get("solution"), notification, works_on_it),
        "document": _document(data.get("document"), notification, works_on_it),
        "automatic": data.get("automatic", False),
        "refused": data.get("refused", False),
        "follows": data.get("follows"),
        "merged": _merged(data.get("merged"), recipient, notification),
        "alert": Alert.objects.filter(pk=data["alert"], ticket=ticket).first()
        if "alert" in data
        else None,
        "auto_close_on": auto_close_date(ticket),
    }


def _texts(notification: Notification, context: dict) -> tuple[str, str, str]:
    base = f"notifications/{notification.event}"
    # One line, whatever the ticket's title holds: no header can be slipped in; the tag
    # that threads replies to their ticket opens it, whatever the event.
    words = render_to_string(f"{base}-subject.txt", context).split()
    subject = " ".join([mailheaders.subject_tag(notification.ticket_id), *words])
    text = render_to_string(f"{base}-body.txt", context)
    html = render_to_string(f"{base}-body.html", context)
    return subject, text, html


def render(notification: Notification, *, texts: dict | None = None) -> EmailMultiAlternatives:
    """The e-mail for one outbox row, in its recipient's language.

    `texts` keeps what a batch rendered: the templates never name the recipient, so
    the team members, observers and parties of a ticket who hear of the same event in
    the same language and role read the same subject and bodies, rendered once. Each
    recipient's right to see the ticket and its items is still checked for each.
    """
    with translation.override(notification.language):
        context = context_for(notification)
        key = (
            notification.event,
            notification.ticket_id,
            notification.language,
            context["for_technician"],
            json.dumps(notification.context, sort_keys=True),
        )
        texts = {} if texts is None else texts
        if key not in texts:
            texts[key] = _texts(notification, context)
        subject, text, html = texts[key]
    headers = mailheaders.headers_for(
        notification_id=notification.pk, ticket_id=notification.ticket_id
    )
    if notification.recipient_id:
        reply_to = mailheaders.personal_reply_address(
            notification.ticket_id, notification.recipient_id
        )
    else:
        reply_to = mailheaders.reply_address()
    message = EmailMultiAlternatives(
        subject[:250], text, to=[notification.email], headers=headers, reply_to=[reply_to]
    )
    message.attach_alternative(html, "text/html")
    return message
