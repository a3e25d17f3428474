"""What the pages show of a ticket's service level: its due dates and their state."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import Ticket

from .models import ClockEntry, Target, TicketClock


class State:
    ON_TIME = "on-time"
    AT_RISK = "at-risk"
    LATE = "late"


STATE_LABELS = {
    State.ON_TIME: gettext_lazy("On time"),
    State.AT_RISK: gettext_lazy("At risk"),
    State.LATE: gettext_lazy("Late"),
}


@dataclass(frozen=True)
class Due:
    """One target of a ticket (taking in charge, resolution) as the page tells it."""

    target: str
    label: str
    due_at: datetime
    state: str
    left: timedelta  # working time from now (or from when the clock stopped) to the due date
    done_at: datetime | None
    paused_since: datetime | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def left_text(self) -> str:
        """The working time left, or by how much it is late, in words."""
        minutes = int(abs(self.left).total_seconds() // 60)
        amount = _("%(hours)d h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}
        if self.done_at is not None:
            return ""
        if self.left < timedelta(0):
            return _("late by %(time)s of working time") % {"time": amount}
        return _("%(time)s of working time left") % {"time": amount}


def state_at(reference: datetime, warn_at: datetime, due_at: datetime) -> str:
    if reference > due_at:
        return State.LATE
    if reference >= warn_at:
        return State.AT_RISK
    return State.ON_TIME


def ticket_dues(ticket: Ticket, *, now: datetime | None = None) -> dict | None:
    """The ticket's level, its two targets and their state; None without a level."""
    clock = (
        TicketClock.objects.select_related("level", "calendar")
        .filter(ticket=ticket, level__isnull=False, take_due_at__isnull=False)
        .first()
    )
    if clock is None:
        return None
    now = now or timezone.now()
    schedule = clock.calendar.schedule()
    targets = [
        (Target.TAKE, clock.take_warn_at, clock.take_due_at, clock.taken_at, None),
        (
            Target.RESOLVE,
            clock.resolve_warn_at,
            clock.resolve_due_at,
            clock.resolved_at,
            clock.paused_since,
        ),
    ]
    dues = []
    for target, warn_at, due_at, done_at, paused_since in targets:
        reference = done_at or paused_since or clock.stopped_at or now
        state = state_at(reference, warn_at, due_at)
        if done_at is not None and state == State.AT_RISK:
            state = State.ON_TIME  # done before the due date: on time, whatever the share
        dues.append(
            Due(
                target=target.value,
                label=target.label,
                due_at=due_at,
                state=state,
                left=schedule.between(reference, due_at),
                done_at=done_at,
                paused_since=None if done_at else paused_since,
            )
        )
    # The badge speaks of the target still running, or else of the resolution.
    current = dues[0] if clock.taken_at is None and clock.stopped_at is None else dues[1]
    return {"clock": clock, "dues": dues, "current": current}


def clock_entries(ticket: Ticket) -> list[ClockEntry]:
    return list(ClockEntry.objects.filter(ticket=ticket))
