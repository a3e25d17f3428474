"""The outbox relay at scale: batches, one SMTP connection each, two workers, a killed one."""

import os
import signal
import subprocess
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications import sending
from notifications.models import Event, Notification
from tests.conftest import needs_postgres
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tests.notifications.test_worker import BIN, REDIS_URL, environment, needs_redis, wait_for
from tickets import services
from tickets.models import HelpdeskSettings, TeamMembership

pytestmark = pytest.mark.django_db(transaction=True)


def _queue(count: int, *, prefix: str = "r") -> list[int]:
    """`count` due messages to distinct people of a ticket, some about its followups."""
    team = TeamFactory()
    technician = make_technician(team)
    ticket = make_ticket(requester=UserFactory(), team=team)
    public = services.followup_add(ticket=ticket, author=technician, content="Toner commandé")
    people = User.objects.bulk_create(
        User(username=f"{prefix}{n}", email=f"{prefix}{n}@univ.example") for n in range(count)
    )
    ticket.observers.add(*people)
    Notification.objects.all().delete()  # what the ticket's creation sent already
    rows = Notification.objects.bulk_create(
        Notification(
            event=Event.FOLLOWUP_ADDED if n % 2 else Event.TICKET_CREATED,
            ticket=ticket,
            recipient=person,
            email=person.email,
            context={"followup": public.pk} if n % 2 else {},
            dedupe_key=f"bench-{prefix}{n}",
        )
        for n, person in enumerate(people)
    )
    return [row.pk for row in rows]


def _reads(queries) -> list[str]:
    """The batch's queries but the one "sent" mark written as each message goes out."""
    return [q["sql"] for q in queries if "SET \"state\" = 'sent'" not in q["sql"]]


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_batch_costs_the_same_queries_for_5_messages_and_for_50(smtp_settings, sink, pipelining):
    sink.pipelining = pipelining
    HelpdeskSettings.load()  # read once per process, then cached
    costs = []
    for count, prefix in ((5, "a"), (50, "b")):
        _queue(count, prefix=prefix)
        sink.forget()  # what the ticket's creation and followup sent
        with CaptureQueriesContext(connection) as queries:
            assert sending.send_batch() == (count, count)
        reads = len(_reads(queries))
        costs.append((reads, len(queries) - reads, len(sink.messages), len(sink.sessions)))
    # Claim, load, the followups, memberships, observers, tasks, the failures' write
    # (none here); on PostgreSQL also the quick-commit switch and back.
    # Then one "sent" mark per message, and one SMTP connection for the whole batch.
    reads = 8 if connection.vendor == "postgresql" else 6
    assert costs == [(reads, 5, 5, 1), (reads, 50, 50, 1)]


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_refused_address_fails_alone_and_the_batch_goes_on(smtp_settings, sink, pipelining):
    sink.pipelining = pipelining
    ids = _queue(10)
    sink.forget()
    refused = Notification.objects.filter(pk__in=[ids[2], ids[7]])
    sink.refused = set(refused.values_list("email", flat=True))
    assert sending.send_batch() == (10, 8)
    assert len(sink.messages) == 8 and len(sink.sessions) == 1
    assert sorted(m["To"] for m in sink.messages) == sorted(
        Notification.objects.filter(pk__in=ids)
        .exclude(email__in=sink.refused)
        .values_list("email", flat=True)
    )
    for row in refused:  # back in the outbox for a later attempt
        assert row.state == Notification.State.PENDING
        assert row.last_error.startswith("SMTPRecipientsRefused")
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 8


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_message_that_cannot_be_written_fails_alone_and_no_other_is_sent_twice(
    smtp_settings, sink, pipelining
):
    sink.pipelining = pipelining
    ids = _queue(6)
    sink.forget()
    Notification.objects.filter(pk=ids[3]).update(email="f@univ.example\r\nBcc: x@evil.example")
    assert sending.send_batch() == (6, 5)
    assert len(sink.messages) == 5 and len(sink.sessions) == 1  # each once, one connection
    broken = Notification.objects.get(pk=ids[3])
    assert broken.state == Notification.State.PENDING and broken.last_error
    assert not any("evil" in str(m) for m in sink.messages)


@pytest.mark.parametrize(("pipelining", "lost"), [(True, 2), (False, 1)])
def test_a_lost_connection_loses_only_what_the_server_had_not_answered(
    smtp_settings, sink, pipelining, lost
):
    """The messages it accepted are marked sent; the ones in flight go back to the outbox.

    With PIPELINING, the answer to the fourth message's content comes in the same read
    as the fifth's envelope, whose recipient is never answered: the fourth is sent, the
    fifth and the sixth (being sent) are lost; the rest goes on a new connection.
    """
    sink.pipelining = pipelining
    ids = _queue(10)
    sink.forget()
    sink.drop_after = 4
    assert sending.send_batch() == (10, 10 - lost)
    rows = Notification.objects.filter(pk__in=ids)
    assert not rows.filter(state=Notification.State.SENDING).exists()
    sent = rows.filter(state=Notification.State.SENT)
    assert sorted(m["To"] for m in sink.messages) == sorted(sent.values_list("email", flat=True))
    retried = rows.filter(state=Notification.State.PENDING)
    assert retried.count() == lost and all(row.last_error for row in retried)
    assert len(sink.sessions) == 2


@pytest.mark.parametrize("pipelining", [True, False])
def test_the_message_written_directly_reads_as_djangos_own(smtp_settings, sink, pipelining):
    sink.pipelining = pipelining
    requester = UserFactory(email="claire@univ.example", language="fr")
    team = TeamFactory()
    technician = make_technician(team)
    title = "Écran noir après la mise à jour du poste « Bâtiment Érasme », salle 204 " * 2
    ticket = make_ticket(requester=requester, team=team, title=title.strip())
    content = "<p>Bonjour,<br>\n.htaccess corrigé ; relancez le navigateur.<br>\n.</p>"
    services.followup_add(ticket=ticket, author=technician, content=content)
    (row,) = Notification.objects.filter(event=Event.FOLLOWUP_ADDED, email=requester.email)
    row.state, row.next_attempt_at = Notification.State.PENDING, timezone.now()
    row.save()  # sent already, once committed: due again
    django_way = sending.render(Notification.objects.get(pk=row.pk)).message().as_bytes()
    expected = message_from_bytes(django_way, policy=default)
    sink.forget()
    assert sending.send_batch(ids=[row.pk]) == (1, 1)
    (received,) = sink.messages
    headers = ["Subject", "From", "To", "Reply-To", "Message-ID", "In-Reply-To", "References"]
    for name in [*headers, "Auto-Submitted", "Content-Type"]:
        assert str(received[name]).split(";")[0] == str(expected[name]).split(";")[0].strip(), name
    assert "Écran noir" in received["Subject"]
    for kind in ("plain", "html"):
        sent = received.get_body((kind,)).get_content().replace("\r\n", "\n")
        assert sent == expected.get_body((kind,)).get_content()
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "\n.htaccess corrigé" in text and "\n.\n" in text  # lines that start with a dot


def test_the_relay_drains_a_backlog_larger_than_a_batch(smtp_settings, sink, monkeypatch):
    monkeypatch.setattr(sending, "BATCH_SIZE", 20)
    _queue(70)
    sink.forget()
    from notifications.tasks import relay_outbox

    assert relay_outbox.apply().get() == 70
    assert not Notification.objects.exclude(state=Notification.State.SENT).exists()
    assert len(sink.sessions) == 4  # 20 + 20 + 20 + 10, a connection each


def test_a_row_claimed_is_not_claimed_again_until_its_lease_ends(smtp_settings):
    needs_postgres()
    (pk,) = _queue(1)
    assert [n.pk for n in sending.claim()] == [pk]
    assert sending.claim() == []  # another worker, or the same task delivered twice
    leased = Notification.objects.get(pk=pk)
    assert leased.state == Notification.State.SENDING
    assert leased.next_attempt_at <= timezone.now() + timedelta(minutes=2)


def _workers(count, smtp_port, tmp_path):
    env = environment(smtp_port, tmp_path / "static")
    logs = [open(tmp_path / f"worker{n}.log", "w") for n in range(count)]  # noqa: SIM115
    command = [BIN / "celery", "-A", "helpdesk", "worker", "--pool=solo"]
    command += ["--without-gossip", "--without-mingle", "--loglevel=INFO"]
    workers = [
        subprocess.Popen([*command, "-n", f"relay{n}@%h"], env=env, stdout=log, stderr=log)
        for n, log in enumerate(logs)
    ]
    ready = [
        wait_for(lambda n=n: "ready." in (tmp_path / f"worker{n}.log").read_text())
        for n in range(count)
    ]
    assert all(ready), "\n".join((tmp_path / f"worker{n}.log").read_text() for n in range(count))
    return workers, logs


def _stop(workers, logs):
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        worker.wait(20)
    for log in logs:
        log.close()


def _relay(times: int = 1) -> None:
    """Ask the workers, through Redis, for the relay (as beat does every minute)."""
    from celery import Celery

    # Not the current app: the tests after this one still run their tasks in-process.
    producer = Celery(broker=REDIS_URL, set_as_current=False)
    try:
        for _ in range(times):
            producer.send_task("notifications.relay")
    finally:
        producer.close()


def _received_once_each(sink, ids):
    addresses = [message["To"] for message in sink.messages]
    expected = set(Notification.objects.filter(pk__in=ids).values_list("email", flat=True))
    assert sorted(addresses) == sorted(expected)  # every one, none twice


def test_two_workers_at_once_send_each_message_exactly_once(sink, smtp_port, tmp_path):
    needs_postgres()
    needs_redis()
    ids = _queue(1500)
    workers, logs = _workers(2, smtp_port, tmp_path)
    try:
        _relay(times=2)  # one each: both drain the same backlog at once
        done = wait_for(lambda: len(sink.messages) >= len(ids), seconds=120)
    finally:
        _stop(workers, logs)
    assert done, "\n".join(p.read_text() for p in tmp_path.glob("worker*.log"))
    _received_once_each(sink, ids)
    assert Notification.objects.filter(state=Notification.State.SENT).count() == len(ids)


def test_a_worker_killed_mid_batch_leaves_its_rows_to_the_next_one(sink, smtp_port, tmp_path):
    needs_postgres()
    needs_redis()
    ids = _queue(300)
    sink.hold_after = 100  # the worker sends 100 messages, then waits on the 101st
    workers, logs = _workers(1, smtp_port, tmp_path)
    try:
        _relay()
        held = sink.holding.wait(60)
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(20)
    finally:
        sink.release.set()
        _stop(workers, logs)
    assert held, (tmp_path / "worker0.log").read_text()
    # What went out is marked so; the rest waits at most two minutes for its lease.
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 100
    stranded = Notification.objects.filter(state=Notification.State.SENDING)
    assert stranded.count() == 200
    assert all(row.next_attempt_at <= timezone.now() + timedelta(minutes=2) for row in stranded)

    stranded.update(next_attempt_at=timezone.now())  # two minutes later
    sink.hold_after = None
    workers, logs = _workers(1, smtp_port, tmp_path)
    try:
        _relay()
        done = wait_for(lambda: len(sink.messages) >= len(ids), seconds=60)
    finally:
        _stop(workers, logs)
    assert done, (tmp_path / "worker0.log").read_text()
    _received_once_each(sink, ids)
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 300


def test_a_teams_members_read_one_rendering_and_each_is_checked(smtp_settings, sink, monkeypatch):
    team = TeamFactory()
    members = [make_technician(team) for _ in range(6)]
    ticket = make_ticket(requester=UserFactory(language="fr"), team=team)
    services.followup_add(ticket=ticket, author=members[0], content="Écran changé")
    rows = Notification.objects.filter(event=Event.FOLLOWUP_ADDED)
    assert rows.count() == 6  # the requester and the five other members
    TeamMembership.objects.filter(user=members[5]).delete()  # left: sees the ticket no more
    rows.update(state=Notification.State.PENDING, next_attempt_at=timezone.now())
    sink.forget()
    rendered = []
    texts = sending._texts
    monkeypatch.setattr(sending, "_texts", lambda *a: rendered.append(a) or texts(*a))
    assert sending.send_batch() == (6, 5)
    assert len(rendered) == 2  # one for the requester, one for the technicians
    bodies = {m.get_body(("plain",)).get_content() for m in sink.messages}
    assert len(bodies) == 2 and len(sink.messages) == 5
    assert members[5].email not in {m["To"] for m in sink.messages}
