"""Read a mailbox over IMAP: each message is recorded, then moved, in that order.

A message moves to the "processed" folder only after its row and effect have
committed; one that cannot be read goes to the "errors" folder, its reason in admin.
Committed messages are moved together, a few dozen per IMAP command (each MOVE costs
the server a write to disk). A worker killed between the commits and the move leaves
those messages in the inbox: the next run finds their rows, does nothing again, and
moves them.
"""

import imaplib
import logging
import ssl

from django.utils import timezone

from .models import InboundMessage, Mailbox
from .services import (
    ENVIRONMENT_MAILBOX,
    inbound_receive,
    mailbox_from_environment,
    unreadable_before,
)

logger = logging.getLogger(__name__)
TIMEOUT = 30
BATCH = 200  # messages per run and mailbox; the next minute takes the rest
MOVE_EVERY = 50  # committed messages moved by one command; at most these are read again


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.security == Mailbox.Security.IMAPS:
        client = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
        )
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
        if mailbox.security == Mailbox.Security.STARTTLS:
            client.starttls(ssl.create_default_context())
    client.login(mailbox.username, mailbox.password)
    # What the server offers once logged in (MOVE among them) differs from its greeting's.
    status, data = client.capability()
    if status == "OK" and data and data[0]:
        client.capabilities = tuple(data[0].decode().upper().split())
    return client


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _move(client: imaplib.IMAP4, uids: list[bytes], folder: str) -> None:
    if not uids:
        return
    uid_set = b",".join(uids).decode()
    if "MOVE" in client.capabilities:
        client.uid("MOVE", uid_set, _quote(folder))
        return
    client.uid("COPY", uid_set, _quote(folder))
    client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)")
    client.expunge()


def _move_committed(client: imaplib.IMAP4, committed: dict[str, list[bytes]]) -> None:
    """Move the messages whose rows have committed, and forget them."""
    for folder, uids in committed.items():
        _move(client, uids, folder)
        uids.clear()


def fetch(mailbox: Mailbox, *, limit: int = BATCH) -> int:
    """Process up to `limit` messages of the mailbox's inbox; return how many were read."""
    client = connect(mailbox)
    try:
        for folder in (mailbox.processed_folder, mailbox.errors_folder):
            client.create(_quote(folder))  # "already exists" is a NO answer, not an error
        client.select(_quote(mailbox.inbox_folder))
        status, data = client.uid("SEARCH", None, "ALL")
        uids = data[0].split()[:limit] if status == "OK" and data[0] else []
        committed = {mailbox.processed_folder: [], mailbox.errors_folder: []}
        for count, uid in enumerate(uids, start=1):
            status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                continue
            record = inbound_receive(raw=raw, mailbox=mailbox)  # committed when it returns
            if record is None:  # read before, by a run that stopped before moving it
                unreadable = unreadable_before(raw)
            else:
                unreadable = record.state == InboundMessage.State.ERROR
            committed[mailbox.errors_folder if unreadable else mailbox.processed_folder].append(uid)
            if count % MOVE_EVERY == 0:
                _move_committed(client, committed)
        _move_committed(client, committed)
        client.close()
    finally:
        try:
            client.logout()
        except Exception:  # the connection is gone already
            logger.debug("IMAP logout of %s failed", mailbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_run_at=timezone.now(), last_error="")
    return len(uids)


def fetch_all() -> int:
    """Every active mailbox; one that fails is noted in admin and the others go on."""
    total = 0
    mailboxes = list(Mailbox.objects.filter(is_active=True).exclude(name=ENVIRONMENT_MAILBOX))
    described = mailbox_from_environment()
    for mailbox in mailboxes + ([described] if described else []):
        try:
            total += fetch(mailbox)
        except Exception as error:
            logger.warning("Mailbox %s could not be read: %s", mailbox, error)
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_run_at=timezone.now(), last_error=f"{type(error).__name__}: {error}"[:2000]
            )
    return total
