from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import needs_postgres
from tests.factories import make_ticket
from tickets.models import Solution, Ticket


def test_among_finds_what_in_finds(db, requester):
    tickets = [make_ticket(requester=requester) for _ in range(3)]
    ids = [tickets[0].pk, tickets[2].pk, 999_999]
    assert set(Ticket.objects.filter(pk__among=ids)) == {tickets[0], tickets[2]}
    assert not Solution.objects.filter(ticket__among=ids).exists()  # through a foreign key
    assert not Ticket.objects.filter(pk__among=[]).exists()


def test_among_sends_the_ids_as_one_parameter(db, requester):
    """A batch of ten thousand ids is one array, not ten thousand placeholders."""
    needs_postgres()
    ticket = make_ticket(requester=requester)
    with CaptureQueriesContext(connection) as queries:
        found = list(Ticket.objects.filter(pk__among=[ticket.pk, *range(-10_000, 0)]))
    assert found == [ticket]
    assert '"tickets_ticket"."id" = ANY(' in queries[0]["sql"]
    sql, params = Ticket.objects.filter(pk__among=[1, 2, 3]).query.sql_with_params()
    assert params == ([1, 2, 3],)
