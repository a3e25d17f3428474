"""Working-time arithmetic with exact expected instants, in Paris time."""

import random
from datetime import date, datetime, time, timedelta

import pytest

from servicelevels.calendar import PARIS, Schedule

WEEKDAYS = range(5)
DAY = ((time(8, 30), time(17, 30)),)
SPLIT = ((time(8, 30), time(12, 30)), (time(13, 30), time(17, 30)))


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def office(ranges=DAY, **kwargs) -> Schedule:
    return Schedule(ranges=dict.fromkeys(WEEKDAYS, ranges), **kwargs)


HOUR = timedelta(hours=1)


def test_friday_17_10_plus_one_working_hour_is_monday_9_10():
    # Friday 4 December 2026.
    assert office().add(paris(2026, 12, 4, 17, 10), HOUR) == paris(2026, 12, 7, 9, 10)


def test_the_lunch_break_does_not_count():
    schedule = office(SPLIT)
    assert schedule.add(paris(2026, 12, 2, 12, 0), HOUR) == paris(2026, 12, 2, 14, 0)
    assert schedule.add(paris(2026, 12, 2, 12, 30), HOUR) == paris(2026, 12, 2, 14, 30)
    assert schedule.between(paris(2026, 12, 2, 12, 0), paris(2026, 12, 2, 14, 0)) == HOUR


def test_time_that_ends_at_the_close_of_a_range_ends_there():
    schedule = office(SPLIT)
    assert schedule.add(paris(2026, 12, 2, 11, 30), HOUR) == paris(2026, 12, 2, 12, 30)


def test_ascension_thursday_2027_is_not_worked():
    # Ascension is Thursday 6 May 2027: Wednesday 17:00 + 1 h lands on Friday 9:00.
    assert office().add(paris(2027, 5, 5, 17, 0), HOUR) == paris(2027, 5, 7, 9, 0)


def test_ascension_counts_when_the_calendar_ignores_public_holidays():
    schedule = office(public_holidays=False)
    assert schedule.add(paris(2027, 5, 5, 17, 0), HOUR) == paris(2027, 5, 6, 9, 0)


def test_easter_monday_and_whit_monday_are_not_worked():
    # Easter Monday 29 March 2027, Whit Monday 17 May 2027.
    assert office().add(paris(2027, 3, 26, 17, 0), HOUR) == paris(2027, 3, 30, 9, 0)
    assert office().add(paris(2027, 5, 14, 17, 0), HOUR) == paris(2027, 5, 18, 9, 0)


def test_a_closure_from_24_december_to_1_january():
    schedule = office(closures=((date(2026, 12, 24), date(2027, 1, 1)),))
    # Wednesday 23 December 17:00 + 1 h: back on Monday 4 January 2027 at 9:00.
    assert schedule.add(paris(2026, 12, 23, 17, 0), HOUR) == paris(2027, 1, 4, 9, 0)
    assert schedule.between(paris(2026, 12, 23, 17, 0), paris(2027, 1, 4, 9, 0)) == HOUR


def test_the_spring_daylight_saving_sunday_lasts_23_hours():
    always = Schedule(ranges=dict.fromkeys(range(7), ((time(0), time(0)),)), public_holidays=False)
    # Sunday 28 March 2027: the clocks jump from 2:00 to 3:00.
    start = paris(2027, 3, 28, 0, 0)
    assert always.add(start, timedelta(hours=24)) == paris(2027, 3, 29, 1, 0)
    assert always.between(start, paris(2027, 3, 29, 0, 0)) == timedelta(hours=23)


def test_the_autumn_daylight_saving_sunday_lasts_25_hours():
    always = Schedule(ranges=dict.fromkeys(range(7), ((time(0), time(0)),)), public_holidays=False)
    # Sunday 31 October 2027: the clocks go back from 3:00 to 2:00.
    start = paris(2027, 10, 31, 0, 0)
    assert always.add(start, timedelta(hours=24)) == paris(2027, 10, 31, 23, 0)
    assert always.between(start, paris(2027, 11, 1, 0, 0)) == timedelta(hours=25)


def test_office_hours_keep_their_wall_clock_time_across_both_changes():
    # Friday 17:00 + 1 h is Monday 9:00 local, though the weekend lasts an hour less
    # (29 March 2026) or more (25 October 2026) in UTC.
    spring = office().add(paris(2026, 3, 27, 17, 0), HOUR)
    autumn = office().add(paris(2026, 10, 23, 17, 0), HOUR)
    assert spring == paris(2026, 3, 30, 9, 0)
    assert autumn == paris(2026, 10, 26, 9, 0)
    # Seconds since the epoch: Python subtracts two Paris times on the wall clock.
    assert spring.timestamp() - paris(2026, 3, 27, 17, 0).timestamp() == 63 * 3600
    assert autumn.timestamp() - paris(2026, 10, 23, 17, 0).timestamp() == 65 * 3600


def test_a_pending_span_over_a_weekend_counts_only_working_hours():
    # Pending from Friday 16:00 to Monday 10:00: 1 h 30 + 1 h 30 of working time.
    waited = office().between(paris(2026, 12, 4, 16, 0), paris(2026, 12, 7, 10, 0))
    assert waited == timedelta(hours=3)


def test_working_days_keep_the_time_of_day():
    schedule = office(SPLIT)
    # Thursday 3 December 10:00 + 3 working days: Tuesday 8 December 10:00.
    assert schedule.add_days(paris(2026, 12, 3, 10, 0), 3) == paris(2026, 12, 8, 10, 0)
    # Filed on Saturday: counted from Monday's opening.
    assert schedule.add_days(paris(2026, 12, 5, 11, 0), 1) == paris(2026, 12, 8, 8, 30)


def test_a_calendar_never_open_is_refused():
    with pytest.raises(ValueError):
        Schedule(ranges={}).add(paris(2026, 12, 4, 10, 0), HOUR)


def _open_instant(rng: random.Random, schedule: Schedule) -> datetime:
    """A random instant within opening hours, to the minute, over three years."""
    while True:
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        intervals = schedule.intervals(day)
        if intervals:
            low, high = rng.choice(intervals)
            minutes = int((high - low).total_seconds() // 60)
            return (low + timedelta(minutes=rng.randrange(minutes))).astimezone(PARIS)


@pytest.mark.parametrize(
    "schedule",
    [
        office(SPLIT, closures=((date(2026, 12, 24), date(2027, 1, 1)),)),
        Schedule(ranges={0: SPLIT, 2: ((time(22, 0), time(0)),), 5: ((time(1, 0), time(4, 0)),)}),
    ],
    ids=["university", "odd hours"],
)
def test_adding_then_subtracting_working_time_returns_the_start(schedule):
    rng = random.Random(14)  # noqa: S311 - seeded test cases, the same on every run
    for _ in range(300):
        start = _open_instant(rng, schedule)
        amount = timedelta(minutes=rng.randrange(1, 60 * 24 * 20))
        end = schedule.add(start, amount)
        assert schedule.between(start, end) == amount
        assert schedule.subtract(end, amount) == start
        assert schedule.add(schedule.subtract(end, amount), amount) == end
