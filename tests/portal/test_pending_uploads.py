from datetime import timedelta
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from portal.models import PendingUpload
from portal.services import pending_upload_create
from tests.factories import UserFactory


def test_forgotten_files_are_purged_and_recent_ones_kept(db, django_capture_on_commit_callbacks):
    owner = UserFactory()
    old = pending_upload_create(owner=owner, file=SimpleUploadedFile("old.txt", b"x"))
    recent = pending_upload_create(owner=owner, file=SimpleUploadedFile("new.txt", b"y"))
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    storage, old_name = old.file.storage, old.file.name
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_pending_uploads", stdout=out)
    assert "1" in out.getvalue()
    assert list(PendingUpload.objects.all()) == [recent]
    assert not storage.exists(old_name)
    assert storage.exists(recent.file.name)


def test_a_failed_submission_leaves_no_stored_file(db, monkeypatch):
    import pytest

    from portal.services import ticket_submit
    from tests.factories import LocationFactory, TeamFactory, ThemeFactory
    from tickets import services as ticket_services
    from tickets.models import Document

    stored = []
    real_add = ticket_services.document_add

    def add_then_fail(**kwargs):
        if stored:
            raise RuntimeError("disk full")
        document = real_add(**kwargs)
        stored.append(document.file.name)
        return document

    monkeypatch.setattr(ticket_services, "document_add", add_then_fail)
    TeamFactory()
    data = {
        "title": "x",
        "description": "",
        "type": "incident",
        "urgency": 3,
        "beneficiary": None,
        "location_mode": "onsite",
        "location": LocationFactory(),
    }
    files = [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")]
    with pytest.raises(RuntimeError):
        ticket_submit(
            requester=UserFactory(), theme=ThemeFactory(), data=data, answers=[], files=files
        )
    storage = Document._meta.get_field("file").storage
    assert stored and not storage.exists(stored[0])


def test_the_purge_is_a_daily_job_admins_can_see(db):
    from django_celery_beat.models import PeriodicTask

    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "tickets.auto_close",
        "notifications.relay",
        "notifications.reminders",
        "portal.purge_pending_uploads",
    } <= names
