from celery import shared_task

from . import services, stats


@shared_task(name="tickets.auto_close")
def auto_close_tickets() -> int:
    """Close the tickets whose solution has waited past the delay (run by Celery beat)."""
    return len(services.tickets_auto_close())


@shared_task(name="tickets.fold_dashboard_counts")
def fold_dashboard_counts() -> int:
    """Fold the dashboard's counts changed since the last run (run by Celery beat)."""
    return stats.dashboard_counts_fold()
