"""Supervisors' figures: every number comes from one aggregate query, never a loop."""

from datetime import timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import History, Priority, Ticket

WEEKS = 12


class Median(Aggregate):
    """PostgreSQL's exact median of a column."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _by(tickets: QuerySet, field: str) -> list[tuple[object, int]]:
    rows = tickets.values(field).annotate(count=Count("id")).order_by("-count", field)
    return [(row[field], row["count"]) for row in rows]


def _median(tickets: QuerySet, start: str, end: str) -> timedelta | None:
    duration = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    tickets = tickets.filter(**{f"{end}__isnull": False}).annotate(duration=duration)
    if connection.vendor == "postgresql":
        return tickets.aggregate(median=Median("duration", output_field=DurationField()))["median"]
    # Elsewhere: count, then read the middle row (two queries, whatever the volume).
    count = tickets.count()
    if not count:
        return None
    middle = tickets.order_by("duration").values_list("duration", flat=True)
    if count % 2:
        return middle[count // 2]
    low, high = middle[count // 2 - 1 : count // 2 + 1]
    return (low + high) / 2


def _weeks(now) -> list:
    """The Mondays (local midnight) of the last WEEKS weeks, this one last."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _per_week(queryset: QuerySet, field: str, since) -> dict:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(week=TruncWeek(field))
        .values("week")
        .annotate(count=Count("id"))
    )
    return {timezone.localtime(row["week"]).date(): row["count"] for row in rows}


def dashboard(tickets: QuerySet[Ticket], now=None) -> dict:
    """The figures of a supervisor's dashboard, for the given tickets."""
    now = now or timezone.now()
    open_tickets = tickets.exclude(status=Ticket.Status.CLOSED)
    weeks = _weeks(now)
    created = _per_week(tickets, "created_at", weeks[0])
    solved_events = History.objects.filter(
        ticket__in=tickets, field="status", new_value=str(Ticket.Status.SOLVED.value)
    )
    solved = _per_week(solved_events, "created_at", weeks[0])
    status_labels = dict(Ticket.Status.choices)
    priority_labels = dict(Priority.choices)
    return {
        "by_status": [(status_labels[s], n) for s, n in _by(open_tickets, "status")],
        "by_team": _by(open_tickets, "team__name"),
        "by_theme": _by(open_tickets, "theme__name"),
        "by_priority": [(priority_labels[p], n) for p, n in _by(open_tickets, "priority")],
        "waiting": tickets.filter(status=Ticket.Status.SOLVED)
        .select_related("requester", "team")
        .order_by("solved_at")[:10],
        "waiting_count": tickets.filter(status=Ticket.Status.SOLVED).count(),
        "backlog": [
            (week.date(), created.get(week.date(), 0), solved.get(week.date(), 0)) for week in weeks
        ],
        "median_take": _median(tickets, "created_at", "taken_at"),
        "median_solve": _median(tickets, "created_at", "solved_at"),
    }
