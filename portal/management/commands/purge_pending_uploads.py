from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.services import pending_uploads_purge


class Command(BaseCommand):
    help = "Delete the files kept for forms that were never sent again (older than a day)."

    def handle(self, *args, **options):
        count = pending_uploads_purge(older_than=timezone.now() - timedelta(days=1))
        self.stdout.write(f"{count} forgotten file(s) deleted.")
