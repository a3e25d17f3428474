"""Full-text indexes for the back office's search, on PostgreSQL only.

Their expressions are the ones tickets.selectors.search_tickets queries, so the planner
can use them; other databases search without them.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = [
    # Back office search: words in a ticket's title and description.
    ("Ticket", GinIndex(SearchVector("title", "description", config="french"), name="ticket_fulltext")),
    # Back office search: words in a ticket's followups.
    ("Followup", GinIndex(SearchVector("content", config="french"), name="followup_fulltext")),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in INDEXES:
            schema_editor.add_index(apps.get_model("tickets", model), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in INDEXES:
            schema_editor.remove_index(apps.get_model("tickets", model), index)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
