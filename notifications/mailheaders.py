"""How our e-mails thread in mail clients, and how a reply names its ticket and person.

Every message about ticket N answers the ticket's first message, `<ticket-N@domain>`,
so a client shows one conversation per ticket; each message has its own stable
Message-ID (`<notification-ID.ticket-N@domain>`, the same on every retry). The
Reply-To, `help+<token>@…`, carries the ticket, the recipient and an HMAC of both
under SECRET_KEY: a token cannot be made up, nor moved to another ticket or person.
The inbound gate (mailgate) reads these back.
"""

import re
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "help.notifications.reply-token"
_TOKEN = re.compile(r"^(\d+)\.(\d+)\.([0-9a-f]{20})$")
_OUR_ID = re.compile(r"<(?:notification-\d+\.)?ticket-(\d+)@([^>\s]+)>")
# The subject's tag, as every message's subject starts ("[Help #12]", subject_tag) or in
# its old long form ("[Help – Ticket 12]"), which replies to messages sent before carry.
SUBJECT_TAG = re.compile(r"\[Help\s*(?:#|[–-]\s*Ticket\s+)(\d+)\]", re.IGNORECASE)


def subject_tag(ticket_id: int) -> str:
    """What opens the subject of every message about a ticket; SUBJECT_TAG reads it back."""
    return f"[Help #{ticket_id}]"


def mail_domain() -> str:
    """The domain of our Message-IDs: HELP_MAIL_DOMAIN, else the host of SITE_URL."""
    return settings.HELP_MAIL_DOMAIN or urlsplit(settings.SITE_URL).hostname or "localhost"


def ticket_thread_id(ticket_id: int) -> str:
    return f"<ticket-{ticket_id}@{mail_domain()}>"


def notification_message_id(notification_id: int, ticket_id: int) -> str:
    return f"<notification-{notification_id}.ticket-{ticket_id}@{mail_domain()}>"


def reply_address() -> str:
    """The support address replies go to: HELP_REPLY_ADDRESS, else DEFAULT_FROM_EMAIL's."""
    return settings.HELP_REPLY_ADDRESS or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _signature(ticket_id: int, user_id: int) -> str:
    return salted_hmac(_SALT, f"{ticket_id}:{user_id}", algorithm="sha256").hexdigest()[:20]


def reply_token(ticket_id: int, user_id: int) -> str:
    return f"{ticket_id}.{user_id}.{_signature(ticket_id, user_id)}"


def personal_reply_address(ticket_id: int, user_id: int) -> str:
    """`help+<token>@domain`: a reply to it names the ticket and the person it was sent to."""
    local, _, domain = reply_address().partition("@")
    return f"{local}+{reply_token(ticket_id, user_id)}@{domain}"


def token_from_address(address: str) -> tuple[int, int] | None:
    """The (ticket id, user id) of a well-signed token in the address, else None."""
    local = address.strip().lower().partition("@")[0]
    base, plus, token = local.partition("+")
    if not plus:
        return None
    match = _TOKEN.match(token)
    if match is None:
        return None
    ticket_id, user_id = int(match[1]), int(match[2])
    if not constant_time_compare(match[3], _signature(ticket_id, user_id)):
        return None
    return ticket_id, user_id


def tickets_in_references(header: str) -> list[int]:
    """The tickets our own Message-IDs in a References/In-Reply-To header point at."""
    domain = mail_domain().lower()
    return [int(m[1]) for m in _OUR_ID.finditer(header or "") if m[2].lower() == domain]


def is_our_message_id(message_id: str) -> bool:
    match = _OUR_ID.fullmatch((message_id or "").strip())
    return bool(match) and match[2].lower() == mail_domain().lower()


def ticket_in_subject(subject: str) -> int | None:
    match = SUBJECT_TAG.search(subject or "")
    return int(match[1]) if match else None


def headers_for(*, notification_id: int, ticket_id: int) -> dict:
    """The threading headers of one outgoing message."""
    thread = ticket_thread_id(ticket_id)
    return {
        "Message-ID": notification_message_id(notification_id, ticket_id),
        "In-Reply-To": thread,
        "References": thread,
        # Out-of-office robots must not answer a notification (RFC 3834; Exchange).
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
