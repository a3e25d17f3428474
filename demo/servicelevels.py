"""The demo's service levels: the university's calendar, a faculty's own hours, levels."""

from datetime import date, time

from servicelevels.models import Calendar, Closure, OpeningRange, ServiceLevel, TeamCalendar

HOURS, DAYS = ServiceLevel.Unit.HOURS, ServiceLevel.Unit.DAYS
# (type, priorities, working hours to take in charge, time to resolve and its unit)
LEVELS = [
    ("incident", (5, 6), 1, 4, HOURS),
    ("incident", (3, 4), 4, 3, DAYS),
    ("incident", (1, 2), 8, 5, DAYS),
    ("request", (1, 2, 3, 4, 5, 6), 8, 10, DAYS),
]
TYPE_NAMES = {"incident": "Incident", "request": "Demande"}


def load_service_levels(teams) -> None:
    """Levels for every type and priority; the UFR's correspondents keep their hours."""
    university = Calendar.objects.filter(is_default=True).first()
    if university is None:  # the migration makes it; a flushed database has lost it
        university = Calendar.objects.create(name="Calendrier de l'université", is_default=True)
        _open(university, ((time(8, 30), time(12, 30)), (time(13, 30), time(17, 30))))
    for year in (date.today().year, date.today().year + 1):
        Closure.objects.get_or_create(
            calendar=university,
            name=f"Fermeture de fin d'année {year}",
            defaults={"first_day": date(year, 12, 24), "last_day": date(year + 1, 1, 1)},
        )
    faculty, created = Calendar.objects.get_or_create(name="UFR Sciences")
    if created:
        _open(faculty, ((time(8, 0), time(12, 0)), (time(14, 0), time(18, 0))))
    TeamCalendar.objects.get_or_create(
        team=teams["UFR Sciences - Correspondants informatiques"], defaults={"calendar": faculty}
    )
    for type, priorities, take, resolve, unit in LEVELS:
        for priority in priorities:
            ServiceLevel.objects.get_or_create(
                name=f"{TYPE_NAMES[type]} — priorité {priority}",
                defaults={
                    "type": type,
                    "priority": priority,
                    "take_time": take,
                    "resolve_time": resolve,
                    "resolve_unit": unit,
                },
            )


def _open(calendar: Calendar, ranges) -> None:
    """Open the calendar at these hours from Monday to Friday."""
    OpeningRange.objects.bulk_create(
        OpeningRange(calendar=calendar, weekday=day, start=start, end=end)
        for day in range(5)
        for start, end in ranges
    )
