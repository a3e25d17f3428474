from celery import shared_task

from . import sending, services


@shared_task(name="notifications.send")
def send_notifications(ids: list[int]) -> int:
    """Send the given outbox rows (those still due); return how many went out."""
    return sum(sending.deliver(pk) for pk in ids)


@shared_task(name="notifications.relay")
def relay_outbox() -> int:
    """Retry what is due: messages that failed or were never picked up (every minute)."""
    return sum(sending.deliver(pk) for pk in sending.due_ids())


@shared_task(name="notifications.reminders")
def send_auto_close_reminders() -> int:
    """Record (and so send) the reminders two days before an auto-close (daily)."""
    return services.auto_close_reminders_record()
