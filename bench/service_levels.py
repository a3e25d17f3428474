"""Service levels at scale: due dates, states and escalation of BENCH_OPEN open tickets
(default 100 000), and the queue sorted by due date among BENCH_TICKETS (default 500 000).

Run `python bench/service_levels.py` (PostgreSQL on 127.0.0.1:5432, user postgres). It
builds a throw-away database (BENCH_SLA_DB, default `help_bench_sla`) with 5 000
requesters, 300 technicians in 10 teams (a manager each), a level for every type and
priority under the university's calendar, BENCH_OPEN open tickets filed over the last
ten days with no clock (as if filed before the levels were switched on; one in three
already taken) and closed tickets up to BENCH_TICKETS. Then it prints, in seconds and
queries:

- the backfill (`clocks_backfill`): the level, calendar and due dates of every open
  ticket, their clock entries, the running due date copied onto each ticket;
- the states: how many open tickets are on time, at risk and late (the queue's filters);
- the escalation job (`alerts_send`) over them now (the backfill flagged the thresholds
  already passed as dealt with), then as it would run a working hour later, then a
  second run at that time that finds nothing;
- the queue "Tous" sorted by due date: the plan of its first page and of a page 1 000
  rows down (keyset), which must read the index `ticket_due_queue` with no sort, and
  the median time of each over BENCH_REPEAT runs (default 20).

The outbox rows the escalation writes are not sent: the relay has its own benchmark.
"""

import os
import statistics
import time
from datetime import timedelta

from common import TEAMS, fresh_database, timed

DB = os.environ.get("BENCH_SLA_DB", "help_bench_sla")

OPEN = int(os.environ.get("BENCH_OPEN", "100000"))
TICKETS = max(int(os.environ.get("BENCH_TICKETS", "500000")), OPEN)
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))

USERS = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, is_staff,
    is_active, date_joined, email, display_name, phone, language, muted_notifications,
    affiliation, department, newest_first)
SELECT '!', n = 5301, 'user' || n, '', '', false, true, now(), 'user' || n || '@univ.example',
    '', '', 'fr', '[]'::jsonb, '', '', false
FROM generate_series(1, 5301) AS n
"""
# Users 5001–5300 are the technicians, 30 a team, the first of each its manager.
MEMBERS = """
INSERT INTO tickets_teammembership (team_id, user_id, is_manager)
SELECT (SELECT min(id) FROM tickets_team) + (n - 5001) / 30, n, (n - 5001) % 30 = 0
FROM generate_series(5001, 5300) AS n
"""
# Open tickets (n <= OPEN) spread over the last ten days, one in three taken; the rest
# closed a year ago. Status 1 new, 2 assigned, 4 pending.
TICKETS_SQL = """
INSERT INTO tickets_ticket (type, title, description, status, urgency, impact, priority,
    location_mode, source, answers, created_at, last_activity_at, taken_at, closed_at,
    requester_id, beneficiary_id, assignee_id, team_id)
SELECT CASE WHEN n %% 3 = 0 THEN 'request' ELSE 'incident' END, 'Ticket ' || n, '',
    CASE WHEN n > %(open)s THEN 6 WHEN n %% 3 = 1 THEN 2 WHEN n %% 10 = 5 THEN 4 ELSE 1 END,
    3, 3, 1 + n %% 5, 'onsite', 'portal', '[]',
    CASE WHEN n > %(open)s THEN now() - interval '400 days'
        ELSE now() - (n %% 14400) * interval '1 minute' END,
    now() - (n %% 14400) * interval '1 minute',
    CASE WHEN n %% 3 = 1 OR n > %(open)s
        THEN now() - (n %% 14400) * interval '1 minute' + interval '2 hours' END,
    CASE WHEN n > %(open)s THEN now() - interval '390 days' END,
    1 + n %% 5000, 1 + n %% 5000,
    CASE WHEN n %% 3 = 1 OR n > %(open)s THEN 5001 + n %% 300 END,
    (SELECT min(id) FROM tickets_team) + (n %% 300) / 30
FROM generate_series(1, %(tickets)s) AS n
"""
LEVELS = """
INSERT INTO servicelevels_servicelevel (name, type, priority, take_time, take_unit,
    resolve_time, resolve_unit, warning_percent, is_active)
SELECT kind || ' ' || p, kind, p, CASE WHEN kind = 'incident' THEN 4 ELSE 8 END, 'hours',
    CASE WHEN kind = 'incident' THEN 3 ELSE 5 END, 'days', 75, true
FROM (VALUES ('incident'), ('request')) AS kinds(kind), generate_series(1, 5) AS p
"""


def build():
    fresh_database(DB)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(USERS)
        cursor.execute(TEAMS)
        cursor.execute(MEMBERS)
        cursor.execute(TICKETS_SQL, {"open": OPEN, "tickets": TICKETS})
        cursor.execute(LEVELS)
        cursor.execute("ANALYZE")


def queue_page(order, after=None):
    """One page of "Tous" sorted by due date, as the view asks for it (ids, then rows)."""
    from accounts.models import User
    from tickets import selectors

    admin = User.objects.get(username="user5301")
    tickets = selectors.filter_tickets(selectors.queue_tickets(admin, "all"), {})
    return selectors.page_of_tickets(tickets, order, 50, after=after)


def plan_of(order, after=None) -> str:
    """The EXPLAIN ANALYZE of the id query of that page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        queue_page(order, after)
    sql = next(q["sql"] for q in queries.captured_queries if "LIMIT 51" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    load = os.getloadavg()
    print(f"load before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} cores")
    start = time.perf_counter()
    build()
    print(f"built {TICKETS} tickets ({OPEN} open) in {time.perf_counter() - start:.1f} s")
    from django.db import connection
    from django.utils import timezone

    from notifications import services as outbox
    from notifications.models import Notification
    from servicelevels.models import Calendar, ClockEntry, TicketClock
    from servicelevels.services import FLAGS, alerts_send, clocks_backfill
    from tickets import selectors
    from tickets.models import Ticket

    outbox.enqueue = lambda ids: None  # written, not sent
    counted, seconds, queries = timed(clocks_backfill)
    print(f"due dates: {counted} open tickets in {seconds:.2f} s, {queries} queries")
    print(f"  clock entries: {ClockEntry.objects.count()}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def states():
        now, open_tickets = timezone.now(), Ticket.objects.exclude(status=Ticket.Status.CLOSED)
        return {s: open_tickets.filter(selectors.due_state_q(s, now)).count() for s in STATES}

    STATES = ("on-time", "at-risk", "late")
    counts, seconds, queries = timed(states)
    print(f"states: {counts} in {seconds:.2f} s, {queries} queries")
    passed = sum(TicketClock.objects.filter(**{flag: True}).count() for flag in FLAGS)
    print(f"  thresholds already passed, flagged as dealt with by the backfill: {passed}")
    sent, seconds, queries = timed(alerts_send)
    print(f"escalation now: {len(sent)} alerts in {seconds:.2f} s, {queries} queries")
    # A working hour later: a wall-clock hour may fall after closing time.
    calendar = Calendar.objects.get(is_default=True).schedule()
    later = calendar.add(timezone.now(), timedelta(hours=1))
    sent, seconds, queries = timed(lambda: alerts_send(now=later))
    print(
        f"escalation a working hour later ({later:%a %H:%M}): {len(sent)} alerts "
        f"in {seconds:.2f} s, {queries} queries"
    )
    print(f"  outbox rows: {Notification.objects.count()}")
    again, seconds, queries = timed(lambda: alerts_send(now=later))
    print(f"second run: {len(again)} alerts in {seconds:.3f} s, {queries} queries")

    order = selectors.QUEUE_ORDERS["due"]
    first = queue_page(order)
    deep = first
    for _ in range(20):  # 1 000 rows down, by the pages' own links
        deep = queue_page(order, deep.after)
    print(f'queue "Tous" sorted by due date, {Ticket.objects.count()} tickets:')
    for name, after in (("first page", None), ("page 21", deep.after)):
        plan = plan_of(order, after)
        uses = "ticket_due_queue" in plan and "Sort" not in plan
        runs = []
        for _ in range(REPEAT):
            _page, seconds, _queries = timed(lambda after=after: queue_page(order, after))
            runs.append(seconds)
        print(
            f"  {name}: index ticket_due_queue without a sort: {uses}; "
            f"median {statistics.median(runs) * 1000:.1f} ms over {REPEAT} runs"
        )
        print("    " + plan.replace("\n", "\n    "))
    print(f"load after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
