"""What the pages show of a ticket's service level: its due dates and their state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from django.db.models import F, Q
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
# Each state's mark beside its words (never told by colour alone), on badges and queues.
STATE_MARKS = {State.LATE: "!", State.AT_RISK: "◔", State.ON_TIME: "✓"}


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
    def state_mark(self) -> str:
        return STATE_MARKS[self.state]

    @property
    def left_text(self) -> str:
        """The working time left, or by how much it is late, in words."""
        amount = working_time_text(abs(self.left))
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


def clock_dues(clock: TicketClock | None, *, now: datetime | None = None) -> dict | None:
    """A ticket's level, its two targets and their state, from its clock read with its
    level and calendar; None without a clock or a level."""
    if clock is None or clock.level_id is None or clock.take_due_at is None:
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


@dataclass
class Figures:
    """A row of the service-level figures: how many tickets met each target in time."""

    label: object
    tickets: int = 0
    take_met: int = 0
    take_missed: int = 0
    resolve_met: int = 0
    resolve_missed: int = 0
    take_times: list = field(default_factory=list)
    resolve_times: list = field(default_factory=list)

    def add(self, row: dict, now: datetime) -> None:
        self.tickets += 1
        for target in ("take", "resolve"):
            done, due = row[f"{target}_done"], row[f"{target}_due_at"]
            if done is not None:
                met = done <= due
            elif row["stopped_at"] is not None:
                continue  # closed without it (a merged duplicate): neither
            elif _reference(row, target, now) > due:
                met = False  # not met yet and late, now or where its paused clock stopped
            else:
                continue  # still running in time: neither
            setattr(self, f"{target}_met", getattr(self, f"{target}_met") + met)
            setattr(self, f"{target}_missed", getattr(self, f"{target}_missed") + (not met))
            if row[f"{target}_seconds"] is not None:
                getattr(self, f"{target}_times").append(row[f"{target}_seconds"])

    @staticmethod
    def _share(met: int, missed: int) -> int | None:
        return round(100 * met / (met + missed)) if met + missed else None

    @property
    def take_share(self) -> int | None:
        """The percentage taken in charge on time, of those met or late."""
        return self._share(self.take_met, self.take_missed)

    @property
    def resolve_share(self) -> int | None:
        return self._share(self.resolve_met, self.resolve_missed)

    @property
    def take_median(self) -> timedelta | None:
        return _median(self.take_times)

    @property
    def resolve_median(self) -> timedelta | None:
        return _median(self.resolve_times)

    @property
    def take_median_text(self) -> str:
        return working_time_text(self.take_median)

    @property
    def resolve_median_text(self) -> str:
        return working_time_text(self.resolve_median)


def _reference(row: dict, target: str, now: datetime) -> datetime:
    """Where a running target is judged: a paused resolution where it stopped (its due date
    moves on when it resumes), as the ticket page judges it; otherwise now."""
    return (row["paused_since"] if target == "resolve" else None) or now


def _median(seconds: list[int]) -> timedelta | None:
    return timedelta(seconds=median(seconds)) if seconds else None


def working_time_text(value: timedelta | None) -> str:
    """Working time in hours and minutes ("27 h 05"): a working day is not 24 hours."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    return _("%(hours)d h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}


def service_level_figures(scope: Q, start: datetime, end: datetime, now=None) -> dict:
    """The tickets with a level created from `start` to before `end`, in `scope` (a
    condition on tickets): per team, per theme and in all, the share that met each
    target in time and the median working time to meet it.

    One query over the period, served by the clocks' index on their opening; the
    medians are exact, so they need each value: the period is bounded by its form.
    """
    now = now or timezone.now()
    rows = (
        TicketClock.objects.filter(
            opened_at__gte=start,
            opened_at__lt=end,
            level__isnull=False,
            take_due_at__isnull=False,
            ticket__in=Ticket.objects.filter(scope).values("pk"),
        )
        .values(
            "take_due_at",
            "resolve_due_at",
            "take_seconds",
            "resolve_seconds",
            "stopped_at",
            "paused_since",
        )
        .annotate(
            take_done=F("taken_at"),
            resolve_done=F("resolved_at"),
            team=F("ticket__team__name"),
            theme=F("ticket__theme__name"),
        )
    )
    total, teams, themes = Figures(gettext_lazy("All")), {}, {}
    for row in rows:
        total.add(row, now)
        for groups, name in ((teams, row["team"]), (themes, row["theme"])):
            groups.setdefault(name, Figures(name)).add(row, now)

    def ranked(groups: dict) -> list[Figures]:
        return sorted(groups.values(), key=lambda f: (-f.tickets, f.label is None, f.label or ""))

    return {"teams": ranked(teams), "themes": ranked(themes), "total": total, "all": [total]}
