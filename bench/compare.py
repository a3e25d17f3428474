"""The work pages' rates on two checkouts of Help, measured in turns in one run.

    git worktree add /tmp/before <commit>
    python bench/compare.py /tmp/before .

Both checkouts are served by gunicorn at once (BENCH_WORKERS workers each, default 4)
against the same database (`help_bench_100k`, built by `python bench/data.py 100000`;
another with BENCH_DB), and wrk drives the one-query view, the team queue and the ticket
pages with 4 and 200 items, one checkout after the other in each of BENCH_ROUNDS rounds
(default 3) of BENCH_SECONDS (default 4): a machine whose speed drifts during the run
moves both alike, and each checkout's ratios to its own one-query view are printed.
"""

import os
import statistics
import sys
from pathlib import Path

from common import serve, session_cookie, use_database, wrk

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CEILING = "one-query view (ceiling)"


def main(roots: list[Path]) -> None:
    use_database(os.environ.get("BENCH_DB", "help_bench_100k"))
    from django.db.models import Count

    from tickets.models import Followup, Ticket

    # bench/data.py's ticket with 200 items, its technician, and its 4-item neighbour.
    most = Followup.objects.values("ticket").annotate(n=Count("id")).order_by("-n").first()
    big = most["ticket"]
    technician = Ticket.objects.select_related("assignee").get(pk=big).assignee
    paths = {
        CEILING: "/intervention/compteur/",
        "queue, first page": "/intervention/files/team/",
        "ticket page, 4 items": f"/intervention/tickets/{big - 20}/",
        "ticket page, 200 items": f"/intervention/tickets/{big}/",
    }
    servers = [serve(WORKERS, root=root) for root in roots]
    try:
        urls = {
            (root, name): base + path
            for root, (_s, base) in zip(roots, servers, strict=True)
            for name, path in paths.items()
        }
        cookies = {key: session_cookie(technician) for key in urls}
        for key, url in urls.items():
            wrk(url, cookies[key], 1)  # warm up each worker
        rates = {key: [] for key in urls}
        for _ in range(ROUNDS):
            for key, url in urls.items():
                rates[key].append(wrk(url, cookies[key], SECONDS)["rate"])
    finally:
        for server, _base in servers:
            server.terminate()
            server.wait()
    for root in roots:
        ceiling = statistics.median(rates[root, CEILING])
        print(f"\n{root}\n| page | requests/s | ratio |\n|---|---|---|")
        for name in paths:
            rate = statistics.median(rates[root, name])
            print(f"| {name} | {rate:.1f} | {rate / ceiling:.2f} |")


if __name__ == "__main__":
    main([Path(root).resolve() for root in sys.argv[1:]] or sys.exit(__doc__))
