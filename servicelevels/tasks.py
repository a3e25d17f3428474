from celery import shared_task

from . import services


@shared_task(name="servicelevels.escalate")
def escalate() -> int:
    """Warn before and at the breach of the service levels (run by Celery beat)."""
    return len(services.alerts_send())
