"""The due-date badge of a ticket, seen and heard, under the real Content-Security-Policy."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from servicelevels.models import ServiceLevel, TicketClock
from servicelevels.services import clock_start
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tests.servicelevels.conftest import university_calendar
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _late_ticket():
    """A ticket of karim's team whose service level ran out; its team for more tickets."""
    university_calendar()
    ServiceLevel.objects.create(
        name="Incident", type="incident", priority=3, take_time=1, resolve_time=2
    )
    team = TeamFactory(name="DSIN - Messagerie")
    make_technician(team, username="karim")
    ticket = make_ticket(team=team, requester=UserFactory(), title="Boîte pleine")
    # Filed three weeks ago: both times have run out, whatever today's opening hours.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(days=21))
    ticket.refresh_from_db()
    TicketClock.objects.filter(ticket=ticket).delete()
    clock_start(ticket=ticket)
    return ticket, team


def test_a_late_ticket_says_it_is_late_in_words(page):
    ticket, _team = _late_ticket()
    log_in(page, "karim")
    page.goto(f"/intervention/tickets/{ticket.pk}/")
    badge = page.locator(".ticket-badges .due")
    # French once the catalogue has the new words, English until then.
    expect(badge).to_contain_text(
        re.compile("Prise en charge\u00a0: en retard|Taking in charge: late")
    )
    # The hidden part gives screen readers the due date and by how much it is late.
    expect(badge.locator(".visually-hidden")).to_contain_text(re.compile(r"en retard de|late by"))
    expect(page.locator("#service-level-title")).to_be_visible()
    assert_accessible(page)


def test_the_queue_sorts_by_due_date_and_says_the_state_in_words(page):
    _late, team = _late_ticket()
    make_ticket(team=team, requester=UserFactory(), title="Sans niveau", type="request")
    log_in(page, "karim")
    page.goto("/intervention/files/team/?sort=due&due_state=late")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    cell = rows.first.locator('td[data-label="Échéance"]')
    expect(cell).to_contain_text("En retard")
    assert_accessible(page)
