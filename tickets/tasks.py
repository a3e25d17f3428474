from celery import shared_task

from . import services


@shared_task(name="tickets.auto_close")
def auto_close_tickets() -> int:
    """Close the tickets whose solution has waited past the delay (run by Celery beat)."""
    return len(services.tickets_auto_close())
