"""Queues sort and filter by due date and its state, with a due-date column (issue 14)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicelevels.selectors import STATE_LABELS
from tests.backoffice.test_queue_pages import numbers, walk
from tests.factories import TeamFactory, make_technician, make_ticket
from tests.plans import assert_no_seq_scan_on_tickets, supervisor_of_ten_teams, ticket_plans
from tickets import selectors, services
from tickets.models import Ticket

from .conftest import paris

Status = Ticket.Status


def queue_url(query="", queue="team"):
    return reverse("backoffice:queue", args=[queue]) + "?" + query


@pytest.fixture
def tech_client(client, technician):
    client.force_login(technician)
    return client


def due(ticket):
    ticket.refresh_from_db()
    return ticket.due_warn_at, ticket.due_at


def test_the_ticket_carries_its_running_target(level, at, team, technician, requester):
    at(2026, 12, 4, 10, 0)  # a Friday
    ticket = make_ticket(team=team, requester=requester)
    assert due(ticket) == (paris(2026, 12, 4, 14, 0), paris(2026, 12, 4, 15, 0))
    at(2026, 12, 4, 11, 0)
    services.ticket_take(ticket=ticket, actor=technician)
    assert due(ticket)[1] == paris(2026, 12, 7, 10, 0)  # the resolution now
    services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
    assert due(ticket) == (None, None)  # paused: no running due date
    at(2026, 12, 7, 9, 0)  # Monday: it waited 5 h 30 on Friday and 30 min today
    services.followup_add(ticket=ticket, author=requester, content="Voici le détail")
    assert due(ticket)[1] == paris(2026, 12, 7, 17, 0)  # 8 h + 6 h from Friday 10:00
    services.solution_propose(ticket=ticket, author=technician, content="Essayez ceci")
    assert due(ticket) == (None, None)


def test_a_first_public_answer_moves_the_ticket_to_the_resolution(level, at, team, technician):
    at(2026, 12, 4, 10, 0)
    ticket = make_ticket(team=team)
    services.followup_add(ticket=ticket, author=technician, content="Je regarde")
    assert due(ticket)[1] == paris(2026, 12, 7, 10, 0)


@pytest.fixture
def spread(level, at, team):
    """Tickets due over the coming days, and some without a level (requests)."""
    at(2026, 12, 4, 10, 0)
    made = [make_ticket(team=team) for _ in range(4)]
    made += [make_ticket(team=team, type=Ticket.Type.REQUEST) for _ in range(2)]
    for index, ticket in enumerate(made[:4]):
        Ticket.objects.filter(pk=ticket.pk).update(
            due_at=paris(2026, 12, 4, 10, 0) + timedelta(hours=2 * index - 3),
            due_warn_at=paris(2026, 12, 4, 10, 0) + timedelta(hours=2 * index - 4),
        )
    return made


def test_the_queue_sorts_by_due_date_soonest_first_then_those_without(spread, tech_client):
    response = tech_client.get(queue_url("sort=due"))
    shown = numbers(response)
    assert shown[:4] == [t.pk for t in spread[:4]]
    assert sorted(shown[4:]) == sorted(t.pk for t in spread[4:])


def test_the_due_sort_pages_over_every_ticket_once(level, at, team, tech_client):
    at(2026, 12, 4, 10, 0)
    made = [make_ticket(team=team, type="request" if n % 3 else "incident") for n in range(55)]
    for n, ticket in enumerate(made[::3]):
        Ticket.objects.filter(pk=ticket.pk).update(due_at=paris(2026, 12, 7, 9, n % 4))
    seen = [pk for page in walk(tech_client, queue_url("sort=due")) for pk in numbers(page)]
    assert sorted(seen) == sorted(t.pk for t in made)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("state", "expected"), [("late", [0, 1]), ("at-risk", [2]), ("on-time", [3])]
)
def test_the_queue_filters_on_the_state(spread, tech_client, state, expected):
    # Due at 7:00, 9:00, 11:00 and 13:00; at risk from an hour before; now is 10:00.
    response = tech_client.get(queue_url(f"due_state={state}&sort=due"))
    assert numbers(response) == [spread[n].pk for n in expected]


def test_the_column_says_the_state_in_words(spread, tech_client):
    page = tech_client.get(queue_url("sort=due")).content.decode()
    assert 'class="due due-late"' in page and "En retard" in page
    assert "À risque" in page and "Dans les délais" in page
    assert '<th scope="col">Échéance</th>' in page


@pytest.mark.parametrize("forged", ["due_state=soon", "due_state=", "sort=due_at", "sort=-due"])
def test_a_forged_state_or_sort_is_dropped(spread, tech_client, forged):
    response = tech_client.get(queue_url(forged))
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted(t.pk for t in spread)


def test_an_outsider_is_refused_the_sorted_queue(spread, client):
    client.force_login(make_technician(TeamFactory()))
    response = client.get(queue_url("sort=due"))
    assert [pk for pk in numbers(response) if pk in {t.pk for t in spread}] == []


@pytest.mark.parametrize("count", [1, 50])
def test_the_due_sorted_queue_costs_the_same_queries_for_1_and_50_rows(
    level, at, team, tech_client, count
):
    at(2026, 12, 4, 10, 0)
    for _ in range(count):
        make_ticket(team=team)
    with CaptureQueriesContext(connection) as queries:
        response = tech_client.get(queue_url("sort=due&due_state=on-time"))
    assert len(numbers(response)) == count
    assert len(queries) == 10, [q["sql"] for q in queries]


def test_the_export_follows_the_due_sort(spread, tech_client):
    response = tech_client.get(reverse("backoffice:export", args=["team"]) + "?sort=due")
    lines = response.content.decode("utf-8-sig").splitlines()[1:]
    assert [int(line.split(";")[0]) for line in lines[:4]] == [t.pk for t in spread[:4]]


# PostgreSQL at scale: the due sort reads its index in order.


@pytest.fixture
def supervisor_with_due_dates(db):
    supervisor, _teams = supervisor_of_ten_teams(followups=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticket SET due_at = created_at + interval '3 days',"
            " due_warn_at = created_at + interval '2 days' WHERE id % 3 = 0"
        )
        cursor.execute("ANALYZE tickets_ticket")
    return supervisor


@pytest.mark.parametrize("queue", ["all", "team"])
def test_the_due_sort_is_served_by_its_index(client, supervisor_with_due_dates, queue):
    client.force_login(supervisor_with_due_dates)
    first = client.get(queue_url("sort=due", queue))
    plans = ticket_plans(client, queue_url("sort=due", queue))
    assert_no_seq_scan_on_tickets(plans)
    assert any("ticket_due_queue" in plan for plan in plans), plans
    following = queue_url(first.context["next_query"], queue)
    plans = ticket_plans(client, following)
    assert_no_seq_scan_on_tickets(plans)
    assert any("ticket_due_queue" in plan for plan in plans), plans


def test_the_state_vocabulary_is_the_service_levels_one():
    assert set(STATE_LABELS) == {"late", "at-risk", "on-time"}
    for state in STATE_LABELS:
        selectors.due_state_q(state, None)
