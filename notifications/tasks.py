from celery import shared_task

from . import sending, services


@shared_task(name="notifications.send")
def send_notifications(ids: list[int]) -> int:
    """Send the given outbox rows (those still due); return how many went out."""
    return sending.send_due(ids=ids)


@shared_task(name="notifications.relay")
def relay_outbox() -> int:
    """Send the whole backlog that is due, batch after batch (every minute).

    Messages that failed, were never picked up, or whose worker died mid-batch; several
    workers running it at once share the backlog without sending a message twice.
    """
    return sending.send_due()


@shared_task(name="notifications.reminders")
def send_auto_close_reminders() -> int:
    """Record (and so send) the reminders two days before an auto-close (daily)."""
    return services.auto_close_reminders_record()
