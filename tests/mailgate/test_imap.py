"""The IMAP fetcher against a real Dovecot: moved only after commit, never twice.

The last test runs the real thing: Celery beat and a worker on Redis read the mailbox.
"""

import imaplib
import threading
import time
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from mailgate import imap
from mailgate.models import InboundMessage, Mailbox
from notifications import mailheaders
from tests.conftest import needs_postgres
from tests.notifications.conftest import Sink, free_port
from tests.notifications.test_worker import (
    WORKER,
    beat,
    environment,
    needs_redis,
    running,
    wait_for,
)
from tickets.models import Ticket

from .conftest import eml
from .dovecot import dovecot  # noqa: F401 - the fixture

State = InboundMessage.State


@pytest.fixture
def mailbox(db, dovecot):  # noqa: F811
    return Mailbox.objects.create(
        name="Support",
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.PLAIN,
        username=dovecot.user,
        password=dovecot.password,
    )


@pytest.fixture
def client(dovecot):  # noqa: F811
    client = imaplib.IMAP4("127.0.0.1", dovecot.port)
    client.login(dovecot.user, dovecot.password)
    yield client
    client.logout()


def append(client, *raws):
    for raw in raws:
        status, _ = client.append("INBOX", None, None, raw)
        assert status == "OK"


def count(client, folder) -> int:
    status, data = client.select(f'"{folder}"', readonly=True)
    return int(data[0]) if status == "OK" else 0


def renamed(raw: bytes, new_id: str) -> bytes:
    return raw.replace(b"Message-ID: <", f"Message-ID: <{new_id}.".encode(), 1)


def test_messages_are_processed_then_moved(mailbox, client, requester):
    append(client, eml("new_request"), eml("bulk_newsletter"), eml("nested_deep"))
    assert imap.fetch(mailbox) == 3
    states = sorted(InboundMessage.objects.values_list("state", flat=True))
    assert states == [State.ERROR, State.IGNORED, State.TICKET]
    assert (count(client, "INBOX"), count(client, "processed"), count(client, "errors")) == (
        0,
        2,
        1,
    )
    assert InboundMessage.objects.get(state=State.ERROR).reason.startswith("MIME parts nested")
    assert imap.fetch(mailbox) == 0


def test_a_worker_killed_between_commit_and_move_duplicates_nothing(
    mailbox, client, requester, monkeypatch
):
    append(client, eml("new_request"), eml("new_request_cc"), eml("nested_deep"))
    real_move = imap._move

    def die(*args):
        raise ConnectionResetError("worker killed")

    monkeypatch.setattr(imap, "_move", die)
    assert imap.fetch_all() == 0  # the three messages committed, then the worker died
    mailbox.refresh_from_db()
    assert "worker killed" in mailbox.last_error
    assert InboundMessage.objects.count() == 3
    assert count(client, "INBOX") == 3
    monkeypatch.setattr(imap, "_move", real_move)
    assert imap.fetch_all() == 3
    assert InboundMessage.objects.filter(state=State.TICKET).count() == 2
    assert Ticket.objects.filter(requester=requester).count() == 2
    assert (count(client, "INBOX"), count(client, "processed")) == (0, 2)
    assert count(client, "errors") == 1  # read twice, still known as unreadable


def test_two_workers_on_one_mailbox_do_each_message_once(mailbox, client, requester):
    raws = [renamed(eml("new_request"), f"w{i}") for i in range(8)]
    append(client, *raws)
    errors = []

    def work():
        try:
            imap.fetch(mailbox)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert InboundMessage.objects.filter(state=State.TICKET).count() == 8
    assert InboundMessage.objects.values("ticket").distinct().count() == 8
    assert count(client, "INBOX") == 0


@pytest.fixture
def sink():
    server = Sink(free_port())
    server.start()
    yield server
    server.stop()


def test_beat_and_a_worker_read_the_mailbox_every_minute(
    mailbox, client, requester, ticket, sink, tmp_path, settings
):
    """A message APPENDed to the mailbox becomes a followup, no task called by hand."""
    needs_postgres()
    needs_redis()
    # The test database is flushed between these tests: run the data migration again.
    import_module("mailgate.migrations.0002_beat_schedule").create(apps, None)
    task = PeriodicTask.objects.get(name="Lecture des boîtes aux lettres")
    assert (task.task, task.enabled) == ("mailgate.fetch", True)
    assert (task.interval.every, task.interval.period) == (60, "seconds")
    # The minute of the schedule, shortened to two seconds for the test.
    task.interval = IntervalSchedule.objects.get_or_create(every=2, period="seconds")[0]
    task.save()
    PeriodicTask.objects.exclude(pk=task.pk).update(enabled=False)
    token = mailheaders.reply_token(ticket.pk, requester.pk)
    append(client, eml("reply_plain_fr", ticket=ticket.pk, token=token), eml("new_request"))

    env = {
        **environment(sink.port, tmp_path / "static"),
        # The worker must check the reply token with the key that signed it.
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": settings.SITE_URL,
        "HELP_REPLY_ADDRESS": settings.HELP_REPLY_ADDRESS,
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
    }
    commands = {"worker": WORKER, "beat": beat(tmp_path)}
    with running(commands, env, tmp_path) as logs:
        read = wait_for(lambda: InboundMessage.objects.count() == 2)
        confirmed = wait_for(lambda: any("Votre réponse" in m["Subject"] for m in sink.messages))
        time.sleep(5)  # two more beat ticks: the job runs again and must change nothing
    output = logs()
    assert read, output
    assert confirmed, output
    states = dict(InboundMessage.objects.values_list("key", "state"))
    assert states == {
        "<reply_plain_fr@mail.univ.example>": State.FOLLOWUP,
        "<new_request@mail.univ.example>": State.TICKET,
    }
    assert ticket.followups.get().author == requester
    assert Ticket.objects.filter(requester=requester).count() == 2
    assert (count(client, "INBOX"), count(client, "processed")) == (0, 2)
    to_claire = sorted(m["Subject"] for m in sink.messages if m["To"] == "claire@univ.example")
    assert len(to_claire) == 2, to_claire  # the reply's confirmation, the new ticket's
    assert InboundMessage.objects.count() == 2


def test_a_wrong_password_is_shown_in_admin_and_stops_nothing(mailbox, client, requester):
    Mailbox.objects.create(
        name="Broken",
        host="127.0.0.1",
        port=mailbox.port,
        security="plain",
        username="support",
        password="wrong",
    )
    append(client, eml("new_request"))
    assert imap.fetch_all() == 1
    broken = Mailbox.objects.get(name="Broken")
    assert (
        "AUTHENTICATIONFAILED" in broken.last_error or "authentication" in broken.last_error.lower()
    )


def test_a_mailbox_described_by_the_environment_is_read_beside_those_of_admin(
    dovecot,  # noqa: F811
    client,
    requester,
    settings,
):
    settings.IMAP_MAILBOX = {
        "host": "127.0.0.1",
        "port": dovecot.port,
        "security": "plain",
        "username": dovecot.user,
        "inbox_folder": "INBOX",
        "processed_folder": "processed",
        "errors_folder": "errors",
    }
    settings.IMAP_PASSWORD = dovecot.password
    append(client, eml("new_request"))
    assert imap.fetch_all() == 1
    described = Mailbox.objects.get()
    assert described.password == ""  # the secret stays in the environment
    assert InboundMessage.objects.get().mailbox == described
    assert described.last_error == ""
    Mailbox.objects.filter(pk=described.pk).update(port=1)  # edited in admin: undone
    with CaptureQueriesContext(connection) as queries:
        assert imap.fetch_all() == 0
    assert Mailbox.objects.get().port == dovecot.port
    with CaptureQueriesContext(connection) as again:
        imap.fetch_all()
    assert len(again) == len(queries) - 1  # nothing to put right: the row is not written
    append(client, eml("new_request").replace(b"<new_request@", b"<another@"))
    Mailbox.objects.filter(pk=described.pk).update(is_active=False)  # switched off in admin
    assert imap.fetch_all() == 0
    assert Mailbox.objects.count() == 1 and count(client, "INBOX") == 1
