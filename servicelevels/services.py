"""The tickets' clocks, moved by what the ticket domain announces, and the escalation job.

Due dates are always computed from the ticket's creation: the level's time (in working
time of the ticket's calendar) plus, for the resolution, the working time the ticket
spent waiting on its requester's side. So pausing, resuming and recomputing never drift,
and each change writes a ClockEntry that says why the dates are what they are.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import events, permissions, workflow
from tickets.models import Theme, Ticket

from .calendar import Schedule
from .models import Alert, Calendar, ClockEntry, ServiceLevel, Target, TeamCalendar, TicketClock

Status = workflow.Status
WAITING = workflow.WAITING_FOR_REQUESTER
# The fields whose change may change the level or the calendar.
RECOMPUTING = ("type", "priority", "theme", "team")


def hear(name: str, **objects) -> None:
    """Follow the ticket domain's announcements (subscribed in ServiceLevelsConfig.ready)."""
    if name == "ticket_created":
        clock_start(ticket=objects["ticket"])
    elif name == "ticket_changed":
        clock_follow(**objects)
    elif name == "followup_added":
        clock_answered(followup=objects["followup"])
    elif name == "tickets_auto_closed":
        clocks_stop(ids=objects["ids"])


def level_for(ticket: Ticket) -> ServiceLevel | None:
    """The active level that matches the ticket (see _level_among); None when none does."""
    themes = ticket.theme.ancestor_ids() if ticket.theme_id else []
    candidates = ServiceLevel.objects.filter(
        is_active=True, type=ticket.type, priority=ticket.priority
    )
    return _level_among(candidates, ticket, themes)


def _level_among(levels, ticket: Ticket, themes: list[int]) -> ServiceLevel | None:
    """The level of the ticket's type and priority: the nearest theme first (`themes`,
    the ticket's theme and its ancestors, nearest first), then a level of its team, then
    one for any theme and team."""
    fitting = [
        level
        for level in levels
        if level.type == ticket.type
        and level.priority == ticket.priority
        and (level.theme_id is None or level.theme_id in themes)
        and (level.team_id is None or level.team_id == ticket.team_id)
    ]

    def nearest(level):
        theme = themes.index(level.theme_id) if level.theme_id else len(themes)
        return (theme, level.team_id is None, level.pk)

    return min(fitting, key=nearest, default=None)


def calendar_for(ticket: Ticket) -> Calendar | None:
    """The team's own calendar, else the default one."""
    own = TeamCalendar.objects.filter(team=ticket.team_id).select_related("calendar").first()
    if own is not None:
        return own.calendar
    return Calendar.objects.filter(is_default=True).first()


def working_days_later(ticket: Ticket, start: datetime, days: int) -> datetime | None:
    """`days` working days of the ticket's calendar after `start` (None without one).

    The ticket domain counts its auto-close delay with it (tickets.delays).
    """
    calendar = calendar_for(ticket)
    if calendar is None:
        return None
    try:
        return calendar.schedule().add_days(start, days)
    except ValueError:  # a calendar left without opening hours
        return None


def _calendars() -> tuple[dict[int, Calendar], dict[int, int], int | None]:
    """Every calendar with its hours, each team's own calendar's id and the default's id:
    a team's time is counted in its own calendar, else in the default one."""
    calendars = {c.pk: c for c in Calendar.objects.prefetch_related("openings", "closures")}
    own = dict(TeamCalendar.objects.values_list("team_id", "calendar_id"))
    default = next((pk for pk, c in calendars.items() if c.is_default), None)
    return calendars, own, default


def within_working_days(field: str, now: datetime, days: int, *, team: str = "team") -> Q:
    """Rows whose date `field` falls at most `days` working days after `now`, each
    counted in its ticket's calendar (found through `team`): one horizon per calendar,
    so a query, not a loop over the rows, does the filtering."""
    calendars, own, default = _calendars()
    fallback = now + timedelta(days=days)
    horizons = {}
    for pk, calendar in calendars.items():
        try:
            horizons[pk] = calendar.schedule().add_days(now, days)
        except ValueError:
            horizons[pk] = fallback
    q = Q(**{f"{field}__lte": horizons.get(default, fallback)}) & ~Q(**{f"{team}__in": list(own)})
    for team_id, calendar_id in own.items():
        q |= Q(**{team: team_id, f"{field}__lte": horizons[calendar_id]})
    return q


def _set_dates(clock: TicketClock, ticket: Ticket, schedule: Schedule | None = None) -> None:
    """Compute the four dates from the creation, the clock's level, calendar and pauses
    (`schedule` is the calendar's, when the caller has already read it)."""
    clock.take_due_at = clock.take_warn_at = None
    clock.resolve_due_at = clock.resolve_warn_at = None
    level, calendar = clock.level, clock.calendar
    if level is None or calendar is None:
        return
    schedule = schedule or calendar.schedule()
    start = ticket.created_at
    share = level.warning_percent / 100
    paused = timedelta(seconds=clock.paused_seconds)
    try:
        take = level.span(schedule, start, level.take_time, level.take_unit)
        resolve = level.span(schedule, start, level.resolve_time, level.resolve_unit)
        clock.take_due_at = schedule.add(start, take)
        clock.take_warn_at = schedule.add(start, take * share)
        clock.resolve_due_at = schedule.add(start, resolve + paused)
        clock.resolve_warn_at = schedule.add(start, resolve * share + paused)
    except ValueError:
        # A calendar left without opening hours: no due dates rather than no ticket.
        clock.take_due_at = clock.take_warn_at = None
        clock.resolve_due_at = clock.resolve_warn_at = None


def _match(clock: TicketClock, ticket: Ticket) -> None:
    clock.level = level_for(ticket)
    clock.calendar = calendar_for(ticket) if clock.level else None
    _set_dates(clock, ticket)


def _entry(clock: TicketClock, kind: str, at: datetime, *, old=(None, None), reason="") -> None:
    """Write why the dates changed (or why they stopped moving)."""
    _entry_row(clock, kind, at, old=old, reason=reason).save()


def _entry_row(
    clock: TicketClock, kind: str, at: datetime, *, old=(None, None), reason=""
) -> ClockEntry:
    """The entry saying why the dates changed, unsaved (a batch writes many at once)."""
    return ClockEntry(
        ticket_id=clock.ticket_id,
        kind=kind,
        created_at=at,
        reason=str(reason)[:255],
        level_name=clock.level.name if clock.level else "",
        old_take_due_at=old[0],
        new_take_due_at=clock.take_due_at,
        old_resolve_due_at=old[1],
        new_resolve_due_at=clock.resolve_due_at,
    )


@transaction.atomic
def clock_start(*, ticket: Ticket) -> TicketClock:
    """Give a new ticket its level and due dates."""
    clock = TicketClock(ticket=ticket, taken_at=ticket.taken_at, opened_at=ticket.created_at)
    _match(clock, ticket)
    if ticket.status in WAITING:
        clock.paused_since = ticket.created_at
    _measure(clock, ticket)
    clock.save()
    _publish(clock, ticket)
    if clock.level is not None:
        _entry(clock, ClockEntry.Kind.STARTED, ticket.created_at)
    return clock


def running(clock: TicketClock) -> tuple[datetime | None, datetime | None]:
    """(at risk from, due by) of the target the clock is running: the taking in charge,
    then the resolution; none without a level, while paused, or once both are met."""
    if clock.level_id is None or clock.stopped_at is not None:
        return None, None
    if clock.taken_at is None:
        return clock.take_warn_at, clock.take_due_at
    if clock.resolved_at is None and clock.paused_since is None:
        return clock.resolve_warn_at, clock.resolve_due_at
    return None, None


def _publish(clock: TicketClock, ticket: Ticket) -> None:
    """Copy the running target onto the ticket, which the queues sort and filter on."""
    warn, due = running(clock)
    if (ticket.due_warn_at, ticket.due_at) != (warn, due):
        Ticket.objects.filter(pk=ticket.pk).update(due_at=due, due_warn_at=warn)
        ticket.due_at, ticket.due_warn_at = due, warn


def _measure(clock: TicketClock, ticket: Ticket, schedule: Schedule | None = None) -> None:
    """Keep the working time to each target once met (the dashboard's medians); the
    resolution's, less the pauses, is forgotten when a refusal restarts the clock."""
    if clock.resolved_at is None:
        clock.resolve_seconds = None
    take = clock.taken_at is not None and clock.take_seconds is None
    resolve = clock.resolved_at is not None and clock.resolve_seconds is None
    if clock.calendar is None or not (take or resolve):
        return
    schedule = schedule or clock.calendar.schedule()

    def worked(end) -> int:
        return max(int(schedule.between(ticket.created_at, end).total_seconds()), 0)

    if take:
        clock.take_seconds = worked(clock.taken_at)
    if resolve:
        clock.resolve_seconds = max(worked(clock.resolved_at) - clock.paused_seconds, 0)


def _publish_all(ids: list[int]) -> None:
    """_publish for many tickets in one UPDATE, `running` written in SQL."""
    clocks = TicketClock.objects.filter(
        ticket=OuterRef("pk"), level__isnull=False, stopped_at__isnull=True
    )
    resolving = Q(resolved_at__isnull=True, paused_since__isnull=True)

    def target(take: str, resolve: str) -> Subquery:
        value = Case(When(taken_at__isnull=True, then=F(take)), When(resolving, then=F(resolve)))
        return Subquery(clocks.annotate(value=value).values("value")[:1])

    Ticket.objects.filter(pk__in=ids).update(
        due_at=target("take_due_at", "resolve_due_at"),
        due_warn_at=target("take_warn_at", "resolve_warn_at"),
    )


def _field_names(fields) -> str:
    return ", ".join(str(Ticket._meta.get_field(name).verbose_name) for name in fields)


@transaction.atomic
def clock_follow(*, ticket: Ticket, actor, changes: dict, at: datetime) -> TicketClock | None:
    """Move the clock with a change of the ticket: taken, waiting, back to work, closed,
    or reclassified (type, priority, theme, team: the level and dates are recomputed)."""
    clock = TicketClock.objects.select_for_update().filter(ticket=ticket).first()
    if clock is None:  # a ticket filed before service levels existed
        return None
    old = (clock.take_due_at, clock.resolve_due_at)
    if "taken_at" in changes and clock.taken_at is None:
        clock.taken_at = changes["taken_at"][1]
    before, after = changes.get("status", (ticket.status, ticket.status))
    if after == Status.SOLVED:
        clock.resolved_at = at
    if after == Status.CLOSED:
        clock.stopped_at = at
        if clock.level is not None:
            _entry(clock, ClockEntry.Kind.STOPPED, at, old=old, reason=Status(after).label)
    elif after in WAITING and before not in WAITING:
        clock.paused_since = at
        if clock.level is not None:
            _entry(clock, ClockEntry.Kind.PAUSED, at, old=old, reason=Status(after).label)
    elif before in WAITING and after not in WAITING and clock.paused_since is not None:
        if clock.calendar is not None:
            waited = clock.calendar.schedule().between(clock.paused_since, at)
            clock.paused_seconds += max(int(waited.total_seconds()), 0)
        clock.paused_since = clock.resolved_at = None
        _set_dates(clock, ticket)
        if clock.level is not None:
            _entry(clock, ClockEntry.Kind.RESUMED, at, old=old, reason=Status(after).label)
    if "team" in changes:  # the new team is warned in turn
        for flag in FLAGS:
            setattr(clock, flag, False)
    recompute = [field for field in RECOMPUTING if field in changes]
    if recompute:
        level = clock.level
        _match(clock, ticket)
        if clock.level is not None or level is not None:
            _entry(clock, ClockEntry.Kind.RECOMPUTED, at, old=old, reason=_field_names(recompute))
    _measure(clock, ticket)
    clock.save()
    _publish(clock, ticket)
    return clock


def clock_answered(*, followup) -> None:
    """A first public answer from whoever works the ticket takes it in charge."""
    if followup.is_private or not permissions.can_work_ticket(followup.author, followup.ticket):
        return
    # Only the first one counts: the condition leaves a taken clock alone.
    taken = TicketClock.objects.filter(ticket=followup.ticket_id, taken_at__isnull=True).update(
        taken_at=followup.created_at
    )
    if taken:  # the resolution is now the running target
        clock = TicketClock.objects.select_related("calendar").get(ticket=followup.ticket_id)
        _measure(clock, followup.ticket)
        clock.save(update_fields=["take_seconds"])
        _publish(clock, followup.ticket)


def clocks_stop(*, ids: list[int]) -> None:
    """Stop the clocks of a batch the auto-close has just closed, in one UPDATE."""
    TicketClock.objects.filter(ticket__among=ids, stopped_at__isnull=True).update(
        stopped_at=timezone.now()
    )


# (target, level, the column that says when, the due date, the column that says done,
# the flag that says the job has dealt with it)
ESCALATIONS = [
    (Target.TAKE, Alert.Level.WARNING, "take_warn_at", "take_due_at", "taken_at", "take_warned"),
    (Target.TAKE, Alert.Level.BREACH, "take_due_at", "take_due_at", "taken_at", "take_breached"),
    (
        Target.RESOLVE,
        Alert.Level.WARNING,
        "resolve_warn_at",
        "resolve_due_at",
        "resolved_at",
        "resolve_warned",
    ),
    (
        Target.RESOLVE,
        Alert.Level.BREACH,
        "resolve_due_at",
        "resolve_due_at",
        "resolved_at",
        "resolve_breached",
    ),
]
FLAGS = [flag for *_rest, flag in ESCALATIONS]
CHUNK = 10_000


@transaction.atomic
def alerts_send(*, now: datetime | None = None) -> list[int]:
    """Write an alert for every running clock past a threshold, once; announce the new ones.

    Per threshold, one UPDATE claims the clocks past it that no run has dealt with yet
    (their flag, which a partial index serves, so an idle run reads nothing), locking
    them until commit: a second run at the same moment waits, then finds them flagged.
    Then one INSERT … SELECT per chunk writes their alerts; the unique constraints
    (ticket, target, level, team) keep each alert once. A transfer clears the flags, so
    the new team is warned in turn.
    """
    now = now or timezone.now()
    alert, clock, ticket = (m._meta.db_table for m in (Alert, TicketClock, Ticket))
    new = {Alert.Level.WARNING: [], Alert.Level.BREACH: []}
    at = connection.ops.adapt_datetimefield_value(now)  # as SQLite stores it, too
    with connection.cursor() as cursor:
        for target, level, when, due, done, flag in ESCALATIONS:
            paused = "AND paused_since IS NULL" if target == Target.RESOLVE else ""
            # Table and column names come from the code above, never from input.
            cursor.execute(
                f"""
                UPDATE {clock} SET {flag} = %s
                WHERE {when} <= %s AND {done} IS NULL AND stopped_at IS NULL {paused}
                AND NOT {flag}
                RETURNING ticket_id
                """,  # noqa: S608
                [True, at],
            )
            claimed = [row[0] for row in cursor.fetchall()]
            for first in range(0, len(claimed), CHUNK):
                ids = claimed[first : first + CHUNK]
                cursor.execute(
                    f"""
                    INSERT INTO {alert} (ticket_id, target, level, team_id, due_at, created_at)
                    SELECT c.ticket_id, %s, %s, t.team_id, c.{due}, %s
                    FROM {clock} c JOIN {ticket} t ON t.id = c.ticket_id
                    WHERE c.ticket_id IN ({", ".join(["%s"] * len(ids))})
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """,  # noqa: S608
                    [target.value, level.value, at, *ids],
                )
                new[level] += [row[0] for row in cursor.fetchall()]
    if new[Alert.Level.WARNING]:
        events.announce("service_level_warnings", ids=new[Alert.Level.WARNING])
    if new[Alert.Level.BREACH]:
        events.announce("service_level_breaches", ids=new[Alert.Level.BREACH])
    return new[Alert.Level.WARNING] + new[Alert.Level.BREACH]


# What the backfill reads of a ticket.
BACKFILL_FIELDS = ("type", "priority", "theme_id", "team_id", "status", "created_at")
BACKFILL_FIELDS += ("taken_at", "solved_at")


def clocks_backfill(*, now: datetime | None = None, batch_size: int = 5_000, warn_past=False):
    """Give due dates to the open tickets that have none: filed before the service levels
    were set up, or while no level matched them. Return how many got a level.

    Levels, calendars and themes are read once; each batch of tickets is then written
    with one INSERT of clocks, one UPDATE of the clocks that had no level and one INSERT
    of their entries. The time a ticket spent waiting before is not known: a waiting
    ticket's clock is paused from now. The thresholds already passed are flagged as
    dealt with, so switching levels on does not flood the managers (unless `warn_past`).
    Running it again finds nothing to do.
    """
    now = now or timezone.now()
    levels = list(ServiceLevel.objects.filter(is_active=True))
    if not levels:
        return 0
    calendars, own, default = _calendars()
    schedules = {pk: calendar.schedule() for pk, calendar in calendars.items()}
    parents = dict(Theme.objects.values_list("pk", "parent_id"))
    reason = _("Set for a ticket filed before its service level")
    counted, after = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                Ticket.objects.filter(Q(clock__isnull=True) | Q(clock__level__isnull=True))
                .exclude(status=Status.CLOSED)
                .filter(pk__gt=after)
                .select_related("clock")
                .only("clock", *BACKFILL_FIELDS)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return counted
            after = batch[-1].pk
            new, changed, touched, entries = [], [], [], []
            for ticket in batch:
                level = _level_among(levels, ticket, _ancestors(ticket.theme_id, parents))
                calendar = own.get(ticket.team_id, default)
                if level is None or calendar is None:
                    continue
                clock = getattr(ticket, "clock", None)
                if clock is None:
                    clock = TicketClock(
                        ticket=ticket, taken_at=ticket.taken_at, opened_at=ticket.created_at
                    )
                    new.append(clock)
                else:
                    changed.append(clock)
                clock.level, clock.calendar = level, calendars[calendar]
                if ticket.status == Status.SOLVED:
                    clock.resolved_at = clock.resolved_at or ticket.solved_at
                if ticket.status in WAITING and clock.paused_since is None:
                    clock.paused_since = now
                _set_dates(clock, ticket, schedules[calendar])
                _measure(clock, ticket, schedules[calendar])
                touched.append(ticket)
                entries.append(_entry_row(clock, ClockEntry.Kind.STARTED, now, reason=reason))
                if not warn_past:
                    _mark_passed(clock, now)
            TicketClock.objects.bulk_create(new)
            TicketClock.objects.bulk_update(changed, [*DATES, "level", "calendar"])
            _publish_all([ticket.pk for ticket in touched])
            ClockEntry.objects.bulk_create(entries)
            counted += len(entries)


DATES = ("take_due_at", "take_warn_at", "resolve_due_at", "resolve_warn_at")
DATES += ("resolved_at", "paused_since", "take_seconds", "resolve_seconds", *FLAGS)


def _ancestors(theme_id: int | None, parents: dict) -> list[int]:
    themes = []
    while theme_id is not None:
        themes.append(theme_id)
        theme_id = parents.get(theme_id)
    return themes


def _mark_passed(clock: TicketClock, now: datetime) -> None:
    """Flag the thresholds already passed as dealt with: the job will not warn of them."""
    for _target, _level, when, _due, done, flag in ESCALATIONS:
        passed = getattr(clock, when) is not None and getattr(clock, when) <= now
        if passed and getattr(clock, done) is None:
            setattr(clock, flag, True)
