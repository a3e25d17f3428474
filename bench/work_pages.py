"""Requests per second of the ticket page and the queue, against Help's one-query view.

Run with `make bench-pages` (PostgreSQL on 127.0.0.1:5432, user postgres; Debian's wrk).
It builds the throw-away database `help_bench` with BENCH_TICKETS tickets (default
100 000, as bench/queue_pages.py does), adds a ticket with 4 timeline items and one with
200, starts gunicorn, and drives each page with wrk in turn, several rounds interleaved,
beside the count of one's open tickets (backoffice:open-count: one query after the
login's), the ceiling every ratio is taken against.
"""

import os
import shutil
import statistics
import sys

from common import serve, session_cookie, wrk
from queue_pages import TICKETS, build

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")


def _items(ticket, author, count):
    from tickets.models import Followup, Task

    Followup.objects.bulk_create(
        Followup(ticket=ticket, author=author, content=f"<p>Suivi {index}</p>")
        for index in range(count - count // 4)
    )
    Task.objects.bulk_create(
        Task(ticket=ticket, author=author, content=f"<p>Tâche {index}</p>")
        for index in range(count // 4)
    )


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    technician = build()
    from tickets.models import Ticket

    small, big = Ticket.objects.filter(team__isnull=False).order_by("-id")[:2]
    _items(small, technician, 4)
    _items(big, technician, 200)
    cookie = session_cookie(technician)
    server, root = serve(WORKERS)
    base = f"{root}/intervention"
    pages = {
        "one-query view (ceiling)": f"{base}/compteur/",
        "ticket page, 4 items": f"{base}/tickets/{small.pk}/",
        "ticket page, 200 items": f"{base}/tickets/{big.pk}/",
        "team queue, 50 rows": f"{base}/files/team/?sort=activity",
    }
    try:
        for url in pages.values():  # warm up each worker
            wrk(url, cookie, seconds=1)
        rates = {name: [] for name in pages}
        for _ in range(ROUNDS):
            for name, url in pages.items():
                rates[name].append(wrk(url, cookie, SECONDS)["rate"])
    finally:
        server.terminate()
        server.wait()
    ceiling = statistics.median(rates["one-query view (ceiling)"])
    print(f"{TICKETS} tickets, gunicorn -w {WORKERS}, wrk -t2 -c4, {ROUNDS} rounds of {SECONDS} s")
    print(f"{'page':<28} {'requests/s':>11} {'ratio':>7}")
    for name, samples in rates.items():
        rate = statistics.median(samples)
        print(f"{name:<28} {rate:11.1f} {rate / ceiling:7.2f}")


if __name__ == "__main__":
    main()
