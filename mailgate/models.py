from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """An IMAP mailbox the gate reads every minute."""

    class Security(models.TextChoices):
        IMAPS = "imaps", _("IMAPS (TLS from the start)")
        STARTTLS = "starttls", _("STARTTLS")
        PLAIN = "plain", _("None (tests and local servers only)")

    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security, default=Security.IMAPS
    )
    username = models.CharField(_("user"), max_length=255)
    password = models.CharField(_("password"), max_length=255)
    inbox_folder = models.CharField(_("folder read"), max_length=100, default="INBOX")
    processed_folder = models.CharField(
        _("folder of processed mail"), max_length=100, default="processed"
    )
    errors_folder = models.CharField(
        _("folder of unreadable mail"), max_length=100, default="errors"
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_run_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self):
        return f"{self.name} ({self.username}@{self.host})"


class MailboxRule(models.Model):
    """Which theme and team a new e-mail goes to; the first matching rule wins."""

    position = models.PositiveIntegerField(_("order"), default=0)
    recipient = models.EmailField(
        _("recipient address"), blank=True, help_text=_("Empty: any address.")
    )
    sender_domain = models.CharField(
        _("sender domain"), max_length=255, blank=True, help_text=_("Empty: any domain.")
    )
    subject_keywords = models.CharField(
        _("keywords in the subject"),
        max_length=255,
        blank=True,
        help_text=_("Comma-separated; one is enough. Empty: any subject."),
    )
    theme = models.ForeignKey(
        "tickets.Theme", verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL
    )
    team = models.ForeignKey(
        "tickets.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("mailbox rule")
        verbose_name_plural = _("mailbox rules")
        ordering = ["position", "pk"]

    def __str__(self):
        parts = [self.recipient, self.sender_domain, self.subject_keywords]
        return " · ".join(p for p in parts if p) or str(_("Default rule"))

    def matches(self, *, recipients: list[str], sender: str, subject: str) -> bool:
        if self.recipient and self.recipient.lower() not in recipients:
            return False
        if self.sender_domain and sender.rpartition("@")[2] != self.sender_domain.lower():
            return False
        words = [w.strip().lower() for w in self.subject_keywords.split(",") if w.strip()]
        return not words or any(w in subject.lower() for w in words)


class InboundMessage(models.Model):
    """One e-mail the gate received, recorded in the transaction of what it caused."""

    class State(models.TextChoices):
        FOLLOWUP = "followup", _("Added to a ticket")
        TICKET = "ticket", _("New ticket")
        REFUSAL = "refusal", _("Solution refused")
        QUARANTINE = "quarantine", _("In quarantine")
        IGNORED = "ignored", _("Ignored (automatic or too many)")
        ERROR = "error", _("Unreadable")
        REJECTED = "rejected", _("Rejected")

    key = models.CharField(_("Message-ID"), max_length=255, unique=True)
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), null=True, blank=True, on_delete=models.SET_NULL
    )
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    raw = models.BinaryField(_("message"), editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        ordering = ["-received_at"]
        indexes = [
            # The per-sender rate limit and the once-a-day answer: a sender's recent mail.
            models.Index(fields=["sender", "received_at"], name="inbound_sender_recent"),
            # Admin's quarantine list.
            models.Index(
                fields=["received_at"], condition=Q(state="quarantine"), name="inbound_quarantine"
            ),
        ]

    def __str__(self):
        return f"{self.sender}: {self.subject}"
