from django.core.management.base import BaseCommand

from tickets import fulltext


class Command(BaseCommand):
    help = "Store every ticket's words for the search again (after a bulk load)."

    def handle(self, *args, **options):
        fulltext.rebuild()
        self.stdout.write("Search words rebuilt.")
