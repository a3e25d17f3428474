"""Enough tickets, made in one statement, for PostgreSQL to plan as it would at scale.

The plan tests leave enable_seqscan on: with these rows and fresh statistics, the
planner reads the whole ticket table whenever no index fits the query.
"""

import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import needs_postgres
from tickets import fulltext

SEQ_SCAN_ON_TICKETS = re.compile(r"Seq Scan on tickets_ticket\b")
SEQ_SCAN_ON_WORDS = re.compile(r"Seq Scan on tickets_ticketsearch\b")
# A sort node and the rows the planner expects it to sort.
SORTED_ROWS = re.compile(r"Sort  \(cost=\S+ rows=(\d+)")


def many_people(count: int) -> list:
    User = get_user_model()
    return User.objects.bulk_create(
        User(username=f"personne{n}", email=f"personne{n}@univ.example") for n in range(count)
    )


def many_tickets(count: int, *, people: list, teams: list, followups: bool = True) -> None:
    """Tickets spread over these people and teams: a few each, a sixth of them closed.

    Ticket n is filed by people[n % len] for people[(n + 1) % len], held by team
    teams[n % len] and assigned to nobody; the lead tickets are the newest. Their words
    vary as real ones do (one of 5,000 in each title, description and followup), so that
    the planner's statistics tell a rare word from a common one.
    """
    needs_postgres()
    people_ids = [p.pk for p in people]
    team_ids = [t.pk for t in teams]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tickets_ticket (
                type, title, description, status, urgency, impact, priority,
                location_mode, source, answers, created_at, last_activity_at,
                requester_id, beneficiary_id, team_id
            )
            SELECT 'incident', 'Poste mot' || n %% 5000,
                   'Le poste ne démarre plus: mot' || n %% 4999,
                   1 + n %% 6, 3, 3, 3, 'onsite', 'portal', '[]',
                   now() - n * interval '1 minute', now() - n * interval '1 minute',
                   (%(people)s)[1 + n %% cardinality(%(people)s)],
                   (%(people)s)[1 + (n + 1) %% cardinality(%(people)s)],
                   (%(teams)s)[1 + n %% cardinality(%(teams)s)]
            FROM generate_series(1, %(count)s) AS n
            """,
            {"people": people_ids, "teams": team_ids, "count": count},
        )
        if followups:
            cursor.execute(
                """
                INSERT INTO tickets_followup (content, created_at, is_private, ticket_id)
                SELECT 'Suivi mot' || id % 4998, created_at, false, id FROM tickets_ticket
                """
            )
    fulltext.rebuild()  # the words the search reads, which the services write
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket, tickets_followup, tickets_ticket_observers")


def supervisor_of_ten_teams(*, followups: bool = True):
    """Twenty teams and 40,000 tickets over them; a supervisor of the first ten."""
    from tests.factories import TeamFactory, make_technician

    teams = TeamFactory.create_batch(20)
    supervisor = make_technician(teams[0], supervisor=True)
    for team in teams[1:10]:
        team.memberships.create(user=supervisor, is_manager=True)
    many_tickets(40_000, people=many_people(2_000), teams=teams, followups=followups)
    return supervisor, teams


def ticket_plans(client, url: str) -> list[str]:
    """The plan of each query a page runs on the tickets or their words, as the page ran it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if '"tickets_ticket"' in q["sql"] or '"tickets_ticketsearch"' in q["sql"]
    ]
    assert statements, "the page read no ticket"
    plans = []
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def assert_no_seq_scan_on_tickets(plans: list[str]) -> None:
    for plan in plans:
        assert not SEQ_SCAN_ON_TICKETS.search(plan), plan


def assert_search_reads_indexes(plans: list[str], *, common: bool) -> None:
    """Never the whole ticket table. A rare word is looked up in the full-text index and
    its few tickets sorted; a common word's matches are not all sorted: the queue's
    first rows are read in order and their words tested by the ticket's key
    (selectors._first_ids). Counting a common word's first matches may read the words'
    table from its start: it stops as soon as it has counted them."""
    searched = [plan for plan in plans if "tickets_ticketsearch" in plan]
    assert searched, plans
    assert_no_seq_scan_on_tickets(plans)
    for plan in searched:
        if SEQ_SCAN_ON_WORDS.search(plan):
            assert common and plan.startswith("Limit"), plan
    if common:
        assert any("tickets_ticketsearch_pkey" in plan for plan in searched), plans
        for plan in plans:
            assert all(int(rows) <= 1000 for rows in SORTED_ROWS.findall(plan)), plan
    else:
        assert any("ticketsearch_document" in plan for plan in searched), plans
