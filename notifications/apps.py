from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from tickets import events

        from . import services

        # The ticket domain announces its changes; this app turns them into e-mails.
        events.subscribe(services.record)
