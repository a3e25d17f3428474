"""The IMAP fetcher against a real Dovecot: moved only after commit, never twice."""

import imaplib
import threading
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django_celery_beat.models import PeriodicTask

from mailgate import imap
from mailgate.models import InboundMessage, Mailbox
from mailgate.tasks import fetch_mailboxes
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
    append(client, eml("new_request"), eml("new_request_cc"))
    real_move = imap._move

    def die(*args):
        raise ConnectionResetError("worker killed")

    monkeypatch.setattr(imap, "_move", die)
    assert imap.fetch_all() == 0  # the first message committed, then the worker died
    mailbox.refresh_from_db()
    assert "worker killed" in mailbox.last_error
    assert InboundMessage.objects.count() == 1
    assert count(client, "INBOX") == 2
    monkeypatch.setattr(imap, "_move", real_move)
    assert imap.fetch_all() == 2
    assert InboundMessage.objects.filter(state=State.TICKET).count() == 2
    assert Ticket.objects.filter(requester=requester).count() == 2
    assert (count(client, "INBOX"), count(client, "processed")) == (0, 2)


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


def test_the_beat_job_reads_every_active_mailbox(mailbox, client, requester):
    # The test database is flushed between these tests: run the data migration again.
    schedule = import_module("mailgate.migrations.0002_beat_schedule")
    schedule.create(apps, None)
    task = PeriodicTask.objects.get(task="mailgate.fetch")
    assert (task.interval.every, task.interval.period, task.enabled) == (60, "seconds", True)
    append(client, eml("new_request"))
    assert fetch_mailboxes.delay().get() == 1
    assert InboundMessage.objects.get().state == State.TICKET


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
