from django.core.management.base import BaseCommand

from portal.tasks import purge_pending_uploads


class Command(BaseCommand):
    help = "Delete the files kept for forms that were never sent again (older than a day)."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_pending_uploads()} forgotten file(s) deleted.")
