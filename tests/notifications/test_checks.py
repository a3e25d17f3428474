from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from notifications.checks import mail_without_broker_check, site_url_check


@pytest.mark.parametrize("url", ["https://help.univ.example", "http://127.0.0.1:8000"])
def test_an_absolute_site_url_passes(settings, url):
    settings.SITE_URL = url
    assert site_url_check() == []


@pytest.mark.parametrize("url", ["", "help.univ.example", "/help", "ftp://help.univ.example"])
def test_a_site_url_that_is_not_an_absolute_http_address_is_an_error(settings, url):
    settings.SITE_URL = url
    [error] = site_url_check()
    assert error.id == "notifications.E001"
    assert "SITE_URL" in error.msg


def test_a_bad_site_url_stops_manage_py_check(settings):
    settings.SITE_URL = "help.univ.example"
    with pytest.raises(SystemCheckError, match="notifications.E001"):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_smtp_without_a_broker_is_a_warning(settings):
    settings.EMAIL_HOST, settings.REDIS_URL = "smtp.univ.example", None
    [warning] = mail_without_broker_check()
    assert warning.id == "notifications.W001"
    assert "REDIS_URL" in warning.msg
    out = StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "notifications.W001" in out.getvalue()


@pytest.mark.parametrize(
    ("host", "broker"), [("smtp.univ.example", "redis://127.0.0.1:6379/0"), ("", None)]
)
def test_smtp_with_a_broker_or_the_console_needs_nothing_more(settings, host, broker):
    settings.EMAIL_HOST, settings.REDIS_URL = host, broker
    assert mail_without_broker_check() == []
