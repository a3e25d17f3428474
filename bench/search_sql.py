"""The SQL time of the queues' word search, as the page runs it, with EXPLAIN ANALYZE.

`python bench/search_sql.py help_bench_500k` (a database built by bench/data.py) opens
the search page through Django's test client for a supervisor's "Tous" and a
technician's one-team queue, captures the queries that read the ticket table, and
prints for each search the median execution time (EXPLAIN ANALYZE, warm cache) of
each query and their sum. PLANS=1 prints the plan of the slowest query as well.
"""

import os
import statistics
import sys
from urllib.parse import urlencode

from common import use_database

RUNS = 5
SEARCHES = {
    "common word": "imprimante",  # data.py: in one ticket in eight, of every status
    "another common word": "courriel",
    "rare word": "vidéoprojecteur",  # data.py: in one ticket in 20,011
    "two words": "imprimante fonctionne",
    "two words, title and followup": "imprimante toner",
    "two words never together": "imprimante wifi",
    "no match": "zyxwvut",
}


def _execution_ms(cursor, sql: str) -> tuple[float, str]:
    times, plan = [], ""
    for _ in range(RUNS):
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        lines = [row[0] for row in cursor.fetchall()]
        times.append(float(lines[-1].split(":")[1].split()[0]))
        plan = "\n".join(lines)
    return statistics.median(times), plan


def measure(client, url: str) -> tuple[list[float], str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    # The ticket queries, and the search's look-up of its matches (TicketSearch).
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if '"tickets_ticket"' in q["sql"] or '"tickets_ticketsearch"' in q["sql"]
    ]
    timings = []
    with connection.cursor() as cursor:
        for sql in statements:
            timings.append(_execution_ms(cursor, sql))
    slowest = max(timings, key=lambda t: t[0])[1] if timings else ""
    return [ms for ms, _plan in timings], slowest


def main():
    use_database(sys.argv[1])
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from tickets.models import Ticket

    setup_test_environment()
    # The page's SQL is measured, not its assets: no collected manifest needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    supervisor = User.objects.get(username="superviseur")
    technician = User.objects.filter(team_memberships__is_manager=False).order_by("pk").first()
    team = technician.team_memberships.first().team_id
    number = Ticket.objects.filter(team=team).exclude(status=6).order_by("-pk").first().pk
    cases = {**SEARCHES, "ticket number": str(number)}
    print(f"{Ticket.objects.count()} tickets; load average {os.getloadavg()}")
    for queue, who in (("all", supervisor), ("team", technician)):
        client = Client()
        client.force_login(who)
        for name, text in cases.items():
            url = f"/intervention/files/{queue}/?{urlencode({'q': text})}"
            timings, plan = measure(client, url)
            parts = " + ".join(f"{ms:.1f}" for ms in timings)
            print(f"{queue:<5} {name:<32} {sum(timings):8.1f} ms  ({parts})")
            if os.environ.get("PLANS"):
                print(plan)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
