from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of `make run`: themes, places, teams, people, tickets and articles."""

    name = "demo"
    verbose_name = "Demo"
