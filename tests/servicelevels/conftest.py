from datetime import datetime, time

import pytest
from django.utils import timezone

from servicelevels.calendar import PARIS
from servicelevels.models import Calendar, OpeningRange, ServiceLevel


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def at(monkeypatch):
    """Set the services' clock to a Paris time: at(2026, 12, 4, 10, 0)."""

    def set_now(*args):
        moment = paris(*args)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


def university_calendar() -> Calendar:
    """The default calendar the migration makes, made again after a flushed database."""
    calendar, created = Calendar.objects.get_or_create(
        is_default=True, defaults={"name": "Calendrier de l'université"}
    )
    if created:
        OpeningRange.objects.bulk_create(
            OpeningRange(calendar=calendar, weekday=day, start=start, end=end)
            for day in range(5)
            for start, end in ((time(8, 30), time(12, 30)), (time(13, 30), time(17, 30)))
        )
    return calendar


@pytest.fixture
def level(db):
    """Under the university's calendar (8:30–12:30, 13:30–17:30 on weekdays)."""
    university_calendar()
    return ServiceLevel.objects.create(
        name="Incident", type="incident", priority=3, take_time=4, resolve_time=8
    )
