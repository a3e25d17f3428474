"""The auto-close delay counted in working days of the ticket's calendar (issue 14, item 5)."""

from datetime import time, timedelta

import pytest
from django.urls import reverse

from notifications.services import auto_close_reminders_record
from servicelevels.models import Calendar, OpeningRange, TeamCalendar
from tests.factories import make_ticket
from tickets import services
from tickets.models import HelpdeskSettings

from .conftest import paris, university_calendar


@pytest.fixture
def working_days(db):
    university_calendar()
    config = HelpdeskSettings.load()
    config.auto_close_day_kind = HelpdeskSettings.DayKind.WORKING
    config.save()
    return config


def propose(ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Essayez ceci")
    ticket.refresh_from_db()
    return ticket


def test_seven_working_days_skip_ascension_the_weekends_and_whit_monday(
    working_days, at, ticket, technician
):
    at(2027, 5, 5, 10, 0)  # the Wednesday before Ascension Thursday 2027
    solved = propose(ticket, technician)
    # Fri 7, Mon 10 to Fri 14, then Tue 18 (Whit Monday, 17 May, is a holiday).
    assert solved.auto_close_at == paris(2027, 5, 18, 10, 0)


def test_the_auto_close_in_working_days_at_its_boundary(working_days, at, ticket, technician):
    at(2027, 5, 5, 10, 0)
    solved = propose(ticket, technician)
    before = paris(2027, 5, 18, 9, 59)
    assert services.tickets_auto_close(now=before) == []
    # Seven calendar days would have closed it on the 12th.
    assert services.tickets_auto_close(now=paris(2027, 5, 12, 10, 0)) == []
    assert services.tickets_auto_close(now=paris(2027, 5, 18, 10, 0)) == [solved.pk]


def test_the_team_calendar_counts_its_working_days(working_days, at, ticket, technician):
    saturdays = Calendar.objects.create(name="Bibliothèque", public_holidays=False)
    OpeningRange.objects.bulk_create(
        OpeningRange(calendar=saturdays, weekday=day, start=time(9), end=time(18))
        for day in range(6)
    )
    TeamCalendar.objects.create(team=ticket.team, calendar=saturdays)
    at(2027, 5, 5, 10, 0)
    solved = propose(ticket, technician)
    # Open on Saturdays and on holidays: Thu 6, Fri 7, Sat 8, Mon 10 to Thu 13.
    assert solved.auto_close_at == paris(2027, 5, 13, 10, 0)


def test_without_a_calendar_a_working_day_is_a_calendar_day(working_days, at, ticket, technician):
    Calendar.objects.all().delete()
    at(2027, 5, 5, 10, 0)
    solved = propose(ticket, technician)
    assert solved.auto_close_at == solved.solved_at + timedelta(days=7)


def test_the_reminder_comes_two_working_days_before(working_days, at, ticket, technician):
    at(2027, 5, 5, 10, 0)
    propose(ticket, technician)
    assert auto_close_reminders_record(now=paris(2027, 5, 12, 10, 0)) == 0
    # Two working days before Tuesday 18 at 10:00 (Monday 17 is Whit Monday).
    assert auto_close_reminders_record(now=paris(2027, 5, 13, 10, 0)) == 1


def test_the_requester_is_told_the_working_day_date(
    working_days, at, ticket, technician, requester, client
):
    at(2027, 5, 5, 10, 0)
    propose(ticket, technician)
    client.force_login(requester)
    page = client.get(reverse("portal:ticket-detail", args=[ticket.pk])).content.decode()
    assert "18 mai 2027" in page
    sent = client.get(reverse("portal:ticket-sent", args=[ticket.pk])).content.decode()
    assert "7 jours ouvrés" in sent


def test_a_new_ticket_is_counted_again_in_the_calendar_days_chosen_later(
    working_days, at, requester, team, technician
):
    working_days.auto_close_day_kind = HelpdeskSettings.DayKind.CALENDAR
    working_days.save()
    at(2027, 5, 5, 10, 0)
    solved = propose(make_ticket(requester=requester, team=team), technician)
    assert solved.auto_close_at == paris(2027, 5, 12, 10, 0)
