"""Copy each running clock's target onto its ticket (Ticket.due_at), which the queues
sort and filter on: one UPDATE for all tickets, as servicelevels.services.running reads
a clock."""

from django.db import migrations
from django.db.models import Case, F, OuterRef, Q, Subquery, When


def fill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketClock = apps.get_model("servicelevels", "TicketClock")
    clocks = TicketClock.objects.filter(
        ticket=OuterRef("pk"), level__isnull=False, stopped_at__isnull=True
    )
    running = Q(resolved_at__isnull=True, paused_since__isnull=True)

    def target(take, resolve):
        value = Case(When(taken_at__isnull=True, then=F(take)), When(running, then=F(resolve)))
        return Subquery(clocks.annotate(value=value).values("value")[:1])

    Ticket.objects.exclude(status=6).update(
        due_at=target("take_due_at", "resolve_due_at"),
        due_warn_at=target("take_warn_at", "resolve_warn_at"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("servicelevels", "0002_default_calendar_and_escalation"),
        ("tickets", "0014_ticket_due_dates"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
