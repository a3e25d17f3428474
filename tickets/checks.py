"""System checks of the ticket domain that read the database (manage.py check --database)."""

from django.core.checks import Warning
from django.db import connections

from .models import HelpdeskSettings


def default_team_check(app_configs=None, databases=None, **kwargs):
    """Tickets that no routing rule matches go to the default team: one must be set."""
    issues = []
    for alias in databases or ():
        connection = connections[alias]
        if HelpdeskSettings._meta.db_table not in connection.introspection.table_names():
            continue  # not migrated yet
        if not HelpdeskSettings.objects.using(alias).filter(default_team__isnull=False).exists():
            issues.append(
                Warning(
                    "No default team is set: tickets that no routing rule matches reach no team.",
                    hint='Choose it in Django admin, under "Paramètres du helpdesk".',
                    obj=alias,
                    id="tickets.W001",
                )
            )
    return issues
