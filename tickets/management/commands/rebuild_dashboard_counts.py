from django.core.management.base import BaseCommand

from tickets.stats import dashboard_counts_rebuild


class Command(BaseCommand):
    help = "Count the dashboard's figures again from the tickets (after a bulk load)."

    def handle(self, *args, **options):
        dashboard_counts_rebuild()
        self.stdout.write("Dashboard counts rebuilt.")
