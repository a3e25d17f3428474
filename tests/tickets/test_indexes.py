"""On PostgreSQL at scale, the lookups whose own index went still read an index.

The single-column indexes on a ticket's requester and beneficiary, and on the ticket of
its history and timeline items, repeated the first column of a composite index; each
cost a write per change. The composite ones serve the same lookups, closed tickets
included (deleting a person checks every ticket they filed, a page reads every item).
"""

import re

import pytest
from django.db import connection

from tests.factories import TeamFactory
from tests.plans import many_people, many_tickets
from tickets.models import Followup, History, Solution, Task, Ticket

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
        *(model.objects.filter(ticket=ticket) for model in (History, Solution, Task, Followup)),
    ]
    for queryset in lookups:
        plan = _plan(queryset)
        assert "Index" in plan and not SEQ_SCAN.search(plan), plan
