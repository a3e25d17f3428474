"""The periodic jobs, as rows an admin sees and edits in Django admin (Periodic tasks)."""

from django.db import migrations

JOBS = [
    # (name, task, schedule)
    ("Clôture automatique des tickets résolus", "tickets.auto_close", {"minute": "5"}),
    ("Relais des notifications en attente", "notifications.relay", {"every": 60}),
    ("Rappels avant clôture automatique", "notifications.reminders", {"minute": "0", "hour": "8"}),
]


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    for name, task, schedule in JOBS:
        if "every" in schedule:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=schedule["every"], period="seconds"
            )
            timing = {"interval": interval}
        else:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=schedule["minute"],
                hour=schedule.get("hour", "*"),
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Europe/Paris",
            )
            timing = {"crontab": crontab}
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, **timing})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _s in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
