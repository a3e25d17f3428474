"""The stored words of each ticket (TicketSearch), which the search reads on PostgreSQL.

Every service that writes a ticket's title, description or followups calls `refresh`
for that ticket in its own transaction; the row is computed again from the text, so it
is right whatever changed. `rebuild` does every ticket in one statement, after a bulk
load that bypassed the services (the benchmark's COPY). Other databases keep no rows:
their search reads the text itself (selectors.search_tickets).
"""

from django.db import connection

# French, as the search's queries are parsed (selectors.search_tickets).
CONFIG = "french"

# One row per ticket: its title and description with its public followups' words, and
# its private followups' words apart (NULL without any).
_REFRESH = """
INSERT INTO tickets_ticketsearch (ticket_id, document, private_document)
SELECT t.id,
       to_tsvector('{config}', t.title || ' ' || t.description)
           || coalesce(to_tsvector('{config}', f.public), ''),
       to_tsvector('{config}', f.private)
FROM tickets_ticket t
LEFT JOIN LATERAL (
    SELECT string_agg(content, ' ' ORDER BY created_at, id) FILTER (WHERE NOT is_private)
               AS public,
           string_agg(content, ' ' ORDER BY created_at, id) FILTER (WHERE is_private)
               AS private
    FROM tickets_followup
    WHERE ticket_id = t.id
) f ON true
{where}
ON CONFLICT (ticket_id) DO UPDATE
SET document = excluded.document, private_document = excluded.private_document
"""


def _run(where: str, params: list) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH.format(config=CONFIG, where=where), params)


def refresh(ticket_ids) -> None:
    """Store these tickets' words again, from their text as it is now."""
    _run("WHERE t.id = ANY(%s)", [list(ticket_ids)])


def rebuild() -> None:
    """Store every ticket's words, in one statement; then fresh statistics for the planner."""
    _run("", [])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_ticketsearch")
