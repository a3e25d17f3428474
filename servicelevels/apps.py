from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceLevelsConfig(AppConfig):
    name = "servicelevels"
    verbose_name = _("Service levels")

    def ready(self):
        from tickets import events

        from . import services

        # The ticket domain announces its changes; this app moves the tickets' clocks.
        events.subscribe(services.hear)
