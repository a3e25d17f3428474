"""Levels set at creation, recomputed on a change, and clocks that pause while waiting."""

from datetime import time

from servicelevels.models import (
    Calendar,
    ClockEntry,
    OpeningRange,
    ServiceLevel,
    TeamCalendar,
    TicketClock,
)
from servicelevels.selectors import clock_dues
from tests.factories import TeamFactory, ThemeFactory, make_ticket
from tickets import services
from tickets.models import Ticket

from .conftest import paris


def clock(ticket):
    ticket.clock.refresh_from_db()
    return ticket.clock


def ticket_dues(ticket, now=None):
    """What the work page shows of the ticket's service level, from its clock as stored."""
    stored = TicketClock.objects.select_related("level", "calendar").filter(ticket=ticket)
    return clock_dues(stored.first(), now=now)


def test_a_new_ticket_gets_its_levels_due_dates(level, at, team):
    at(2026, 12, 4, 10, 0)  # a Friday
    ticket = make_ticket(team=team)
    assert ticket.clock.level == level
    # 4 working hours: 10:00–12:30 and 13:30–15:00.
    assert ticket.clock.take_due_at == paris(2026, 12, 4, 15, 0)
    # 3 h of warning (75 %): 10:00–12:30 and 13:30–14:00.
    assert ticket.clock.take_warn_at == paris(2026, 12, 4, 14, 0)
    # 8 working hours: 6 h 30 on Friday, then Monday 8:30–10:00.
    assert ticket.clock.resolve_due_at == paris(2026, 12, 7, 10, 0)
    (entry,) = ClockEntry.objects.filter(ticket=ticket)
    assert entry.kind == "started" and entry.level_name == "Incident"


def test_a_ticket_without_a_matching_level_has_none(level, at, team):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, type=Ticket.Type.REQUEST)
    assert ticket.clock.level is None and ticket.clock.resolve_due_at is None
    assert ticket_dues(ticket) is None
    assert not ClockEntry.objects.filter(ticket=ticket).exists()


def test_working_days_count_whole_days(level, at, team):
    ServiceLevel.objects.filter(pk=level.pk).update(
        take_unit="days", resolve_unit="days", take_time=1, resolve_time=3
    )
    at(2026, 12, 3, 10, 0)  # Thursday
    ticket = make_ticket(team=team)
    assert ticket.clock.take_due_at == paris(2026, 12, 4, 10, 0)
    assert ticket.clock.resolve_due_at == paris(2026, 12, 8, 10, 0)


def test_the_nearest_theme_then_the_team_win_over_a_general_level(level, at, team):
    parent = ThemeFactory()
    child = ThemeFactory(parent=parent)
    ServiceLevel.objects.create(
        name="Équipe", type="incident", priority=3, team=team, take_time=2, resolve_time=8
    )
    assert make_ticket(team=team).clock.level.name == "Équipe"
    ServiceLevel.objects.create(
        name="Parent", type="incident", priority=3, theme=parent, take_time=3, resolve_time=8
    )
    ServiceLevel.objects.create(
        name="Enfant", type="incident", priority=3, theme=child, take_time=1, resolve_time=8
    )
    assert make_ticket(team=team, theme=child).clock.level.name == "Enfant"
    assert make_ticket(team=team, theme=parent).clock.level.name == "Parent"
    assert make_ticket(team=TeamFactory()).clock.level.name == "Incident"


def test_a_priority_change_recomputes_with_an_entry_that_says_why(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team)
    ServiceLevel.objects.create(
        name="Urgent", type="incident", priority=5, take_time=1, resolve_time=2
    )
    at(2026, 12, 4, 11, 0)
    services.ticket_update(ticket=ticket, actor=technician, urgency=5, impact=5)
    assert clock(ticket).level.name == "Urgent"
    assert clock(ticket).resolve_due_at == paris(2026, 12, 4, 12, 0)
    entry = ClockEntry.objects.filter(ticket=ticket).last()
    assert entry.kind == "recomputed"
    assert str(Ticket._meta.get_field("priority").verbose_name) in entry.reason
    assert entry.old_resolve_due_at == paris(2026, 12, 7, 10, 0)
    assert entry.new_resolve_due_at == paris(2026, 12, 4, 12, 0)


def test_a_transfer_takes_the_new_teams_calendar(level, at, team, technician):
    faculty = TeamFactory(name="UFR Sciences")
    late_hours = Calendar.objects.create(name="UFR", public_holidays=True)
    OpeningRange.objects.bulk_create(
        OpeningRange(calendar=late_hours, weekday=day, start=time(10, 0), end=time(18, 0))
        for day in range(5)
    )
    TeamCalendar.objects.create(team=faculty, calendar=late_hours)
    at(2026, 12, 4, 9, 0)
    ticket = make_ticket(team=team)
    services.ticket_transfer(ticket=ticket, actor=technician, team=faculty, comment="Pour l'UFR")
    assert clock(ticket).calendar == late_hours
    # From Friday 10:00 (opening): 8 h is the whole of Friday.
    assert clock(ticket).resolve_due_at == paris(2026, 12, 4, 18, 0)
    entry = ClockEntry.objects.filter(ticket=ticket).last()
    assert str(Ticket._meta.get_field("team").verbose_name) in entry.reason


def test_a_pending_span_over_a_weekend_moves_the_resolution(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    at(2026, 12, 4, 16, 0)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Ticket.Status.PENDING)
    assert clock(ticket).paused_since == paris(2026, 12, 4, 16, 0)
    at(2026, 12, 7, 10, 0)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Ticket.Status.ASSIGNED)
    # Waited 1 h 30 on Friday and 1 h 30 on Monday: due 3 working hours later.
    assert clock(ticket).paused_seconds == 3 * 3600
    assert clock(ticket).resolve_due_at == paris(2026, 12, 7, 14, 0)
    kinds = list(ClockEntry.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["started", "paused", "resumed"]
    resumed = ClockEntry.objects.get(ticket=ticket, kind="resumed")
    assert resumed.old_resolve_due_at == paris(2026, 12, 7, 10, 0)
    assert resumed.new_resolve_due_at == paris(2026, 12, 7, 14, 0)


def test_the_take_in_charge_clock_does_not_pause(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    assert clock(ticket).taken_at == paris(2026, 12, 4, 10, 0)
    assert ticket_dues(ticket, now=paris(2026, 12, 4, 10, 0))["dues"][0].state == "on-time"


def _solve_then_refuse(ticket, technician, at, solved, refused):
    at(*solved)
    services.solution_propose(ticket=ticket, author=technician, content="Redémarrez.")
    at(*refused)
    services.solution_refuse(ticket=ticket, actor=ticket.requester, reason="Toujours en panne")


def test_a_refused_solution_restarts_the_clock_where_it_stopped(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    # Solved on Monday 9:00, an hour before the due date; refused on Wednesday 9:30.
    _solve_then_refuse(ticket, technician, at, (2026, 12, 7, 9, 0), (2026, 12, 9, 9, 30))
    assert clock(ticket).resolved_at is None and clock(ticket).paused_since is None
    assert clock(ticket).resolve_due_at == paris(2026, 12, 9, 10, 30)
    (_take, resolve) = ticket_dues(ticket, now=paris(2026, 12, 9, 9, 30))["dues"]
    assert resolve.state == "at-risk"
    assert "1 h 00" in resolve.left_text


def test_a_solution_refused_after_the_due_date_stays_late(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    # Due Monday 10:00; solved at 11:00, refused on Tuesday 9:00: 6 working hours later.
    _solve_then_refuse(ticket, technician, at, (2026, 12, 7, 11, 0), (2026, 12, 8, 9, 0))
    assert clock(ticket).resolve_due_at == paris(2026, 12, 7, 17, 0)
    (_take, resolve) = ticket_dues(ticket, now=paris(2026, 12, 8, 9, 0))["dues"]
    assert resolve.state == "late"
    assert "1 h 00" in resolve.left_text


def test_a_solved_ticket_shows_its_resolution_frozen(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    at(2026, 12, 4, 11, 0)
    services.solution_propose(ticket=ticket, author=technician, content="Redémarrez.")
    (_take, resolve) = ticket_dues(ticket, now=paris(2026, 12, 21, 9, 0))["dues"]
    assert resolve.state == "on-time" and resolve.done_at == paris(2026, 12, 4, 11, 0)


def test_a_first_public_answer_takes_the_ticket_in_charge(level, team, technician):
    ticket = make_ticket(team=team)
    services.followup_add(ticket=ticket, author=technician, content="Note", is_private=True)
    assert clock(ticket).taken_at is None
    services.followup_add(ticket=ticket, author=ticket.requester, content="Alors ?")
    assert clock(ticket).taken_at is None
    services.followup_add(ticket=ticket, author=technician, content="Je regarde.")
    assert clock(ticket).taken_at is not None


def test_a_closed_ticket_stops_its_clock(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    other = make_ticket(team=team, assignee=technician)
    at(2026, 12, 4, 11, 0)
    services.ticket_merge(ticket=ticket, into=other, actor=technician)
    assert clock(ticket).stopped_at == paris(2026, 12, 4, 11, 0)
    assert ClockEntry.objects.filter(ticket=ticket).last().kind == "stopped"


def test_a_calendar_without_opening_hours_gives_no_due_dates(level, team):
    Calendar.objects.filter(is_default=True).get().openings.all().delete()
    ticket = make_ticket(team=team)
    assert ticket.clock.level == level and ticket.clock.resolve_due_at is None
    assert ticket_dues(ticket) is None


def test_the_auto_close_stops_the_clocks_of_its_batch(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Redémarrez.")
    at(2026, 12, 14, 10, 0)
    assert services.tickets_auto_close() == [ticket.pk]
    assert clock(ticket).stopped_at == paris(2026, 12, 14, 10, 0)
