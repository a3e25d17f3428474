"""Full-text index for the knowledge base's search, on PostgreSQL only.

Its expression is the one knowledge.selectors.DOCUMENT queries and ranks by.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from knowledge.selectors import DOCUMENT

# Back office and FAQ search: words in an article's title, keywords and text.
INDEX = GinIndex(DOCUMENT, name="article_fulltext")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("knowledge", "Article"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("knowledge", "Article"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
