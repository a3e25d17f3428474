"""Help at university scale: each page's rate and latency at 100,000 and 500,000 tickets.

`make bench` runs it (PostgreSQL on 127.0.0.1:5432, user postgres; Debian's wrk). For
each size in BENCH_SIZES (default "100000"; "100000 500000" for the comparison), a
child process builds `help_bench_<n>k` with bench/data.py, starts gunicorn with
BENCH_WORKERS workers (default 4) and drives each page with wrk for BENCH_SECONDS, in
BENCH_ROUNDS rounds, each round opening with Help's one-query view (the count of one's
open tickets, /intervention/compteur/), the ceiling every ratio is taken against. Then
it drains BENCH_RELAY messages (default 100,000) through the outbox relay into an
aiosmtpd sink with one process, and twice as many with two, and reads the resident
memory of the gunicorn workers. The parent prints one table per size and, with two
sizes, each page's ratio between the largest and the smallest.

The last page of a queue is found by following its "next page" links from the first
page (an <a rel="next"> or the link labelled "Page suivante"/"Next page"), or taken at
once from a link labelled as the last page when the queue offers one: the queues'
pagination may change (keyset pages carry their position in the query string), and the
bench only needs each page's address, which it reads from the page itself.
"""

import html
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from common import fetch, rss_mb, serve, session_cookie, wrk

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "100000").split()]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
RELAY = int(os.environ.get("BENCH_RELAY", "100000"))
CEILING = "one-query view (ceiling)"
LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)


def _link(page: str, rels: tuple[str, ...], labels: tuple[str, ...]) -> str | None:
    for attributes, text in LINK.findall(page):
        href = re.search(r'href="([^"]*)"', attributes)
        rel = re.search(r'rel="([^"]*)"', attributes)
        label = " ".join(re.sub(r"<[^>]+>", " ", text).split()).lower()
        if href and ((rel and rel.group(1) in rels) or label in labels):
            return html.unescape(href.group(1))
    return None


def last_page(url: str, cookie: str, limit: int = 5000) -> str:
    """The address of a queue's last page, read from the pages' own links."""
    from urllib.parse import urljoin

    for _ in range(limit):
        page = fetch(url, cookie)
        last = _link(page, ("last",), ("dernière page", "last page"))
        if last:
            return urljoin(url, last)
        following = _link(page, ("next",), ("page suivante", "next page"))
        if not following:
            return url
        url = urljoin(url, following)
    return url


def gunicorn_workers(server) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def one_size(size: int) -> dict:
    """Build, serve and measure one size; return the figures (run in a child process)."""
    import data
    import relay

    personas = data.build(size)
    from accounts.models import User

    people = {
        name: User.objects.get(pk=personas[name])
        for name in ("technician", "supervisor", "requester")
    }
    server, root = serve(WORKERS)
    office = f"{root}/intervention"
    team = f"{office}/files/team/"
    pages = {
        CEILING: (f"{office}/compteur/", "technician"),
        "queue, first page": (team, "technician"),
        "queue, last page": (team, "technician"),  # its address is read below
        'supervisor, "Tous"': (f"{office}/files/all/", "supervisor"),
        "search": (f"{office}/files/all/?q=imprimante", "supervisor"),
        "ticket page, 4 items": (f"{office}/tickets/{personas['small']}/", "technician"),
        "ticket page, 200 items": (f"{office}/tickets/{personas['big']}/", "technician"),
        '"Mes demandes"': (f"{root}/demandes/", "requester"),
        "dashboard": (f"{office}/tableau-de-bord/", "supervisor"),
    }
    # A session per page: a queue remembers its last filters in the session and sends
    # a bare visit back to them, so two pages of one queue must not share one.
    cookies = {name: session_cookie(people[who]) for name, (_url, who) in pages.items()}
    try:
        pages["queue, last page"] = (last_page(team, cookies["queue, last page"]), "technician")
        for name, (url, _who) in pages.items():  # check each page, then warm up each worker
            fetch(url, cookies[name])
            wrk(url, cookies[name], seconds=1)
        samples = {name: [] for name in pages}
        for _ in range(ROUNDS):
            for name, (url, _who) in pages.items():
                samples[name].append(wrk(url, cookies[name], SECONDS))
                fetch(url, cookies[name])  # still the page, not a redirect wrk counted
        rss = max(rss_mb(pid) for pid in gunicorn_workers(server))
    finally:
        server.terminate()
        server.wait()
    figures = {
        name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for name, runs in samples.items()
    }
    database = data.database_name(size)
    relays = [relay.measure(database, RELAY, 1), relay.measure(database, 2 * RELAY, 2)]
    return {"size": size, "pages": figures, "gunicorn_rss": rss, "relay": relays}


def show(result: dict) -> None:
    import relay

    pages = result["pages"]
    ceiling = pages[CEILING]["rate"]
    print(
        f"\n{result['size']} tickets, gunicorn -w {WORKERS}, wrk -t2 -c4,"
        f" {ROUNDS} rounds of {SECONDS} s (medians)"
    )
    print(f"{'page':<26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'ratio':>6}")
    for name, f in pages.items():
        print(
            f"{name:<26} {f['rate']:8.1f} {f['p50']:8.1f} {f['p95']:8.1f} {f['p99']:8.1f}"
            f" {f['rate'] / ceiling:6.2f}"
        )
    print(f"largest gunicorn worker after the run: {result['gunicorn_rss']:.0f} MB")
    for figures in result["relay"]:
        relay.show(figures)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print("RESULT " + json.dumps(one_size(int(sys.argv[2]))))
        return
    results = []
    for size in SIZES:
        run = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        line = next(ln for ln in run.stdout.splitlines() if ln.startswith("RESULT "))
        results.append(json.loads(line.removeprefix("RESULT ")))
        show(results[-1])
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(f"\nratio of the rates, {large['size']} / {small['size']} tickets")
        for name, figures in large["pages"].items():
            print(f"{name:<26} {figures['rate'] / small['pages'][name]['rate']:6.2f}")


if __name__ == "__main__":
    main()
