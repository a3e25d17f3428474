from django.apps import AppConfig
from django.core.checks import register
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from tickets import events

        from . import services
        from .checks import mail_without_broker_check, site_url_check

        # The ticket domain announces its changes; this app turns them into e-mails.
        events.subscribe(services.record)
        register(site_url_check)
        register(mail_without_broker_check)
