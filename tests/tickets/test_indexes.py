"""On PostgreSQL at scale, the lookups whose own index went still read an index.

The single-column indexes on a ticket's requester and beneficiary, and on the ticket of
its history and timeline items, repeated the first column of a composite index; each
cost a write per change. The composite ones serve the same lookups, closed tickets
included (deleting a person checks every ticket they filed, a page reads every item).

Closing a ticket writes an entry in each index whose rows include closed tickets (the
row moves: its status changes), so the indexes of queries about open tickets leave
closed ones out, and the auto-close of 100 000 tickets writes that much less.
"""

import re

import pytest
from django.db import connection

from tests.conftest import needs_postgres
from tests.factories import CategoryFactory, LocationFactory, TeamFactory
from tests.plans import SEQ_SCAN_ON_TICKETS, many_people, many_tickets
from tickets.models import Followup, History, Solution, Task, Ticket
from tickets.selectors import filter_tickets

# The indexes a closed ticket keeps an entry in: the queries that read closed tickets.
# (The full-text index belongs to the word search, which may move it elsewhere.)
WRITTEN_ON_CLOSE = {
    "tickets_ticket_pkey",
    "ticket_requester",  # "Mes demandes d'assistance", a person's deletion
    "ticket_beneficiary",
    "tickets_ticket_assignee_id_3a5aa407",  # a technician's tickets, closed ones included
    "ticket_status_activity",  # queues filtered on statuses, "Clos" included
}

SEQ_SCAN = re.compile(r"Seq Scan on (tickets_\w+)")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def crowd(db):
    people = many_people(2_000)
    many_tickets(40_000, people=people, teams=[TeamFactory()])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_history (ticket_id, created_at, field, old_value, new_value)"
            " SELECT id, created_at, 'status', '1', '2' FROM tickets_ticket"
        )
        cursor.execute(
            "INSERT INTO tickets_solution (ticket_id, created_at, content, status)"
            " SELECT id, created_at, 'Essayez ceci', 'refused' FROM tickets_ticket"
        )
        cursor.execute(
            "INSERT INTO tickets_task (ticket_id, created_at, content, is_private, state,"
            " duration_minutes) SELECT id, created_at, 'Toner', false, 'done', 0"
            " FROM tickets_ticket"
        )
        cursor.execute("ANALYZE tickets_history, tickets_solution, tickets_task")
    return people[0], Ticket.objects.order_by("id").first()


def test_the_lookups_by_person_and_by_ticket_read_an_index(crowd):
    person, ticket = crowd
    lookups = [
        Ticket.objects.filter(requester=person),  # PROTECT, when a person is deleted
        Ticket.objects.filter(beneficiary=person),
        Ticket.objects.filter(filed_by=person),  # SET_NULL, when a person is deleted
        *(model.objects.filter(ticket=ticket) for model in (History, Solution, Task, Followup)),
    ]
    for queryset in lookups:
        plan = _plan(queryset)
        assert "Index" in plan and not SEQ_SCAN.search(plan), plan


@pytest.mark.parametrize(
    "field, factory", [("category", CategoryFactory), ("location", LocationFactory)]
)
def test_the_queue_filters_by_category_and_place_read_the_open_tickets_index(crowd, field, factory):
    node = factory()
    open_ids = Ticket.objects.exclude(status=Ticket.Status.CLOSED).values("id")[:30]
    Ticket.objects.filter(pk__in=open_ids).update(**{field: node})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    plan = _plan(filter_tickets(Ticket.objects.all(), {field: node}))
    assert f"ticket_open_{field}" in plan and not SEQ_SCAN_ON_TICKETS.search(plan), plan


def test_a_closed_ticket_has_an_entry_only_in_the_indexes_that_read_closed_tickets(db):
    needs_postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket'"
            " AND indexdef NOT LIKE '%% WHERE %%' AND indexname <> 'ticket_fulltext'"
        )
        unconditional = {name for (name,) in cursor.fetchall()}
    assert unconditional == WRITTEN_ON_CLOSE
