"""What an incoming e-mail does, exactly once.

`inbound_receive` records the message under its Message-ID (or a hash of its bytes) in
the same transaction as its effect: a followup, a refused solution, a new ticket, or a
place in quarantine. A second copy of the same message finds the row and does nothing;
a worker killed before the commit leaves neither the row nor the effect, so the next
run does it once. Automatic mail (RFC 3834, bounces, lists, bulk) and our own
notifications are recorded and never answered.
"""

import hashlib
import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.files import UploadRefused, check_upload
from core.sql import insert_new
from notifications import mailheaders
from notifications import services as notifications
from tickets import permissions
from tickets import selectors as ticket_selectors
from tickets import services as tickets
from tickets.models import Status, Ticket

from .models import InboundMessage, Mailbox, MailboxRule
from .parsing import INLINE_MARK, ParsedMail, Unreadable, parse, text_to_html

logger = logging.getLogger(__name__)
State = InboundMessage.State


# What routing a message sets on its row.
ROUTED = ["state", "reason", "ticket", "answered_at"]


def inbound_receive(*, raw: bytes, mailbox: Mailbox | None = None) -> InboundMessage | None:
    """Record one e-mail and do what it asks; None when it was received before."""
    try:
        mail = parse(raw)
    except Unreadable as error:
        return _record(_hash_key(raw), raw, mailbox, state=State.ERROR, reason=str(error))
    # What the message causes (a followup and its confirmation) goes out as one task.
    with transaction.atomic(), notifications.sent_together():
        record = _record(
            mail.key, raw, mailbox, state=State.IGNORED, sender=mail.sender, subject=mail.subject
        )
        if record is None:
            return None
        _route(record, mail)
        record.save(update_fields=ROUTED)  # not the raw message a second time
    return record


def _hash_key(raw: bytes) -> str:
    """The key of a message that cannot be read (and so has no Message-ID of its own)."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def unreadable_before(raw: bytes) -> bool:
    """Whether this message, received before, could not be read (its folder is "errors")."""
    return InboundMessage.objects.filter(key=_hash_key(raw), state=State.ERROR).exists()


def _record(key, raw, mailbox, **fields) -> InboundMessage | None:
    """Insert the message's row; None when another run (or worker) holds it already."""
    record = InboundMessage(key=key[:255], raw=raw, mailbox=mailbox, **fields)
    # Another worker inserting the same key waits here until we commit, then skips it.
    return record if insert_new([record]) else None


def _set(record, state, reason="", ticket=None) -> None:
    record.state, record.reason, record.ticket = state, str(reason)[:2000], ticket


def _route(record: InboundMessage, mail: ParsedMail) -> None:
    if mail.noise:
        return _set(record, State.IGNORED, mail.noise)
    ours = {mailheaders.reply_address().lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if mailheaders.is_our_message_id(mail.message_id) or mail.sender in ours:
        return _set(record, State.IGNORED, "one of Help's own messages")
    if _too_many(mail.sender):
        return _set(record, State.IGNORED, f"more than {settings.HELP_INBOUND_PER_HOUR} an hour")
    user = (
        get_user_model()
        .objects.filter(email__iexact=mail.sender, is_active=True)
        .order_by("pk")
        .first()
    )
    ticket, refusal = _ticket_named(mail, user)
    if refusal:
        return _quarantine(record, mail, refusal)
    if ticket is None:
        if user is None:
            return _quarantine(record, mail, "unknown sender")
        return _new_ticket(record, mail, user)
    if user is None or not permissions.can_view_ticket(user, ticket):
        return _quarantine(record, mail, f"sender is not a party of ticket {ticket.pk}")
    try:
        _reply(record, mail, user, ticket)
    except DomainError as error:
        _quarantine(record, mail, f"ticket {ticket.pk}: {error}")


def _too_many(sender: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = InboundMessage.objects.filter(sender=sender, received_at__gte=since)
    # This message's own row is counted too.
    return recent.count() > settings.HELP_INBOUND_PER_HOUR


def _ticket_named(mail: ParsedMail, user) -> tuple[Ticket | None, str]:
    """The ticket the mail answers, in order of trust: token, our Message-IDs, subject."""
    for address in mail.recipients:
        named = mailheaders.token_from_address(address)
        if named is None:
            continue
        ticket_id, user_id = named
        if user is None or user.pk != user_id:
            return None, "reply token of another person"
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        return (ticket, "") if ticket else (None, f"no ticket {ticket_id}")
    for number in mailheaders.tickets_in_references(mail.references):
        ticket = Ticket.objects.filter(pk=number).first()
        if ticket is not None:
            return ticket, ""
    number = mailheaders.ticket_in_subject(mail.subject)
    if number is not None:
        ticket = Ticket.objects.filter(pk=number).first()
        return (ticket, "") if ticket else (None, f"no ticket {number}")
    return None, ""


def _files(mail: ParsedMail) -> tuple[list, list[str]]:
    """The attachments Help accepts as uploads, and the words saying which were refused.

    An upload keeps the content id its message shows it inline by, for `_link_inline`.
    """
    accepted, refused = [], []
    for attachment in mail.attachments:
        upload = SimpleUploadedFile(attachment.name, attachment.data, attachment.content_type)
        try:
            check_upload(upload)
        except UploadRefused as error:
            refused.append(str(error))
            continue
        upload.seek(0)
        upload.content_id = attachment.content_id
        accepted.append(upload)
    return accepted, refused


def _content(mail: ParsedMail, files: list, refused: list[str]) -> str:
    # A mark stays only where a stored file will take its place; refused ones are listed.
    shown = {upload.content_id for upload in files if upload.content_id}
    text = INLINE_MARK.sub(lambda mark: mark[0] if mark[1] in shown else "", mail.text)
    content = text_to_html(text)
    if refused:
        content += "<p>{}</p><ul>{}</ul>".format(
            _("Attachments refused:"), "".join(f"<li>{r}</li>" for r in refused)
        )
    return content


def _link_inline(ticket: Ticket, files: list, documents: list, followup=None) -> None:
    """Point the marks of inline images at their documents, whose view checks the ticket."""
    links = {}
    for upload, document in zip(files, documents, strict=True):
        if upload.content_id:
            url = reverse("portal:document", args=[ticket.pk, document.pk])
            links[f"[cid:{upload.content_id}]"] = format_html(
                '<a href="{}">{}</a>', settings.SITE_URL + url, document.original_name
            )
    if links:
        tickets.inline_marks_replace(ticket=ticket, followup=followup, links=links)


def _with_files(ticket: Ticket, files: list) -> None:
    """A new ticket's files, its inline images linked from its description."""
    documents = tickets.documents_attach(ticket=ticket, author=ticket.requester, files=files)
    _link_inline(ticket, files, documents)


def _followup_with_files(ticket: Ticket, author, content: str, files: list):
    """A followup with the message's files, its inline images linked to their documents."""
    followup = tickets.followup_with_files(
        ticket=ticket, author=author, content=content, files=files
    )
    if followup is not None and any(upload.content_id for upload in files):
        _link_inline(ticket, files, list(followup.documents.order_by("pk")), followup)
    return followup


def _reply(record, mail: ParsedMail, user, ticket: Ticket) -> None:
    files, refused = _files(mail)
    content = _content(mail, files, refused)
    if ticket.status == Status.CLOSED:
        new = tickets.ticket_follow_up_closed(
            closed=ticket,
            requester=user,
            title=_title(mail.subject),
            description=content,
            source=Ticket.Source.EMAIL,
        )
        _with_files(new, files)
        return _set(record, State.TICKET, f"ticket {ticket.pk} is closed", new)
    followup = _followup_with_files(ticket, user, content, files)
    if followup is None:  # files alone: they are added, and nothing is refused
        return _set(record, State.FOLLOWUP, "", ticket)
    # A requester writing on a solved ticket refuses its solution: followup_add decides
    # it under the ticket's lock, so it is asked afterwards, not guessed before.
    refuses = ticket_selectors.refused_a_solution(followup)
    # The sender hears what their e-mail became, which the portal would have shown them.
    notifications.record("reply_received", followup=followup, refused=refuses)
    _set(record, State.REFUSAL if refuses else State.FOLLOWUP, "", ticket)


def _title(subject: str) -> str:
    """The subject without the prefixes of replies and forwards, nor our tag."""
    title = subject
    while True:
        stripped = title.lstrip()
        for prefix in ("re:", "tr:", "fw:", "fwd:", "aw:", "réf:"):
            if stripped.lower().startswith(prefix):
                stripped = stripped[len(prefix) :]
                break
        else:
            break
        title = stripped
    number = mailheaders.ticket_in_subject(title)
    if number is not None:
        title = mailheaders.SUBJECT_TAG.sub("", title)
    return " ".join(title.split()) or _("(no subject)")


def _new_ticket(record, mail: ParsedMail, user) -> None:
    rule = next(
        (
            r
            for r in MailboxRule.objects.select_related("theme", "team")
            if r.matches(recipients=mail.recipients, sender=mail.sender, subject=mail.subject)
        ),
        None,
    )
    observers = [
        person
        for person in get_user_model().objects.filter(email__in=mail.cc, is_active=True)
        if person.pk != user.pk
    ]
    files, refused = _files(mail)
    try:
        ticket = tickets.ticket_create(
            requester=user,
            title=_title(mail.subject),
            description=_content(mail, files, refused),
            source=Ticket.Source.EMAIL,
            theme=rule.theme if rule else None,
            team=rule.team if rule else None,
            observers=observers,
        )
        _with_files(ticket, files)
    except DomainError as error:
        return _quarantine(record, mail, str(error))
    _set(record, State.TICKET, "", ticket)


def _quarantine(record, mail: ParsedMail, reason: str) -> None:
    """Keep the message for admin; tell the sender once a day at most."""
    _set(record, State.QUARANTINE, reason)
    since = timezone.now() - timedelta(days=1)
    answered = InboundMessage.objects.filter(sender=mail.sender, answered_at__gte=since)
    if not mail.sender or answered.exists():
        return
    record.answered_at = timezone.now()
    sender, subject = mail.sender, mail.subject
    transaction.on_commit(lambda: _send_quarantine_answer(sender, subject))


def _send_quarantine_answer(address: str, subject: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"subject": subject, "site_url": settings.SITE_URL}
        title = " ".join(render_to_string("mailgate/quarantine-subject.txt", context).split())
        body = render_to_string("mailgate/quarantine-body.txt", context)
    message = EmailMessage(
        title[:250],
        body,
        to=[address],
        headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
    )
    try:
        message.send()
    except Exception:
        # An answer to a stranger is a courtesy: its loss must not undo the record.
        logger.warning("Could not answer %s about a quarantined message.", address)


@transaction.atomic
def quarantine_accept(*, record: InboundMessage, requester) -> Ticket:
    """Admin: open a ticket from a quarantined message, for the person it is from."""
    record = InboundMessage.objects.select_for_update().get(pk=record.pk)
    if record.state != State.QUARANTINE:
        raise DomainError(_("This message is no longer in quarantine."))
    mail = parse(bytes(record.raw))
    files, refused = _files(mail)
    ticket = tickets.ticket_create(
        requester=requester,
        title=_title(mail.subject),
        description=_content(mail, files, refused),
        source=Ticket.Source.EMAIL,
    )
    _with_files(ticket, files)
    _set(record, State.TICKET, _("accepted from quarantine"), ticket)
    record.save()
    return ticket


@transaction.atomic
def quarantine_attach(*, record: InboundMessage, ticket: Ticket, author) -> None:
    """Admin: add a quarantined message to a ticket, as a followup of the given person."""
    record = InboundMessage.objects.select_for_update().get(pk=record.pk)
    if record.state != State.QUARANTINE:
        raise DomainError(_("This message is no longer in quarantine."))
    mail = parse(bytes(record.raw))
    files, refused = _files(mail)
    _followup_with_files(ticket, author, _content(mail, files, refused), files)
    _set(record, State.FOLLOWUP, _("attached from quarantine"), ticket)
    record.save()


@transaction.atomic
def quarantine_reject(*, record: InboundMessage) -> None:
    InboundMessage.objects.filter(pk=record.pk, state=State.QUARANTINE).update(state=State.REJECTED)


# The name of the mailbox the IMAP_* variables describe (README, "Incoming mail").
ENVIRONMENT_MAILBOX = "IMAP_HOST"


def mailbox_from_environment() -> Mailbox | None:
    """The mailbox the IMAP_* variables describe, or None (none, or switched off in admin).

    It is kept as a row, so that its messages point to it and admin shows its last run;
    the row holds no password: the one of the environment is set on the object only.
    """
    if not settings.IMAP_MAILBOX:
        return None
    described = {**settings.IMAP_MAILBOX, "password": ""}
    mailbox, created = Mailbox.objects.get_or_create(name=ENVIRONMENT_MAILBOX, defaults=described)
    changed = [name for name, value in described.items() if getattr(mailbox, name) != value]
    if changed:  # the environment wins over an edit in admin; most minutes, nothing is written
        for name in changed:
            setattr(mailbox, name, described[name])
        mailbox.save(update_fields=changed)
    if not mailbox.is_active:
        return None
    mailbox.password = settings.IMAP_PASSWORD
    return mailbox
