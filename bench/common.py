"""What the benchmarks share: Django on a throw-away database, a session, gunicorn, wrk."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
SERVER = "postgres://postgres@127.0.0.1:5432"
# wrk prints no 95th percentile by itself: this script adds p50/p95/p99 (microseconds).
PERCENTILES = """
done = function(summary, latency, requests)
  io.write(string.format("percentiles %d %d %d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)


def fresh_database(name: str) -> None:
    """Drop and create `name`, then point Django at it and migrate."""
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    psql(f"ALTER DATABASE {name} SET random_page_cost = 1.1")  # as the README advises
    use_database(name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# Ten technician teams, as the hand-written benchmark databases hold them.
TEAMS = (
    "INSERT INTO tickets_team (name, kind, email, is_active)"
    " SELECT 'Équipe ' || n, 'dsin', '', true FROM generate_series(1, 10) AS n"
)


def timed(function):
    """What `function` returns, the seconds it took and the queries it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
    return result, seconds, len(queries)


def use_database(name: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{name}"
    import django

    django.setup()


def session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk(url: str, cookie: str, seconds: int) -> dict:
    """Requests per second and p50/p95/p99 in milliseconds of `url` under wrk -t2 -c4."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(PERCENTILES)
        script.flush()
        command = ["wrk", "-t2", "-c4", f"-d{seconds}s", "-s", script.name]
        command += ["-H", f"Cookie: {cookie}", url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        sys.exit(f"{url} answered {errors.group(1)} errors:\n{output}")
    p50, p95, p99 = (
        int(v) / 1000 for v in re.search(r"percentiles (\d+) (\d+) (\d+)", output).groups()
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {"rate": rate, "p50": p50, "p95": p95, "p99": p99}


def fetch(url: str, cookie: str) -> str:
    """The page at `url`; stop the run if it is not a 200 (a redirect to the login...)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - our server
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        if response.status != 200 or response.geturl() != url:
            sys.exit(f"{url} answered {response.status} at {response.geturl()}")
        return response.read().decode()


def serve(workers: int, env: dict | None = None, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """Start gunicorn as in production (static files collected) on the checkout at `root`;
    return it and its URL."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    collect = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
    subprocess.run(collect, cwd=root, env=env, check=True)
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "helpdesk.wsgi", "-w", str(workers)]
    server = subprocess.Popen([*gunicorn, "-b", f"127.0.0.1:{port}"], cwd=root, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/accessibilite/", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    return server, base


def rss_mb(pid: int) -> float:
    """The resident memory of a process, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
