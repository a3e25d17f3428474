"""When a solved ticket closes by itself: its delay, in calendar or working days.

Working days are those of the ticket's calendar, which the service levels keep; the
ticket domain does not import them (an import-linter contract). They hand their count
over once, at start-up (`ServiceLevelsConfig.ready` calls `count_working_days_with`):
with events.py, the only tie between the two. Without it, or for a ticket no calendar
covers, a working day counts as a calendar day.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from .models import HelpdeskSettings, Ticket

# (ticket, start, days) -> the instant `days` working days after `start`, or None when
# no calendar covers the ticket.
WorkingDays = Callable[[Ticket, datetime, int], datetime | None]
_working_days: WorkingDays | None = None


def count_working_days_with(function: WorkingDays) -> None:
    """Count working days with `function` from now on; the last one given wins."""
    global _working_days  # set once, at start-up
    _working_days = function


def days_later(ticket: Ticket, start: datetime, days: int, *, working: bool) -> datetime:
    """`days` calendar days after `start`, or working days if `working`."""
    if working and _working_days is not None:
        later = _working_days(ticket, start, days)
        if later is not None:
            return later
    return start + timedelta(days=days)


def auto_close_at(ticket: Ticket, solved_at: datetime) -> datetime:
    """When a solution proposed at `solved_at` is taken as accepted, as the admin counts."""
    config = HelpdeskSettings.load()
    return days_later(
        ticket, solved_at, config.auto_close_days, working=config.auto_close_in_working_days
    )
