from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import REQUIRED_EVENTS, Event

__all__ = ["REQUIRED_EVENTS", "Event", "Notification"]


class Notification(models.Model):
    """One message to one recipient: the outbox row written with the change that causes it."""

    class State(models.TextChoices):
        PENDING = "pending", _("To send")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    event = models.CharField(_("event"), max_length=30, choices=Event)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(_("address"))
    language = models.CharField(_("language"), max_length=5, default="fr")
    # What the message is about, beyond the ticket: {"followup": id} and the like.
    context = models.JSONField(default=dict, blank=True)
    # One message per event and recipient, however often the change or the job runs
    # (the constraint "notification_dedupe" below).
    dedupe_key = models.CharField(max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            # A constraint rather than unique=True: the same unique index, without the
            # second one (for LIKE) Django adds to a unique text field and no query uses.
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe"),
        ]
        indexes = [
            # Outbox relay: the messages due for a (new) attempt, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="notification_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()} → {self.email}"
