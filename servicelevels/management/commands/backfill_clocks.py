from django.core.management.base import BaseCommand

from servicelevels.services import clocks_backfill


class Command(BaseCommand):
    help = (
        "Give due dates to the open tickets that have none (filed before the service "
        "levels were set up, or while no level matched them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--warn-past",
            action="store_true",
            help="Let the escalation job warn about the thresholds already passed.",
        )

    def handle(self, *args, warn_past=False, **options):
        counted = clocks_backfill(warn_past=warn_past)
        self.stdout.write(f"{counted} ticket(s) given due dates.")
