from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Help"

    def ready(self):
        from . import sql  # noqa: F401 - registers the "among" lookup
