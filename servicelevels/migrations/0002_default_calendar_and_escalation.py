"""The university's calendar (the default, 8:30–12:30 and 13:30–17:30 on weekdays, closed
on French public holidays) and the escalation job, as rows admins edit in Django admin."""

from datetime import time

from django.db import migrations

NAME = "Calendrier de l'université"
JOB = "Alertes des niveaux de service"


def create(apps, schema_editor):
    Calendar = apps.get_model("servicelevels", "Calendar")
    OpeningRange = apps.get_model("servicelevels", "OpeningRange")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if not Calendar.objects.filter(is_default=True).exists():
        calendar = Calendar.objects.create(name=NAME, is_default=True, public_holidays=True)
        OpeningRange.objects.bulk_create(
            OpeningRange(calendar=calendar, weekday=day, start=start, end=end)
            for day in range(5)
            for start, end in ((time(8, 30), time(12, 30)), (time(13, 30), time(17, 30)))
        )
    every_five, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Paris",
    )
    PeriodicTask.objects.get_or_create(
        name=JOB, defaults={"task": "servicelevels.escalate", "crontab": every_five}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB).delete()
    apps.get_model("servicelevels", "Calendar").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("servicelevels", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
