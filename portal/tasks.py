from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .services import pending_uploads_purge


@shared_task(name="portal.purge_pending_uploads")
def purge_pending_uploads() -> int:
    """Delete the files kept for forms never sent again (daily)."""
    return pending_uploads_purge(older_than=timezone.now() - timedelta(days=1))
