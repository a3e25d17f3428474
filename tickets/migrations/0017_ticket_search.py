"""Each ticket's words stored beside it (TicketSearch), for the search on PostgreSQL.

The expression indexes of migration 0002 recomputed each ticket's words from its text
for every row a queue read in its order, and sat on the ticket's own writes; the
followups' index found followups, not tickets. The stored rows are filled here in one
statement (tickets.fulltext keeps them right afterwards), then indexed, and the old
indexes go.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FILL = """
INSERT INTO tickets_ticketsearch (ticket_id, document, private_document)
SELECT t.id,
       to_tsvector('french', t.title || ' ' || t.description)
           || coalesce(to_tsvector('french', f.public), ''),
       to_tsvector('french', f.private)
FROM tickets_ticket t
LEFT JOIN LATERAL (
    SELECT string_agg(content, ' ' ORDER BY created_at, id) FILTER (WHERE NOT is_private)
               AS public,
           string_agg(content, ' ' ORDER BY created_at, id) FILTER (WHERE is_private)
               AS private
    FROM tickets_followup
    WHERE ticket_id = t.id
) f ON true
"""

INDEXES = """
-- Queues' and "Mes demandes"' word search (selectors.search_tickets, _first_ids): the
-- tickets whose title, description or public followups hold the words; all of them
-- when they are few, the first ones to tell few from many.
CREATE INDEX ticketsearch_document ON tickets_ticketsearch USING gin (document);
-- The same search in private followups, for those who may read them.
CREATE INDEX ticketsearch_private ON tickets_ticketsearch USING gin (private_document)
    WHERE private_document IS NOT NULL;
ANALYZE tickets_ticketsearch;
DROP INDEX IF EXISTS ticket_fulltext;
DROP INDEX IF EXISTS followup_fulltext;
"""

OLD_INDEXES = """
DROP INDEX IF EXISTS ticketsearch_document;
DROP INDEX IF EXISTS ticketsearch_private;
CREATE INDEX ticket_fulltext ON tickets_ticket
    USING gin (to_tsvector('french', COALESCE(title, '') || ' ' || COALESCE(description, '')));
CREATE INDEX followup_fulltext ON tickets_followup
    USING gin (to_tsvector('french', COALESCE(content, '')));
"""


def _statements(sql: str):
    lines = [line for line in sql.splitlines() if not line.startswith("--")]
    return [statement for statement in "\n".join(lines).split(";") if statement.strip()]


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in [FILL, *_statements(INDEXES)]:
            schema_editor.execute(statement)


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _statements(OLD_INDEXES):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0016_ticket_indexes_without_closed_rows")]

    operations = [
        migrations.CreateModel(
            name="TicketSearch",
            fields=[
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="tickets.ticket",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("private_document", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
        ),
        migrations.RunPython(fill, unfill),
    ]
