"""Working-time arithmetic: opening hours per weekday, French public holidays, closures.

Pure functions over a `Schedule`, with no database. Opening hours are wall-clock times
in Europe/Paris; the arithmetic itself runs on UTC instants, so that a day of 23 or 25
hours (the daylight-saving Sundays) counts exactly what it lasts. An amount of working
time is a `timedelta`.

`add(start, amount)` is the earliest instant by which `amount` of working time has
passed since `start` (a range's closing time rather than the next opening, when it falls
there); `subtract(end, amount)` is the latest instant from which `amount` remains until
`end`. So `subtract(add(t, d), d) == t` for any `t` within opening hours.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")
# A schedule open less than once in this many days is taken for a mistake.
HORIZON_DAYS = 3 * 366
MIDNIGHT = time(0)
ZERO = timedelta(0)


@lru_cache(maxsize=64)
def french_holidays(year: int) -> frozenset[date]:
    """France's public holidays of a year (Easter Monday, Ascension, Whit Monday...)."""
    return frozenset(holidays.France(years=year))


@dataclass(frozen=True)
class Schedule:
    """When a calendar is open: ranges per weekday (0 is Monday), less the closed days.

    A range is (start, end) in local time; an end at 00:00 is the following midnight.
    A closure is (first day, last day), both closed.
    """

    ranges: dict[int, tuple[tuple[time, time], ...]]
    closures: tuple[tuple[date, date], ...] = ()
    public_holidays: bool = True
    # Each day's ranges as instants, once computed: a backfill asks for the same few
    # weeks of days for every ticket.
    _days: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def is_working_day(self, day: date) -> bool:
        if not self.ranges.get(day.weekday()):
            return False
        if self.public_holidays and day in french_holidays(day.year):
            return False
        return not any(first <= day <= last for first, last in self.closures)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening ranges as UTC instants, in order."""
        if day not in self._days:
            self._days[day] = self._intervals(day)
        return self._days[day]

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        result = []
        for start, end in sorted(self.ranges[day.weekday()]):
            end_day = day + timedelta(days=1) if end == MIDNIGHT else day
            result.append((_instant(day, start), _instant(end_day, end)))
        return result

    def _forward(self, moment: datetime):
        """Opening ranges that end after `moment`, the first one cut to start there."""
        day = moment.astimezone(PARIS).date() - timedelta(days=1)  # a range up to midnight
        for _ in range(HORIZON_DAYS):
            for low, high in self.intervals(day):
                if high > moment:
                    yield max(low, moment), high
            day += timedelta(days=1)
        raise ValueError("This calendar is never open.")

    def _backward(self, moment: datetime):
        """Opening ranges that start before `moment`, the first one cut to end there."""
        day = moment.astimezone(PARIS).date()
        for _ in range(HORIZON_DAYS):
            for low, high in reversed(self.intervals(day)):
                if low < moment:
                    yield low, min(high, moment)
            day -= timedelta(days=1)
        raise ValueError("This calendar is never open.")

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which `amount` of working time has passed since `start`."""
        if amount < ZERO:
            return self.subtract(start, -amount)
        if amount == ZERO:
            return start
        start = start.astimezone(UTC)
        for low, high in self._forward(start):
            if amount <= high - low:
                return (low + amount).astimezone(PARIS)
            amount -= high - low
        raise AssertionError("unreachable")

    def subtract(self, end: datetime, amount: timedelta) -> datetime:
        """The latest instant from which `amount` of working time remains until `end`."""
        if amount < ZERO:
            return self.add(end, -amount)
        if amount == ZERO:
            return end
        end = end.astimezone(UTC)
        for low, high in self._backward(end):
            if amount <= high - low:
                return (high - amount).astimezone(PARIS)
            amount -= high - low
        raise AssertionError("unreachable")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from `start` to `end`; negative when `end` comes first."""
        if end < start:
            return -self.between(end, start)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = ZERO
        day = start.astimezone(PARIS).date() - timedelta(days=1)
        while day <= end.astimezone(PARIS).date():
            for low, high in self.intervals(day):
                low, high = max(low, start), min(high, end)
                if high > low:
                    total += high - low
            day += timedelta(days=1)
        return total

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the next opening."""
        low, _high = next(self._forward(moment.astimezone(UTC)))
        return low.astimezone(PARIS)

    def add_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` working days later, counted from the next opening.

        When that day is not open at that time, the next opening of that day, or its
        closing time when the time is past its last range.
        """
        begin = self.next_opening(start).astimezone(PARIS)
        day = begin.date()
        counted = 0
        for _ in range(HORIZON_DAYS):
            if counted == days:
                break
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        else:
            raise ValueError("This calendar is never open.")
        wanted = _instant(day, begin.time().replace(tzinfo=None))
        ranges = self.intervals(day)
        for low, high in ranges:
            if high >= wanted:
                return max(low, wanted).astimezone(PARIS)
        return ranges[-1][1].astimezone(PARIS)


def _instant(day: date, at: time) -> datetime:
    """A local wall-clock time as a UTC instant (a time the clocks skip counts as after)."""
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)
