from datetime import timedelta
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from portal.models import PendingUpload
from portal.services import pending_upload_create
from tests.factories import UserFactory


def test_forgotten_files_are_purged_and_recent_ones_kept(db):
    owner = UserFactory()
    old = pending_upload_create(owner=owner, file=SimpleUploadedFile("old.txt", b"x"))
    recent = pending_upload_create(owner=owner, file=SimpleUploadedFile("new.txt", b"y"))
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    storage, old_name = old.file.storage, old.file.name
    out = StringIO()
    call_command("purge_pending_uploads", stdout=out)
    assert "1" in out.getvalue()
    assert list(PendingUpload.objects.all()) == [recent]
    assert not storage.exists(old_name)
    assert storage.exists(recent.file.name)
