"""The dashboard's counts of the tickets already there, and the beat job that folds them."""

from django.db import migrations

JOB = "Regroupement des chiffres du tableau de bord"


def fill(apps, schema_editor):
    # The counting code itself, so that the migration counts as the services do.
    from tickets.stats import dashboard_counts_rebuild

    dashboard_counts_rebuild()
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    interval, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=JOB, defaults={"task": "tickets.fold_dashboard_counts", "interval": interval}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=JOB).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0011_dashboard_counts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(fill, remove)]
