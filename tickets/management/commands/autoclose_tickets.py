from django.core.management.base import BaseCommand

from tickets.services import tickets_auto_close


class Command(BaseCommand):
    help = "Close the solved tickets whose solution has waited past the auto-close delay."

    def handle(self, *args, **options):
        closed = tickets_auto_close()
        self.stdout.write(f"{len(closed)} ticket(s) closed.")
