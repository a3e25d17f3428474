"""Requests per second of the ticket page and the queue, against Help's one-query view.

Run with `make bench-pages` (PostgreSQL on 127.0.0.1:5432, user postgres; Debian's wrk).
It builds the throw-away database `help_bench` with BENCH_TICKETS tickets (default
100 000, as bench/queue_pages.py does), adds a ticket with 4 timeline items and one with
200, starts gunicorn, and drives each page with wrk in turn, several rounds interleaved,
beside the count of one's open tickets (backoffice:open-count: one query after the
login's), the ceiling every ratio is taken against.
"""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from queue_pages import ROOT, TICKETS, build

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


def _session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wrk(url: str, cookie: str, seconds: int = SECONDS) -> float:
    command = ["wrk", "-t2", "-c4", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        sys.exit(f"{url} answered {errors.group(1)} errors:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    technician = build()
    from tickets.models import Ticket

    small, big = Ticket.objects.filter(team__isnull=False).order_by("-id")[:2]
    _items(small, technician, 4)
    _items(big, technician, 200)
    cookie = _session_cookie(technician)
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    # Served as in production: static files collected, their names hashed.
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    gunicorn = [sys.executable, "-m", "gunicorn", "helpdesk.wsgi", "-w", WORKERS]
    server = subprocess.Popen([*gunicorn, "-b", f"127.0.0.1:{port}"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}/intervention"
    pages = {
        "one-query view (ceiling)": f"{base}/compteur/",
        "ticket page, 4 items": f"{base}/tickets/{small.pk}/",
        "ticket page, 200 items": f"{base}/tickets/{big.pk}/",
        "team queue, 50 rows": f"{base}/files/team/?sort=activity",
    }
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accessibilite/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        for url in pages.values():  # warm up each worker
            _wrk(url, cookie, seconds=1)
        rates = {name: [] for name in pages}
        for _ in range(ROUNDS):
            for name, url in pages.items():
                rates[name].append(_wrk(url, cookie))
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
