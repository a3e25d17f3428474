"""How long a technician waits for a queue page, a deep page, and a search.

Run with `make bench` (PostgreSQL on 127.0.0.1:5432, user postgres). It builds a
throw-away database `help_bench` with BENCH_TICKETS tickets (default 100 000), then
prints the median of several runs for each query, in milliseconds.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/help_bench")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

TICKETS = int(os.environ.get("BENCH_TICKETS", "100000"))
RUNS = 7


def build():
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-q",
            "-c",
            "DROP DATABASE IF EXISTS help_bench",
        ],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", "CREATE DATABASE help_bench"],
        check=True,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tickets.models import Followup, Team, TeamMembership, Ticket
    from tickets.workflow import Status

    team = Team.objects.create(name="DSIN - Support")
    technician = get_user_model().objects.create(username="tech", email="tech@univ.example")
    TeamMembership.objects.create(team=team, user=technician)
    requester = get_user_model().objects.create(username="req", email="req@univ.example")
    words = ["imprimante", "courriel", "vpn", "wifi", "écran", "clavier", "badge", "sifac"]
    now = timezone.now()
    batch = []
    for index in range(TICKETS):
        word = words[index % len(words)]
        batch.append(
            Ticket(
                title=f"Problème {word} n°{index}",
                description=f"<p>Le {word} ne fonctionne plus depuis ce matin.</p>",
                status=list(Status)[index % len(Status)],
                requester=requester,
                beneficiary=requester,
                team=team,
                assignee=technician if index % 3 else None,
                created_at=now,
                last_activity_at=now - timezone.timedelta(minutes=index),
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    ids = list(Ticket.objects.values_list("id", flat=True)[: TICKETS // 10])
    Followup.objects.bulk_create(
        Followup(ticket_id=pk, author=technician, content="Toner commandé chez le fournisseur")
        for pk in ids
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return technician


def timed(label, function):
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<45} {statistics.median(samples):8.1f} ms")


def main():
    technician = build()
    from backoffice.views.queues import PAGE_SIZE, _sort
    from tickets import selectors

    team_queue = selectors.filter_tickets(selectors.queue_tickets(technician, "team"), {})
    order = selectors.QUEUE_ORDERS[_sort("team", {})]
    # The keyset pages start after a row's sort values: those of a row five sixths down.
    deep = selectors._ordered(team_queue, order).order_by(
        *(f"-{name}" if order.descending else name for name in order.columns)
    )
    deep_after = list(deep.values_list(*order.columns)[int(TICKETS * 5 / 6) - PAGE_SIZE])
    print(f"{TICKETS} tickets, {PAGE_SIZE} a page, median of {RUNS} runs")
    timed("team queue, first page", lambda: selectors.page_of_tickets(team_queue, order, PAGE_SIZE))
    timed(
        "team queue, a page five sixths down",
        lambda: selectors.page_of_tickets(team_queue, order, PAGE_SIZE, after=deep_after),
    )
    timed("team queue, count", team_queue.count)
    timed(
        "search in followups, first page",
        lambda: selectors.page_of_tickets(team_queue, order, PAGE_SIZE, words="toner fournisseur"),
    )
    timed(
        "search in titles, first page",
        lambda: selectors.page_of_tickets(team_queue, order, PAGE_SIZE, words="imprimante"),
    )


if __name__ == "__main__":
    main()
