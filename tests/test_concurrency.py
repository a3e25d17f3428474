"""A real server on the default SQLite set-up, used by several people at once."""

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 5
ROUNDS = 3  # each round: one ticket sent, two pages read

SETUP = """
from accounts.models import User
from tickets.models import HelpdeskSettings, Location, Team, Theme

team = Team.objects.create(name="DSIN - Support de proximité")
HelpdeskSettings.objects.create(default_team=team)
Theme.objects.create(slug="impression", name="Impression")
Location.objects.create(name="Bureau 204")
for n in range({clients}):
    User.objects.create_user(f"user{{n}}", f"user{{n}}@univ.example", "secret-pass-123")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "true",
        "SECRET_KEY": "concurrency-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = {"env": env, "cwd": ROOT, "check": True, "capture_output": True}
    subprocess.run([*manage, "migrate", "--no-input"], **run)
    subprocess.run([*manage, "shell", "-c", SETUP.format(clients=CLIENTS)], **run)
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [*manage, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/accounts/login/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base, tmp_path / "server.log"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _post(session, url, data):
    data = {"csrfmiddlewaretoken": session.cookies["help_csrftoken"], **data}
    return session.post(url, data, headers={"Referer": url}, allow_redirects=False, timeout=30)


def _one_user(base: str, n: int) -> list[tuple[str, int]]:
    """Log in, then send tickets while reading pages; every answer's status."""
    session = requests.Session()
    seen = []
    login = f"{base}/accounts/login/"
    seen.append(("login page", session.get(login, timeout=30).status_code))
    answer = _post(session, login, {"login": f"user{n}", "password": "secret-pass-123"})
    seen.append(("login", answer.status_code))
    form = f"{base}/themes/impression/"
    for i in range(ROUNDS):
        ticket = {
            "title": f"Imprimante en panne {n}-{i}",
            "for_whom": "me",
            "urgency": "3",
            "location_mode": "onsite",
            "location": "Bureau 204",
            "type": "incident",
        }
        seen.append(("ticket", _post(session, form, ticket).status_code))
        suggestions = session.get(f"{base}/faq/suggestions/?title=imprimante", timeout=30)
        seen.append(("suggestions", suggestions.status_code))
        seen.append(("my tickets", session.get(f"{base}/demandes/", timeout=30).status_code))
    return seen


def test_several_people_reading_and_writing_at_once_get_no_error(server):
    base, log = server
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = [
            a for seen in pool.map(_one_user, [base] * CLIENTS, range(CLIENTS)) for a in seen
        ]
    assert len(answers) == CLIENTS * (2 + 3 * ROUNDS)
    failed = [(what, status) for what, status in answers if status >= 500]
    assert failed == [], log.read_text()[-3000:]
    # Each login and each ticket went through (a redirect), none refused.
    assert {status for what, status in answers if what in ("login", "ticket")} == {302}
