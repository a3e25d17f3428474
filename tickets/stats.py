"""Supervisors' figures, kept as counts (DashboardCount) so reading them costs the same
whatever the history holds.

Every service that changes what a figure counts appends its difference here, in its
own transaction: `ticket_added`, `ticket_changed` (from `services._change`) and the
auto-close's `tickets_closed`. The beat job `dashboard_counts_fold` folds the rows of
each key into one; `dashboard_counts_rebuild` counts everything again from the tickets
(after a bulk load that bypassed the services).

The times to take and to solve a ticket are averages: an exact median needs every
value, an average only a sum and a count.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.sql import insert_select

from .models import DashboardCount, History, Priority, Ticket

WEEKS = 12
Kind = DashboardCount.Kind
KEY = ("kind", "team_id", "theme_id", "priority", "status", "day")
SOLVED = Ticket.Status.SOLVED
CLOSED = Ticket.Status.CLOSED
# What the counts read from a ticket.
FIELDS = ("team_id", "theme_id", "priority", "status", "created_at", "taken_at", "solved_at")


def snapshot(ticket: Ticket) -> dict:
    """What the counts read from the ticket, before a change."""
    return {name: getattr(ticket, name) for name in FIELDS}


def _micros(duration: timedelta) -> int:
    return duration // timedelta(microseconds=1)


def _parts(values: dict) -> dict[tuple, list[int]]:
    """The (key → [count, total]) a ticket with these values adds to the figures."""
    team = values["team_id"]
    parts = {
        (Kind.CREATED, team, None, None, None, timezone.localdate(values["created_at"])): [1, 0]
    }
    if values["status"] != CLOSED:
        key = (Kind.OPEN, team, values["theme_id"], values["priority"], values["status"], None)
        parts[key] = [1, 0]
    for kind, end in ((Kind.TAKE_TIME, "taken_at"), (Kind.SOLVE_TIME, "solved_at")):
        if values[end] is not None:
            parts[kind, team, None, None, None, None] = [
                1,
                _micros(values[end] - values["created_at"]),
            ]
    return parts


def _append(differences: dict[tuple, list[int]]) -> None:
    rows = [
        DashboardCount(**dict(zip(KEY, key, strict=True)), count=count, total=total)
        for key, (count, total) in sorted(differences.items(), key=str)
        if count or total
    ]
    if rows:
        DashboardCount.objects.bulk_create(rows)


def ticket_added(ticket: Ticket) -> None:
    _append(_parts(snapshot(ticket)))


def ticket_changed(ticket: Ticket, before: dict, *, at) -> None:
    """Append what a change of the ticket at `at` moved; `before` is its snapshot."""
    after = snapshot(ticket)
    if after == before:
        return
    differences = defaultdict(lambda: [0, 0])
    for sign, values in ((1, after), (-1, before)):
        for key, (count, total) in _parts(values).items():
            differences[key][0] += sign * count
            differences[key][1] += sign * total
    if after["team_id"] != before["team_id"]:
        # The solutions proposed so far now count for the new team.
        solved = History.objects.filter(ticket=ticket, field="status", new_value=str(SOLVED))
        for at_ in solved.values_list("created_at", flat=True):
            day = timezone.localdate(at_)
            differences[Kind.SOLVED, before["team_id"], None, None, None, day][0] -= 1
            differences[Kind.SOLVED, after["team_id"], None, None, None, day][0] += 1
    if after["status"] == SOLVED != before["status"]:
        differences[Kind.SOLVED, after["team_id"], None, None, None, timezone.localdate(at)][0] += 1
    _append(differences)


def tickets_closed(tickets) -> None:
    """The solved tickets of a batch leave the open counts (one INSERT ... SELECT)."""
    insert_select(
        DashboardCount,
        tickets.values(
            c_kind=Value(Kind.OPEN.value),
            c_team=F("team"),
            c_theme=F("theme"),
            c_priority=F("priority"),
            c_status=Value(int(SOLVED)),
        ).annotate(c_count=-Count("id"), c_total=Value(0), c_folded=Value(False)),
        {
            "kind": "c_kind",
            "team_id": "c_team",
            "theme_id": "c_theme",
            "priority": "c_priority",
            "status": "c_status",
            "count": "c_count",
            "total": "c_total",
            "folded": "c_folded",
        },
    )


def _quoted_key(table: str) -> list[str]:
    quote = connection.ops.quote_name
    return [f"{table}.{quote(name)}" for name in KEY]


@transaction.atomic
def dashboard_counts_fold() -> int:
    """Fold the rows of every key changed since the last run into one; return rows read.

    One DELETE ... RETURNING takes the new rows and the folded rows of the same keys, so
    a row appended meanwhile is either taken (and counted) or left for the next run; two
    runs at once may leave two folded rows for a key, which add up the same.
    """
    quote = connection.ops.quote_name
    table = quote(DashboardCount._meta.db_table)
    same_key = " AND ".join(
        f"{new} IS NOT DISTINCT FROM {old}"
        for new, old in zip(_quoted_key("new"), _quoted_key(table), strict=True)
    )
    names = ", ".join(quote(name) for name in KEY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM {table} AS new"  # noqa: S608
            f" WHERE NOT new.folded AND {same_key})"
            f" RETURNING {names}, {quote('count')}, {quote('total')}"
        )
        taken = cursor.fetchall()
    sums = defaultdict(lambda: [0, 0])
    for *key, count, total in taken:
        if key[-1] is not None and not isinstance(key[-1], date):
            key[-1] = date.fromisoformat(key[-1])  # SQLite returns the text it keeps
        sums[tuple(key)][0] += count
        sums[tuple(key)][1] += total
    DashboardCount.objects.bulk_create(
        DashboardCount(**dict(zip(KEY, key, strict=True)), count=c, total=t, folded=True)
        for key, (c, t) in sums.items()
        if c or t
    )
    return len(taken)


@transaction.atomic
def dashboard_counts_rebuild() -> None:
    """Count every figure again from the tickets and their history."""
    if connection.vendor == "postgresql":
        # Changes wait until the new counts are in, then append their difference to them.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {DashboardCount._meta.db_table} IN EXCLUSIVE MODE")
    DashboardCount.objects.all().delete()
    columns = {name: f"c_{name}" for name in ("kind", "team_id", "count", "total", "folded")}
    constant = {"c_total": Value(0), "c_folded": Value(True)}
    open_tickets = Ticket.objects.exclude(status=CLOSED).order_by()
    insert_select(
        DashboardCount,
        open_tickets.values(
            c_kind=Value(Kind.OPEN.value),
            c_team_id=F("team"),
            c_theme_id=F("theme"),
            c_priority=F("priority"),
            c_status=F("status"),
        ).annotate(c_count=Count("id"), **constant),
        {**columns, **{name: f"c_{name}" for name in ("theme_id", "priority", "status")}},
    )
    days = {**columns, "day": "c_day"}
    created = Ticket.objects.order_by().values(
        c_kind=Value(Kind.CREATED.value), c_team_id=F("team"), c_day=TruncDate("created_at")
    )
    insert_select(DashboardCount, created.annotate(c_count=Count("id"), **constant), days)
    solved = History.objects.filter(field="status", new_value=str(SOLVED)).order_by()
    solved = solved.values(
        c_kind=Value(Kind.SOLVED.value), c_team_id=F("ticket__team"), c_day=TruncDate("created_at")
    )
    insert_select(DashboardCount, solved.annotate(c_count=Count("id"), **constant), days)
    rows = []
    for kind, end in ((Kind.TAKE_TIME, "taken_at"), (Kind.SOLVE_TIME, "solved_at")):
        duration = ExpressionWrapper(F(end) - F("created_at"), output_field=DurationField())
        per_team = (
            Ticket.objects.filter(**{f"{end}__isnull": False})
            .order_by()
            .values("team")
            .annotate(count=Count("id"), total=Sum(duration))
        )
        rows += [
            DashboardCount(
                kind=kind,
                team_id=row["team"],
                count=row["count"],
                total=_micros(row["total"]),
                folded=True,
            )
            for row in per_team
        ]
    DashboardCount.objects.bulk_create(rows)


# Reading the figures --------------------------------------------------------------


def _weeks(now) -> list:
    """The Mondays (local midnight) of the last WEEKS weeks, this one last."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _ranked(counts: dict) -> list[tuple[object, int]]:
    """Largest first, then by label (nothing last), without the empty ones."""
    rows = [(label, n) for label, n in counts.items() if n]
    return sorted(rows, key=lambda row: (-row[1], row[0] is None, row[0] or 0))


def _mean(count: int, total: int) -> timedelta | None:
    return timedelta(microseconds=total) / count if count else None


def dashboard(scope: Q, now=None) -> dict:
    """The figures of a supervisor's dashboard, for the tickets of `scope` (their teams)."""
    now = now or timezone.now()
    weeks = _weeks(now)
    rows = (
        DashboardCount.objects.filter(scope)
        .filter(Q(day__isnull=True) | Q(day__gte=weeks[0].date()))
        .values("kind", "team__name", "theme__name", "priority", "status", "day")
        .annotate(n=Sum("count"), total=Sum("total"))
        .order_by()
    )
    by = {name: defaultdict(int) for name in ("status", "team__name", "theme__name", "priority")}
    per_week = {Kind.CREATED: defaultdict(int), Kind.SOLVED: defaultdict(int)}
    times = {Kind.TAKE_TIME: [0, 0], Kind.SOLVE_TIME: [0, 0]}
    for row in rows:
        if row["kind"] == Kind.OPEN:
            for name, counts in by.items():
                counts[row[name]] += row["n"]
        elif row["kind"] in per_week:
            week = row["day"] - timedelta(days=row["day"].weekday())
            per_week[row["kind"]][week] += row["n"]
        else:
            times[row["kind"]][0] += row["n"]
            times[row["kind"]][1] += row["total"]
    status_labels = dict(Ticket.Status.choices)
    priority_labels = dict(Priority.choices)
    waiting = Ticket.objects.filter(scope, status=SOLVED)
    return {
        "by_status": [(status_labels[s], n) for s, n in _ranked(by["status"])],
        "by_team": _ranked(by["team__name"]),
        "by_theme": _ranked(by["theme__name"]),
        "by_priority": [(priority_labels[p], n) for p, n in _ranked(by["priority"])],
        "waiting": waiting.select_related("requester", "team").order_by("auto_close_at")[:10],
        "waiting_count": by["status"][SOLVED],
        "backlog": [
            (
                week.date(),
                per_week[Kind.CREATED][week.date()],
                per_week[Kind.SOLVED][week.date()],
            )
            for week in weeks
        ],
        "mean_take": _mean(*times[Kind.TAKE_TIME]),
        "mean_solve": _mean(*times[Kind.SOLVE_TIME]),
    }
