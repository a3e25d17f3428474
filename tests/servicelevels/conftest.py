from datetime import datetime

import pytest
from django.utils import timezone

from servicelevels.calendar import PARIS
from servicelevels.models import ServiceLevel


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


@pytest.fixture
def level(db):
    """Under the university's calendar (8:30–12:30, 13:30–17:30 on weekdays)."""
    return ServiceLevel.objects.create(
        name="Incident", type="incident", priority=3, take_time=4, resolve_time=8
    )
