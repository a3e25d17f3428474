"""The real processes: a Celery worker and beat on Redis, gunicorn, an SMTP sink."""

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Event, Notification
from tests.conftest import missing_service, needs_postgres
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tests.notifications.conftest import free_port
from tickets import services
from tickets.models import History, Ticket

pytestmark = pytest.mark.django_db(transaction=True)
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def _broker_url() -> str:
    """Redis for the tests' real workers: one database per test process (pytest-xdist),
    so that a worker never takes the tasks another test sent to its own workers."""
    url = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    process = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not process.startswith("gw"):
        return url.geturl()
    database = (int(url.path.strip("/") or 0) + 1 + int(process[2:])) % 16
    return url._replace(path=f"/{database}").geturl()


REDIS_URL = _broker_url()


# A real Celery worker, and beat, as the deployment runs them (one process, the queue
# emptied of what an earlier run left).
CELERY = [BIN / "celery", "-A", "helpdesk"]
WORKER = [
    *CELERY,
    *("worker", "--pool=solo", "--purge", "--without-gossip", "--without-mingle"),
    "--loglevel=INFO",
]


def beat(folder: Path) -> list:
    return [*CELERY, "beat", "--loglevel=INFO", f"--schedule={folder / 'beat'}"]


def needs_redis():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        missing_service(f"needs Redis at {REDIS_URL}: {error}")


def environment(smtp_port, static_root):
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "SECRET_KEY": "worker-test",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "STATIC_ROOT": str(static_root),
    }


@contextmanager
def running(commands: dict, env: dict, folder: Path):
    """Start each named command, its output in `folder`/<name>.log; stop them all after.

    Yields a function that reads every log, for the assertions' messages.
    """
    logs = {name: open(folder / f"{name}.log", "w") for name in commands}  # noqa: SIM115
    processes = [
        subprocess.Popen(command, env=env, stdout=logs[name], stderr=subprocess.STDOUT)
        for name, command in commands.items()
    ]
    try:
        yield lambda: "\n".join((folder / f"{name}.log").read_text() for name in logs)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
        for log in logs.values():
            log.close()


def wait_for(check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_beat_and_a_worker_close_a_waiting_ticket_and_mail_it_once(sink, smtp_port, tmp_path):
    needs_postgres()
    needs_redis()
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    requester = UserFactory(email="claire@univ.example")
    team = TeamFactory()
    technician = make_technician(team, email="karim@univ.example")
    ticket = make_ticket(requester=requester, team=team)
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Quota relevé")
    ticket.refresh_from_db()
    Ticket.objects.filter(pk=ticket.pk).update(auto_close_at=timezone.now() - timedelta(minutes=1))
    # Beat's auto-close job, every two seconds instead of every hour for the test.
    every_two, _ = IntervalSchedule.objects.get_or_create(every=2, period="seconds")
    PeriodicTask.objects.update(enabled=False)
    PeriodicTask.objects.create(
        name="test auto-close", task="tickets.auto_close", interval=every_two
    )

    env = environment(smtp_port, tmp_path / "static")
    # As in the image: the site's static files are collected before gunicorn serves it.
    subprocess.run(
        [sys.executable, ROOT / "manage.py", "collectstatic", "--no-input", "-v0"],
        env=env,
        check=True,
    )
    web_port = free_port()
    commands = {
        "worker": WORKER,
        "beat": beat(tmp_path),
        "web": [
            BIN / "gunicorn",
            "helpdesk.wsgi",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--workers",
            "1",
        ],
    }
    with running(commands, env, tmp_path) as logs:
        closed = wait_for(lambda: Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CLOSED)
        mailed = wait_for(lambda: any(m["To"] == "claire@univ.example" for m in sink.messages))
        time.sleep(5)  # two more beat ticks: the job runs again and must change nothing
        page = urllib.request.urlopen(f"http://127.0.0.1:{web_port}/accounts/login/", timeout=10)  # noqa: S310
        assert page.status == 200
    output = logs()
    assert closed, output
    assert mailed, output
    assert History.objects.filter(ticket=ticket, field="status", new_value="6").count() == 1
    to_requester = [m for m in sink.messages if m["To"] == "claire@univ.example"]
    assert len(to_requester) == 1
    closing = Notification.objects.get(event=Event.TICKET_CLOSED, email="claire@univ.example")
    assert closing.state == Notification.State.SENT
    assert closing.context == {"automatic": True}
