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
def test_it_writes_every_age_as_timesince_does(language):
    now = timezone.now()
    with translation.override(language):
        age = ages()
        for delta in DELTAS * 2:  # the second time from what it wrote already
            assert age(now - delta, now) == timesince(now - delta, now)


def test_it_writes_in_the_reader_s_language():
    now = timezone.now()
    with translation.override("fr"):
        age = ages()
        assert age(now - timedelta(days=3), now) == "3\xa0jours"
    with translation.override("en"):
        assert ages()(now - timedelta(days=3), now) == "3\xa0days"
