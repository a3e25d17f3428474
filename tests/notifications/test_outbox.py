"""The outbox under faults: SMTP down, a rolled-back change, a task delivered twice.

And its economy: the rows recorded together go out in one task.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from notifications import services as outbox
from notifications.models import Notification
from notifications.sending import MAX_ATTEMPTS, _backoff
from notifications.tasks import relay_outbox, send_notifications
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import services
from tickets.models import Ticket


@pytest.fixture
def requester(db):
    return UserFactory(email="claire@univ.example")


def test_smtp_down_keeps_the_change_and_sends_once_smtp_is_back(
    requester, smtp_settings, smtp_port
):
    from tests.notifications.conftest import Sink

    ticket = make_ticket(requester=requester, team=TeamFactory())  # SMTP refuses connections
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    waiting = Notification.objects.get(email="claire@univ.example")
    assert waiting.state == Notification.State.PENDING
    assert waiting.attempts == 1 and "Connection" in waiting.last_error
    assert waiting.next_attempt_at > timezone.now()

    sink = Sink(smtp_port)
    sink.start()
    try:
        assert relay_outbox.apply().get() == 0  # not due yet: backoff
        Notification.objects.update(next_attempt_at=timezone.now())
        assert relay_outbox.apply().get() == 1
        assert relay_outbox.apply().get() == 0
    finally:
        sink.stop()
    assert [m["To"] for m in sink.messages] == ["claire@univ.example"]
    waiting.refresh_from_db()
    assert waiting.state == Notification.State.SENT and waiting.sent_at


def test_a_message_that_keeps_failing_is_given_up(requester, smtp_settings):
    make_ticket(requester=requester, team=TeamFactory())
    notification = Notification.objects.get(email="claire@univ.example")
    for _ in range(45):
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
        relay_outbox.apply()
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.attempts == MAX_ATTEMPTS


def test_the_readme_gives_the_real_number_of_attempts_and_how_long_they_last():
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    assert f"gives up after {MAX_ATTEMPTS} attempts (about a day and a half)" in readme
    # The waits between the first attempt and the last one.
    waited = sum((_backoff(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(hours=30) <= waited <= timedelta(hours=42)


def test_a_rolled_back_change_sends_nothing(requester, smtp_settings, sink):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(requester=requester, team=TeamFactory())
        raise RuntimeError("something failed after the ticket was made")
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()
    assert sink.messages == []


def test_a_task_delivered_twice_sends_one_message(requester, smtp_settings, sink):
    from helpdesk.celery import app

    app.conf.task_always_eager = False  # record, but do not send yet
    try:
        make_ticket(requester=requester, team=TeamFactory())
    except Exception:  # noqa: S110 - no broker in this test: the relay has the rows
        pass
    finally:
        app.conf.task_always_eager = True
    ids = list(Notification.objects.values_list("id", flat=True))
    assert send_notifications.apply(args=[ids]).get() == len(ids)
    assert send_notifications.apply(args=[ids]).get() == 0  # redelivered: nothing twice
    assert len(sink.messages) == len(ids) == 1


def test_a_worker_that_died_mid_send_leaves_the_row_to_the_relay(requester, smtp_settings, sink):
    from helpdesk.celery import app

    app.conf.task_always_eager = False
    try:
        make_ticket(requester=requester, team=TeamFactory())
    except Exception:  # noqa: S110
        pass
    finally:
        app.conf.task_always_eager = True
    # As if a worker had claimed it, then died: the lease runs out, the relay sends it.
    Notification.objects.update(
        state=Notification.State.SENDING, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert relay_outbox.apply().get() == 1
    assert len(sink.messages) == 1


def test_a_broken_broker_never_breaks_the_change(requester, monkeypatch):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_notifications, "delay", broker_down)
    ticket = make_ticket(requester=requester, team=TeamFactory())
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert Notification.objects.filter(state=Notification.State.PENDING).exists()


def test_a_recipient_gone_meanwhile_gets_nothing(requester, smtp_settings, sink):
    from helpdesk.celery import app

    app.conf.task_always_eager = False
    try:
        make_ticket(requester=requester, team=TeamFactory())
    finally:
        app.conf.task_always_eager = True
    requester.is_active = False  # left the university before the message went out
    requester.save()
    relay_outbox.apply()
    assert sink.messages == []
    assert Notification.objects.get(email="claire@univ.example").state == "failed"


def test_the_rows_recorded_together_go_out_in_one_task(requester, monkeypatch):
    team = TeamFactory()
    technician = make_technician(team, email="karim@univ.example")
    ticket = make_ticket(requester=requester, team=team)
    tasks = []
    monkeypatch.setattr(outbox, "enqueue", tasks.append)
    with transaction.atomic(), outbox.sent_together():
        first = services.followup_add(ticket=ticket, author=technician, content="Redémarrez")
        second = services.followup_add(ticket=ticket, author=requester, content="Fait")
        assert tasks == []  # nothing before the commit
    (sent,) = tasks
    rows = Notification.objects.filter(context__followup__in=[first.pk, second.pk])
    assert sorted(sent) == sorted(rows.values_list("pk", flat=True))
    assert len(sent) == 2  # the requester hears of the first, the technician of the second


def test_a_failed_block_queues_nothing_and_its_rows_are_gone(requester, monkeypatch):
    ticket = make_ticket(requester=requester, team=TeamFactory())
    before = Notification.objects.count()
    tasks = []
    monkeypatch.setattr(outbox, "enqueue", tasks.append)
    with pytest.raises(RuntimeError), transaction.atomic(), outbox.sent_together():
        services.followup_add(ticket=ticket, author=requester, content="Perdu")
        raise RuntimeError("the change fails")
    assert tasks == []
    assert Notification.objects.count() == before
