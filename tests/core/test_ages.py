"""A page of rows writes each age as Django's timesince does, its words translated once."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.timesince import timesince

from core.templatetags.helpdesk import ages

DELTAS = [
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(hours=2, minutes=5),
    timedelta(days=1),
    timedelta(days=3, hours=4),
    timedelta(days=15),
    timedelta(days=400),
    timedelta(days=800, hours=2),
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_writes_every_age_as_timesince_does_to_the_minute(language):
    minute = timezone.now().replace(second=0, microsecond=0)
    with translation.override(language):
        for now in (minute, minute + timedelta(seconds=59)):  # the second time: as written
            age = ages(now)
            for delta in DELTAS:
                assert age(minute - delta) == timesince(minute - delta, minute)


def test_it_writes_in_the_reader_s_language():
    now = timezone.now().replace(second=0, microsecond=0)
    with translation.override("fr"):
        assert ages(now)(now - timedelta(days=3)) == "3\xa0jours"
    with translation.override("en"):
        assert ages(now)(now - timedelta(days=3)) == "3\xa0days"


def test_the_next_minute_ages_every_row_again():
    now = timezone.now().replace(second=0, microsecond=0)
    created = now - timedelta(minutes=5)
    with translation.override("en"):
        assert ages(now)(created) == "5\xa0minutes"
        assert ages(now + timedelta(minutes=1))(created) == "6\xa0minutes"
