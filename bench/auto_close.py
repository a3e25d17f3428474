"""How long the auto-close takes to close BENCH_DUE solved tickets (default 100 000).

Run `python bench/auto_close.py` (PostgreSQL on 127.0.0.1:5432, user postgres). It
builds a throw-away database (BENCH_AUTOCLOSE_DB, default `help_bench_autoclose`) with
5 000 requesters, 300 technicians in 10 teams and the due tickets (each with a waiting
solution, solved 8 days ago, a requester, a beneficiary and a technician), then prints
the seconds and queries of the auto-close, the history and outbox rows it wrote, a
second run (which finds nothing), and the dashboard's time and queries after it. The
outbox rows are not sent: the relay has its own benchmark.
"""

import os

from common import TEAMS, fresh_database, timed

DB = os.environ.get("BENCH_AUTOCLOSE_DB", "help_bench_autoclose")

DUE = int(os.environ.get("BENCH_DUE", "100000"))

USERS = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, is_staff,
    is_active, date_joined, email, display_name, phone, language, muted_notifications,
    affiliation, department, newest_first)
SELECT '!', false, 'user' || n, '', '', false, true, now(), 'user' || n || '@univ.example',
    '', '', CASE WHEN n % 10 = 0 THEN 'en' ELSE 'fr' END,
    CASE WHEN n % 50 = 0 THEN '["ticket_closed"]'::jsonb ELSE '[]'::jsonb END, '', '', false
FROM generate_series(1, 5300) AS n
"""
TICKETS = """
INSERT INTO tickets_ticket (type, title, description, status, urgency, impact, priority,
    location_mode, source, answers, created_at, last_activity_at, solved_at, auto_close_at,
    taken_at, requester_id, beneficiary_id, assignee_id, team_id)
SELECT 'incident', 'Ticket ' || n, '', 5, 3, 3, 3, 'onsite', 'portal', '[]',
    now() - interval '10 days', now() - interval '8 days', now() - interval '8 days',
    now() - interval '1 day', now() - interval '9 days', 1 + n %% 5000,
    1 + (n * 7) %% 5000, 5001 + n %% 300, (SELECT min(id) FROM tickets_team) + n %% 10
FROM generate_series(1, %s) AS n
"""
SOLUTIONS = """
INSERT INTO tickets_solution (content, created_at, status, ticket_id, author_id)
SELECT 'Essayez ceci', solved_at, 'waiting', id, assignee_id FROM tickets_ticket
"""


def build():
    fresh_database(DB)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(USERS)
        cursor.execute(TEAMS)
        cursor.execute(TICKETS, [DUE])
        cursor.execute(SOLUTIONS)
        cursor.execute("ANALYZE")
    from tickets.stats import dashboard_counts_rebuild

    dashboard_counts_rebuild()


def main():
    build()
    from django.db.models import Q

    from notifications import services as outbox
    from notifications.models import Notification
    from tickets import services, stats
    from tickets.models import History

    outbox.enqueue = lambda ids: None  # written, not sent
    closed, seconds, queries = timed(services.tickets_auto_close)
    print(f"auto-close: {len(closed)} tickets in {seconds:.2f} s, {queries} queries")
    print(f"  history rows: {History.objects.filter(field='status', new_value='6').count()}")
    print(f"  outbox rows: {Notification.objects.count()}")
    again, seconds, queries = timed(services.tickets_auto_close)
    print(f"second run: {len(again)} tickets in {seconds:.3f} s, {queries} queries")
    folded, seconds, queries = timed(stats.dashboard_counts_fold)
    print(f"fold of the dashboard counts: {folded} rows in {seconds:.3f} s, {queries} queries")

    def dashboard():
        figures = stats.dashboard(Q())
        return list(figures["waiting"])

    _rows, seconds, queries = timed(dashboard)
    print(f"dashboard figures: {seconds * 1000:.1f} ms, {queries} queries")


if __name__ == "__main__":
    main()
