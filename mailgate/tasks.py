from celery import shared_task

from . import imap


@shared_task(name="mailgate.fetch")
def fetch_mailboxes() -> int:
    """Read every active mailbox (the beat schedule runs this every minute)."""
    return imap.fetch_all()
