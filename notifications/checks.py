"""System checks for the settings e-mail depends on (run by manage.py check)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning


def site_url_check(app_configs=None, **kwargs):
    """Links in e-mails start with SITE_URL: it must be an absolute http(s) address."""
    parts = urlsplit(settings.SITE_URL or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        return []
    return [
        Error(
            f"SITE_URL must be an absolute http(s) address, not {settings.SITE_URL!r}.",
            hint="Set SITE_URL to the address people open, e.g. https://help.univ.example.",
            id="notifications.E001",
        )
    ]


def mail_without_broker_check(app_configs=None, **kwargs):
    """With an SMTP server but no broker, each change waits for the mail server."""
    if not settings.EMAIL_HOST or settings.REDIS_URL:
        return []
    return [
        Warning(
            "EMAIL_HOST is set without REDIS_URL: e-mail is sent inside web requests, "
            "which then wait for the mail server.",
            hint="Set REDIS_URL and run a Celery worker and Celery beat (see the README).",
            id="notifications.W001",
        )
    ]
