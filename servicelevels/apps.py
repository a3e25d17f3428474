from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceLevelsConfig(AppConfig):
    name = "servicelevels"
    verbose_name = _("Service levels")

    def ready(self):
        from tickets import delays, events

        from . import services

        # The ticket domain announces its changes; this app moves the tickets' clocks.
        events.subscribe(services.hear)
        # It counts its auto-close delay in working days of the ticket's calendar.
        delays.count_working_days_with(services.working_days_later)
