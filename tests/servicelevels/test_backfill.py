"""Due dates for the open tickets filed before the service levels (issue 14)."""

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicelevels.models import Alert, ClockEntry, ServiceLevel, TicketClock
from servicelevels.services import alerts_send, clocks_backfill
from tests.factories import make_technician, make_ticket
from tickets import services
from tickets.models import Ticket

from .conftest import paris, university_calendar


def filed_before_levels(team, **fields):
    """A ticket as if filed before the service levels app: no clock at all."""
    ticket = make_ticket(team=team, **fields)
    TicketClock.objects.filter(ticket=ticket).delete()
    ClockEntry.objects.filter(ticket=ticket).delete()
    return Ticket.objects.get(pk=ticket.pk)


def test_open_tickets_get_the_due_dates_they_would_have_had(level, at, team):
    at(2026, 12, 4, 10, 0)  # a Friday
    ticket = filed_before_levels(team)
    at(2026, 12, 4, 11, 0)
    assert clocks_backfill() == 1
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.level == level
    assert clock.take_due_at == paris(2026, 12, 4, 15, 0)
    assert clock.resolve_due_at == paris(2026, 12, 7, 10, 0)
    ticket.refresh_from_db()  # the queues' copy of the running target
    assert (ticket.due_warn_at, ticket.due_at) == (clock.take_warn_at, clock.take_due_at)
    (entry,) = ClockEntry.objects.filter(ticket=ticket)
    assert entry.kind == "started" and entry.level_name == "Incident"


def test_a_clock_started_without_a_level_gets_one(db, at, team):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team)  # no level exists yet
    assert ticket.clock.level is None
    university_calendar()
    ServiceLevel.objects.create(
        name="Incident", type="incident", priority=3, take_time=4, resolve_time=8
    )
    assert clocks_backfill() == 1
    ticket.clock.refresh_from_db()
    assert ticket.clock.take_due_at == paris(2026, 12, 4, 15, 0)


def test_closed_and_unmatched_tickets_are_left_alone(level, at, team):
    at(2026, 12, 4, 10, 0)
    closed = filed_before_levels(team)
    Ticket.objects.filter(pk=closed.pk).update(status=Ticket.Status.CLOSED)
    filed_before_levels(team, type=Ticket.Type.REQUEST)
    ready = filed_before_levels(team)
    assert clocks_backfill() == 1
    assert clocks_backfill() == 0  # a second run finds nothing to do
    given = TicketClock.objects.filter(level__isnull=False).values_list("ticket", flat=True)
    assert list(given) == [ready.pk]


def test_a_pending_ticket_is_paused_from_the_backfill(level, at, team):
    technician = make_technician(team)
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team)
    services.ticket_take(ticket=ticket, actor=technician)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Ticket.Status.PENDING)
    TicketClock.objects.all().delete()
    Ticket.objects.filter(pk=ticket.pk).update(due_at=None, due_warn_at=None)
    now = at(2026, 12, 4, 11, 0)
    clocks_backfill()
    assert TicketClock.objects.get(ticket=ticket).paused_since == now
    assert Ticket.objects.get(pk=ticket.pk).due_at is None  # paused: no running target


def test_a_taken_ticket_carries_its_resolution_due_date(level, at, team):
    technician = make_technician(team)
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team)
    services.ticket_take(ticket=ticket, actor=technician)
    TicketClock.objects.all().delete()
    Ticket.objects.filter(pk=ticket.pk).update(due_at=None, due_warn_at=None)
    clocks_backfill()
    clock = TicketClock.objects.get(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.due_at == clock.resolve_due_at == paris(2026, 12, 7, 10, 0)
    assert clock.take_seconds == 0


def test_passed_thresholds_are_not_sent_unless_asked(level, at, team):
    at(2026, 12, 1, 10, 0)
    quiet = filed_before_levels(team)
    at(2026, 12, 8, 10, 0)  # both due dates long passed
    clocks_backfill()
    assert alerts_send() == []
    assert not Alert.objects.filter(ticket=quiet).exists()
    clock = TicketClock.objects.get(ticket=quiet)
    assert clock.take_warned and clock.take_breached
    assert clock.resolve_warned and clock.resolve_breached
    loud = filed_before_levels(team)
    at(2026, 12, 18, 10, 0)
    clocks_backfill(warn_past=True)
    assert len(alerts_send()) == 4
    assert Alert.objects.filter(ticket=loud).count() == 4


def test_the_queries_do_not_grow_with_the_tickets(level, at, team):
    at(2026, 12, 4, 10, 0)
    filed_before_levels(team)
    with CaptureQueriesContext(connection) as one:
        clocks_backfill()
    TicketClock.objects.all().delete()
    ClockEntry.objects.all().delete()
    for _ in range(20):
        filed_before_levels(team)
    with CaptureQueriesContext(connection) as many:
        assert clocks_backfill() == 21
    assert len(many) == len(one)


def test_the_command_backfills(level, at, team):
    at(2026, 12, 4, 10, 0)
    filed_before_levels(team)
    out = StringIO()
    call_command("backfill_clocks", stdout=out)
    assert "1 ticket" in out.getvalue()
