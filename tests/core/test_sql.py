import datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg.pq import Format

from core.sql import Compiled, UtcTimestampLoader
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


def test_a_compiled_query_writes_its_sql_once_and_reads_as_the_orm_does(db, requester):
    needs_postgres()
    first, second = make_ticket(requester=requester), make_ticket(requester=requester)
    built = []

    def build(pk):
        built.append(pk)
        return Ticket.objects.select_related("requester", "team").filter(pk=pk)

    tickets = Compiled(build)
    for ticket in (first, second, first):
        with CaptureQueriesContext(connection) as queries:
            (found,) = tickets.all(ticket.pk)
            assert (found.pk, found.title, found.created_at) == (
                ticket.pk,
                ticket.title,
                ticket.created_at,
            )
            assert found.requester == requester and found.team == ticket.team
        assert len(queries) == 1  # the related rows came with it
    assert len(built) == 1  # once, with a stand-in
    assert tickets.all(999_999) == []


def test_a_compiled_query_takes_a_list_of_ids_and_gives_values(db, requester):
    needs_postgres()
    tickets = [make_ticket(requester=requester) for _ in range(3)]
    titles = Compiled(lambda ids: Ticket.objects.filter(pk__among=ids).values("id", "title"))
    for ids in ([tickets[0].pk], [tickets[1].pk, tickets[2].pk, 999_999], []):
        expected = list(Ticket.objects.filter(pk__in=ids).order_by("id").values("id", "title"))
        assert sorted(titles.all(ids), key=lambda row: row["id"]) == expected


def test_a_compiled_query_refuses_a_value_that_is_not_one_of_its_parameters(db):
    needs_postgres()
    unused = Compiled(lambda pk: Ticket.objects.all())
    with pytest.raises(ValueError, match="one parameter"):
        unused.all(1)


def test_dates_are_read_by_the_fast_loader_as_aware_utc_datetimes(db, requester):
    needs_postgres()
    ticket = make_ticket(requester=requester)
    oid = psycopg.adapters.types["timestamptz"].oid
    assert connection.connection.adapters.get_loader(oid, Format.TEXT) is UtcTimestampLoader
    # Just before the clocks change in Paris, to the microsecond.
    stored = datetime.datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=ZoneInfo("Europe/Paris"))
    Ticket.objects.filter(pk=ticket.pk).update(created_at=stored)
    found = Ticket.objects.values_list("created_at", flat=True).get(pk=ticket.pk)
    assert found == stored
    assert found.tzinfo is datetime.UTC
