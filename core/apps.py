from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Help"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import sql  # registers the "among" lookup

        connection_created.connect(sql.read_utc_timestamps)
