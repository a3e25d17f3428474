"""The back office's ticket page tells the due dates, their state in words, and why."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.test_back_office import TICKET_PAGE_QUERIES
from tests.factories import make_ticket
from tickets import services
from tickets.models import Ticket

from .conftest import paris


@pytest.fixture
def tech_client(client, technician):
    # Logged in at the time the test has set, or the session would have run out.
    client.user = technician
    return client


def page(client, ticket):
    client.force_login(client.user)
    response = client.get(reverse("backoffice:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_badge_says_the_state_in_words(tech_client, level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team)
    at(2026, 12, 4, 14, 30)  # past 75 % of the 4 hours to take it in charge
    html = page(tech_client, ticket)
    assert 'class="due due-at-risk"' in html
    assert "Prise en charge\u00a0: à risque" in html or "Taking in charge: at risk" in html
    assert "04/12/2026 15:00" in html  # its due date, for screen readers too


def test_a_late_ticket_says_so_and_by_how_much(tech_client, level, at, team):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team)
    at(2026, 12, 7, 9, 0)
    html = page(tech_client, ticket)
    assert 'class="due due-late"' in html
    assert "3 h 00" in html  # Friday 15:00–17:30 and Monday 8:30–9:00


def test_the_history_of_the_due_dates_explains_a_pause(tech_client, level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    at(2026, 12, 4, 16, 0)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Ticket.Status.PENDING)
    at(2026, 12, 7, 10, 0)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Ticket.Status.ASSIGNED)
    html = page(tech_client, ticket)
    assert "07/12/2026 10:00 →" in html and "07/12/2026 14:00" in html


def test_a_ticket_without_a_level_says_so_plainly(tech_client, team):
    html = page(tech_client, make_ticket(team=team))
    assert 'class="due ' not in html
    assert "service-level-title" in html


def test_an_outsider_gets_404(client, outsider, level, team):
    ticket = make_ticket(team=team)
    client.force_login(outsider)
    assert client.get(reverse("backoffice:ticket", args=[ticket.pk])).status_code == 404


def test_the_page_reads_the_clock_in_a_fixed_number_of_queries(
    tech_client, level, at, team, technician
):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team, assignee=technician)
    for hour in (11, 12, 14, 15):
        at(2026, 12, 4, hour, 0)
        status = Ticket.Status.PENDING if hour in (11, 14) else Ticket.Status.ASSIGNED
        services.ticket_set_status(ticket=ticket, actor=technician, status=status)
    page(tech_client, ticket)  # the seen mark's first write
    with CaptureQueriesContext(connection) as queries:
        tech_client.get(reverse("backoffice:ticket", args=[ticket.pk]))
    # The page's own (the clock comes with the ticket), then the clock's calendar hours,
    # closures and history.
    assert len(queries) == TICKET_PAGE_QUERIES + 3, [q["sql"] for q in queries]
    assert timezone.now() == paris(2026, 12, 4, 15, 0)
