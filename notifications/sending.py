"""Send outbox rows: claim, render in the recipient's language, send, or retry later."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from servicelevels.models import Alert
from tickets import permissions
from tickets.models import Followup, Solution, Task, Ticket
from tickets.selectors import auto_close_date

from .models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 40  # about a day and a half with the backoff below (the README says so)
LEASE = timedelta(minutes=10)  # a worker that died mid-send gives its rows back after this


class NotDeliverable(Exception):
    """A message that must not go out: private content, or a recipient gone meanwhile."""


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 60))


def _claim(pk: int, now) -> bool:
    """Take the row for this worker; a second delivery of the same task finds nothing."""
    due = Q(state=Notification.State.PENDING) | Q(state=Notification.State.SENDING)
    return bool(
        Notification.objects.filter(
            due, pk=pk, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
        ).update(
            state=Notification.State.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + LEASE,
        )
    )


def deliver(pk: int) -> bool:
    """Send one message if it is due; never raise, so that a change never fails for mail."""
    now = timezone.now()
    if not _claim(pk, now):
        return False
    notification = Notification.objects.select_related("ticket", "recipient").get(pk=pk)
    try:
        render(notification).send()
    except Exception as error:
        failed = notification.attempts >= MAX_ATTEMPTS or isinstance(error, NotDeliverable)
        notification.state = Notification.State.FAILED if failed else Notification.State.PENDING
        notification.next_attempt_at = now + _backoff(notification.attempts)
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        notification.save(update_fields=["state", "next_attempt_at", "last_error"])
        logger.warning("Notification %s not sent: %s", pk, notification.last_error)
        return False
    notification.state = Notification.State.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["state", "sent_at"])
    return True


def due_ids(limit: int = 200) -> list[int]:
    now = timezone.now()
    due = Notification.objects.filter(
        state__in=[Notification.State.PENDING, Notification.State.SENDING],
        next_attempt_at__lte=now,
    )
    return list(due.order_by("next_attempt_at").values_list("id", flat=True)[:limit])


def _item(model, pk, notification, works_on_it):
    if pk is None:
        return None
    item = model.objects.select_related("author").get(pk=pk, ticket=notification.ticket)
    if getattr(item, "is_private", False) and not works_on_it:
        raise NotDeliverable(f"{model.__name__} {pk} is private")
    return item


def _merged(pk, recipient):
    """The duplicate a merge closed, which its requester and beneficiary still see."""
    if pk is None:
        return None
    merged = Ticket.objects.get(pk=pk)
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
    return {
        "ticket": ticket,
        "recipient": recipient,
        "for_technician": works_on_it,
        "link": settings.SITE_URL + link,
        "followup": _item(Followup, data.get("followup"), notification, works_on_it),
        "task": _item(Task, data.get("task"), notification, works_on_it),
        "solution": _item(Solution, data.get("solution"), notification, works_on_it),
        "automatic": data.get("automatic", False),
        "merged": _merged(data.get("merged"), recipient),
        "alert": Alert.objects.filter(pk=data["alert"], ticket=ticket).first()
        if "alert" in data
        else None,
        "auto_close_on": auto_close_date(ticket),
    }


def render(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for one outbox row, in its recipient's language."""
    with translation.override(notification.language):
        context = context_for(notification)
        base = f"notifications/{notification.event}"
        # One line, whatever the ticket's title holds: no header can be slipped in.
        subject = " ".join(render_to_string(f"{base}-subject.txt", context).split())
        text = render_to_string(f"{base}-body.txt", context)
        html = render_to_string(f"{base}-body.html", context)
    message = EmailMultiAlternatives(subject[:250], text, to=[notification.email])
    message.attach_alternative(html, "text/html")
    return message
