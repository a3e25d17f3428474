"""Admins set calendars (with their hours and closures inline) and levels in Django admin."""

import pytest
from django.urls import reverse

from servicelevels.models import Calendar, ServiceLevel
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "page",
    [
        "admin:servicelevels_calendar_changelist",
        "admin:servicelevels_calendar_add",
        "admin:servicelevels_servicelevel_changelist",
        "admin:servicelevels_servicelevel_add",
        "admin:servicelevels_teamcalendar_changelist",
        "admin:servicelevels_alert_changelist",
    ],
)
def test_its_pages_open(admin_client, page):
    assert admin_client.get(reverse(page)).status_code == 200


def test_the_default_calendar_shows_its_opening_hours_inline(admin_client):
    calendar = Calendar.objects.get(is_default=True)
    response = admin_client.get(reverse("admin:servicelevels_calendar_change", args=[calendar.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "08:30" in html and "12:30" in html and "13:30" in html and "17:30" in html


def test_an_admin_adds_a_level(admin_client):
    response = admin_client.post(
        reverse("admin:servicelevels_servicelevel_add"),
        {
            "name": "Incident majeur",
            "type": "incident",
            "priority": 6,
            "take_time": 1,
            "take_unit": "hours",
            "resolve_time": 4,
            "resolve_unit": "hours",
            "warning_percent": 75,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ServiceLevel.objects.get().name == "Incident majeur"
