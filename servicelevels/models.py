"""Working calendars, service levels and each ticket's clock.

The ticket domain knows nothing of them: a team's own calendar is kept here
(`TeamCalendar`), and the clock follows the tickets' announcements (services.hear).
"""

from datetime import time, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Priority, Team, Theme, Ticket

from .calendar import Schedule


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Calendar(models.Model):
    """Opening hours, closures and public holidays: what counts as working time."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    is_default = models.BooleanField(
        _("default calendar"),
        default=False,
        help_text=_("Counts the time of the tickets whose team has no calendar of its own."),
    )
    public_holidays = models.BooleanField(
        _("closed on French public holidays"),
        default=True,
        help_text=_("Computed every year: Easter Monday, Ascension Thursday, Whit Monday..."),
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            ),
        ]

    def __str__(self):
        return self.name

    def schedule(self) -> Schedule:
        """The calendar as arithmetic can use it (reads its ranges and closures)."""
        ranges: dict[int, list] = {}
        for opening in self.openings.all():
            ranges.setdefault(opening.weekday, []).append((opening.start, opening.end))
        return Schedule(
            ranges={day: tuple(sorted(spans)) for day, spans in ranges.items()},
            closures=tuple((c.first_day, c.last_day) for c in self.closures.all()),
            public_holidays=self.public_holidays,
        )


class OpeningRange(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="openings")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
    start = models.TimeField(_("opens at"))
    end = models.TimeField(_("closes at"), help_text=_("00:00 is midnight at the end of the day."))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")) | Q(end=time(0)),
                name="opening_range_order",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Closure(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closures")
    name = models.CharField(_("name"), max_length=150)
    first_day = models.DateField(_("first closed day"))
    last_day = models.DateField(_("last closed day"))

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="closure_order"
            ),
        ]

    def __str__(self):
        return self.name


class TeamCalendar(models.Model):
    """A team that keeps hours of its own (a faculty's correspondents)."""

    team = models.OneToOneField(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("team calendar")
        verbose_name_plural = _("team calendars")

    def __str__(self):
        return f"{self.team} — {self.calendar}"


class ServiceLevel(models.Model):
    """What is promised for a kind of ticket: taken in charge and resolved within..."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("working hours")
        DAYS = "days", _("working days")

    name = models.CharField(_("name"), max_length=150)
    type = models.CharField(_("type"), max_length=10, choices=Ticket.Type)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Also matches its sub-themes. Empty: any theme."),
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: any team."),
    )
    take_time = models.PositiveIntegerField(
        _("time to take in charge"),
        help_text=_("From the creation to the first taking or the first public answer."),
    )
    take_unit = models.CharField(_("unit"), max_length=5, choices=Unit, default=Unit.HOURS)
    resolve_time = models.PositiveIntegerField(
        _("time to resolve"), help_text=_("From the creation to the proposed solution.")
    )
    resolve_unit = models.CharField(_("unit"), max_length=5, choices=Unit, default=Unit.HOURS)
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at (%)"),
        default=75,
        help_text=_("Share of the time after which the technician (or the team) is warned."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["type", "-priority", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="service_level_warning_share",
            ),
            models.CheckConstraint(
                condition=Q(take_time__gt=0, resolve_time__gt=0), name="service_level_times"
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def span(cls, schedule: Schedule, start, amount: int, unit: str) -> timedelta:
        """`amount` working hours or days from `start`, as working time."""
        if unit == cls.Unit.DAYS:
            return schedule.between(start, schedule.add_days(start, amount))
        return timedelta(hours=amount)


# A resolution clock that runs: not met, not waiting on the requester, not closed.
RESOLVING = Q(resolved_at__isnull=True, paused_since__isnull=True, stopped_at__isnull=True)


class TicketClock(models.Model):
    """A ticket's due dates under its service level, and the time it spent waiting.

    The resolution clock stops while the ticket waits on its requester's side (pending,
    or solved with the solution waiting for an answer); `paused_seconds` is the working
    time spent so, by which the resolution's dates have moved.
    """

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="clock"
    )
    level = models.ForeignKey(
        ServiceLevel,
        verbose_name=_("service level"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    calendar = models.ForeignKey(
        Calendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    take_due_at = models.DateTimeField(_("take in charge by"), null=True, blank=True)
    take_warn_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(_("taken in charge"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    resolve_warn_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(_("solution proposed"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("working time paused (seconds)"), default=0)
    stopped_at = models.DateTimeField(_("stopped (closed)"), null=True, blank=True)
    # Which thresholds the escalation job has dealt with (alerts_send): a run reads only
    # the clocks past a threshold not yet dealt with; a transfer clears them.
    take_warned = models.BooleanField(db_default=False)
    take_breached = models.BooleanField(db_default=False)
    resolve_warned = models.BooleanField(db_default=False)
    resolve_breached = models.BooleanField(db_default=False)
    # The ticket's creation, kept here so the figures of a period read one index.
    opened_at = models.DateTimeField(_("ticket created"), null=True, blank=True)
    # Working time from the creation to the taking in charge, and to the solution less
    # the pauses, once met: the dashboard's medians.
    take_seconds = models.PositiveIntegerField(
        _("working time to take in charge (seconds)"), null=True, blank=True
    )
    resolve_seconds = models.PositiveIntegerField(
        _("working time to resolve (seconds)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("ticket clock")
        verbose_name_plural = _("ticket clocks")
        indexes = [
            # Escalation (services.ESCALATIONS): for each threshold, the running clocks
            # not yet dealt with, by the date of that threshold.
            models.Index(
                fields=["take_warn_at"],
                condition=Q(taken_at__isnull=True, stopped_at__isnull=True, take_warned=False),
                name="clock_take_warning",
            ),
            models.Index(
                fields=["take_due_at"],
                condition=Q(taken_at__isnull=True, stopped_at__isnull=True, take_breached=False),
                name="clock_take_breach",
            ),
            models.Index(
                fields=["resolve_warn_at"],
                condition=Q(RESOLVING, resolve_warned=False),
                name="clock_resolve_warning",
            ),
            models.Index(
                fields=["resolve_due_at"],
                condition=Q(RESOLVING, resolve_breached=False),
                name="clock_resolve_breach",
            ),
            # Dashboard: the service-level figures of the tickets created in a period.
            models.Index(
                fields=["opened_at"], condition=Q(level__isnull=False), name="clock_opened"
            ),
        ]

    def __str__(self):
        return f"#{self.ticket_id}"


class Target(models.TextChoices):
    TAKE = "take", _("Taking in charge")
    RESOLVE = "resolve", _("Resolution")


class ClockEntry(models.Model):
    """Why a ticket's due dates are what they are: one entry per change of its clock."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Due dates set at creation")
        PAUSED = "paused", _("Clock paused")
        RESUMED = "resumed", _("Clock resumed")
        RECOMPUTED = "recomputed", _("Due dates recomputed")
        STOPPED = "stopped", _("Clock stopped")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clock_entries")
    kind = models.CharField(_("event"), max_length=10, choices=Kind)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    reason = models.CharField(_("because"), max_length=255, blank=True)
    level_name = models.CharField(_("service level"), max_length=150, blank=True)
    old_take_due_at = models.DateTimeField(null=True, blank=True)
    new_take_due_at = models.DateTimeField(null=True, blank=True)
    old_resolve_due_at = models.DateTimeField(null=True, blank=True)
    new_resolve_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clock entry")
        verbose_name_plural = _("clock entries")
        ordering = ["created_at", "id"]
        indexes = [
            # Ticket page "Délais": a ticket's clock entries in order.
            models.Index(fields=["ticket", "created_at"], name="clock_entry_ticket"),
        ]

    def __str__(self):
        return f"#{self.ticket_id} {self.get_kind_display()}"


class Alert(models.Model):
    """A warning sent about a ticket: once per ticket, target, level and team."""

    class Level(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(_("target"), max_length=7, choices=Target)
    level = models.CharField(_("level"), max_length=7, choices=Level)
    # The team the ticket had: a transfer to another team warns that team in turn.
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("service level alert")
        verbose_name_plural = _("service level alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "level", "team"],
                condition=Q(team__isnull=False),
                name="alert_once_per_team",
            ),
            models.UniqueConstraint(
                fields=["ticket", "target", "level"],
                condition=Q(team__isnull=True),
                name="alert_once_without_team",
            ),
        ]

    def __str__(self):
        return f"#{self.ticket_id} {self.target} {self.level}"
