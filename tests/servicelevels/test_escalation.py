"""The escalation job: warned once per ticket, level and team, even by two runs at once."""

import threading

import pytest
from django.db import connection, transaction

from notifications.models import Notification
from notifications.sending import render
from portal.forms import OPTIONAL_EVENTS
from servicelevels.models import Alert, ServiceLevel
from servicelevels.services import alerts_send
from tests.conftest import needs_postgres
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tests.tickets.test_autoclose import _in_thread, join
from tickets import services
from tickets.models import Ticket

from .conftest import paris, university_calendar


@pytest.fixture
def supervisor(team):
    return make_technician(team, supervisor=True, username="chef")


@pytest.fixture
def waiting(level, at, team, technician, supervisor):
    """Filed on Friday 4 December 2026 at 10:00, nobody has taken it."""
    at(2026, 12, 4, 10, 0)
    return make_ticket(team=team)


def told(event):
    return sorted(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )


def test_nothing_is_sent_before_the_share_of_the_time(waiting):
    assert alerts_send(now=paris(2026, 12, 4, 13, 59)) == []


def test_the_team_is_warned_at_75_percent_when_nobody_holds_the_ticket(waiting):
    assert len(alerts_send(now=paris(2026, 12, 4, 14, 0))) == 1
    assert told("service_level_warning") == ["chef", "julien"]
    assert told("service_level_breach") == []


def test_the_managers_hear_of_the_breach(waiting):
    alerts_send(now=paris(2026, 12, 4, 14, 0))
    alerts_send(now=paris(2026, 12, 4, 15, 1))
    assert told("service_level_breach") == ["chef"]


def test_a_second_run_sends_nothing(waiting):
    first = alerts_send(now=paris(2026, 12, 4, 15, 1))
    assert alerts_send(now=paris(2026, 12, 4, 15, 2)) == []
    assert Alert.objects.count() == len(first) == 2
    assert Notification.objects.filter(event__startswith="service_level").count() == 3


def test_the_assignee_is_warned_before_the_resolution_is_due(waiting, technician, at):
    at(2026, 12, 4, 10, 30)
    services.ticket_take(ticket=waiting, actor=technician)
    # 6 working hours of 8: Friday 10:00–12:30, 13:30–17:00.
    alerts_send(now=paris(2026, 12, 4, 17, 0))
    (alert,) = Alert.objects.all()
    assert (alert.target, alert.level) == ("resolve", "warning")
    assert told("service_level_warning") == ["julien"]


def test_a_pending_ticket_is_not_warned_of_its_resolution(waiting, technician, at):
    at(2026, 12, 4, 10, 30)
    services.ticket_take(ticket=waiting, actor=technician)
    services.ticket_set_status(ticket=waiting, actor=technician, status=Ticket.Status.PENDING)
    assert alerts_send(now=paris(2026, 12, 14, 9, 0)) == []


def test_a_transfer_warns_the_new_team_in_turn(waiting, technician, at):
    alerts_send(now=paris(2026, 12, 4, 14, 0))
    other = TeamFactory(name="DSIN - Réseau")
    make_technician(other, username="rachid")
    at(2026, 12, 4, 14, 30)
    services.ticket_transfer(ticket=waiting, actor=technician, team=other, comment="Réseau")
    alerts_send(now=paris(2026, 12, 4, 14, 31))
    assert told("service_level_warning") == ["chef", "julien", "rachid"]
    assert alerts_send(now=paris(2026, 12, 4, 14, 32)) == []


def test_the_warning_names_the_ticket_and_its_due_date(waiting):
    alerts_send(now=paris(2026, 12, 4, 14, 0))
    message = render(Notification.objects.filter(event="service_level_warning").first())
    assert message.subject.startswith(f"[Help #{waiting.pk}] ")
    assert "15:00" in message.body
    assert "15:00" in message.alternatives[0][0]


def test_people_may_turn_the_warnings_off_in_their_profile():
    events = [event for event, _label in OPTIONAL_EVENTS]
    assert "service_level_warning" in events and "service_level_breach" in events


def test_a_person_who_turned_them_off_hears_nothing(waiting, technician):
    technician.muted_notifications = ["service_level_warning"]
    technician.save(update_fields=["muted_notifications"])
    alerts_send(now=paris(2026, 12, 4, 14, 0))
    assert told("service_level_warning") == ["chef"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_warn_exactly_once(transactional_db):
    needs_postgres()
    university_calendar()
    ServiceLevel.objects.create(
        name="Incident", type="incident", priority=3, take_time=4, resolve_time=8
    )
    team = TeamFactory()
    make_technician(team, username="julien")
    tickets = [make_ticket(team=team, requester=UserFactory()) for _ in range(3)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(created_at=paris(2026, 12, 1, 9))
    for ticket in tickets:  # due dates from the new creation time
        services.ticket_update(ticket=ticket, actor=None, type="request")
        services.ticket_update(ticket=ticket, actor=None, type="incident")
    now = paris(2026, 12, 2, 12, 0)  # past both warnings and breaches
    inserted, release = threading.Event(), threading.Event()
    results = []

    def first():
        with transaction.atomic():
            results.append(alerts_send(now=now))
            inserted.set()
            release.wait(20)

    def second():
        results.append(alerts_send(now=now))

    one, one_errors = _in_thread(first)
    assert inserted.wait(20)
    two, two_errors = _in_thread(second)
    # The second run waits on the first one's rows: let the first commit only then.
    with connection.cursor() as cursor:
        for _ in range(2000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
    release.set()
    join(one)
    join(two)
    assert one_errors == two_errors == []
    assert sorted(len(ids) for ids in results) == [0, 12]
    assert Alert.objects.count() == 12
    warnings = Notification.objects.filter(event="service_level_warning")
    assert warnings.count() == 6  # 3 tickets, taking in charge and resolution, one technician


def test_an_idle_run_reads_the_clocks_through_their_flags(waiting):
    alerts_send(now=paris(2026, 12, 4, 15, 1))
    clock = waiting.clock
    clock.refresh_from_db()
    assert clock.take_warned and clock.take_breached
    assert not (clock.resolve_warned or clock.resolve_breached)
