"""Files people attach: what Help accepts, how it stores them, how it serves them back.

At most 50 MiB each (HELP_MAX_UPLOAD_MB), never something a browser could run, stored
under a random name, served only as a download by a view that checked access first.
"""

import uuid
from contextlib import contextmanager
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError


class UploadRefused(DomainError):
    """A file Help does not accept; the message names it."""


REFUSED_EXTENSIONS = frozenset(
    [
        ".exe",
        ".com",
        ".bat",
        ".cmd",
        ".msi",
        ".scr",
        ".pif",
        ".cpl",
        ".dll",
        ".ps1",
        ".vbs",
        ".vbe",
        ".js",
        ".mjs",
        ".jse",
        ".wsf",
        ".wsh",
        ".hta",
        ".jar",
        ".sh",
        ".app",
        ".html",
        ".htm",
        ".xhtml",
        ".shtml",
        ".mht",
        ".svg",
        ".svgz",
        ".xml",
        ".xsl",
        ".php",
    ]  # noqa: SIM905
)
REFUSED_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-sh",
    }
)
# The first bytes of programs and of pages a browser would render.
REFUSED_PREFIXES = (b"MZ", b"\x7fELF", b"#!", b"<!doctype html", b"<html", b"<svg", b"<script")


def max_upload_bytes() -> int:
    return settings.HELP_MAX_UPLOAD_MB * 1024 * 1024


def _head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(512)
    file.seek(position)
    return head.lstrip().lower()


def check_upload(file) -> None:
    """Refuse a file that is too large or of a kind we never accept, naming it."""
    name = PurePath(file.name or "").name
    if file.size > max_upload_bytes():
        raise UploadRefused(
            _("“%(name)s” is larger than %(limit)s MiB, the largest file Help accepts.")
            % {"name": name, "limit": settings.HELP_MAX_UPLOAD_MB}
        )
    content_type = (getattr(file, "content_type", "") or "").split(";")[0].strip().lower()
    if (
        PurePath(name).suffix.lower() in REFUSED_EXTENSIONS
        or content_type in REFUSED_CONTENT_TYPES
        or _head(file).startswith(REFUSED_PREFIXES)
    ):
        raise UploadRefused(
            _("“%(name)s” is a kind of file Help does not accept (programs, web pages, SVG).")
            % {"name": name}
        )


class SizeCappedUploadHandler(TemporaryFileUploadHandler):
    """Stream uploads to disk, but stop writing a file once it passes the limit.

    Its real size is still counted, so check_upload refuses it by name, while a huge
    upload never fills the disk and the rest of the form arrives whole.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= max_upload_bytes():
            self.file.write(raw_data)


def random_file_name(folder: str, filename: str) -> str:
    """Store under a random name: the original is kept in the row, never trusted as a path."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def stored_file_path(instance, filename: str) -> str:
    return random_file_name(instance.storage_folder(), filename)


class StoredFile(models.Model):
    """A file a person attached: a ticket's document, a kept upload, an article's file."""

    file = models.FileField(gettext_lazy("file"), upload_to=stored_file_path, max_length=255)
    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    content_type = models.CharField(gettext_lazy("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(gettext_lazy("size (bytes)"), default=0)
    created_at = models.DateTimeField(gettext_lazy("date"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    def storage_folder(self) -> str:
        """The folder of the storage that holds this kind of file."""
        raise NotImplementedError

    def store(self, upload) -> None:
        """Check the upload, then write it to storage under a random name (no save)."""
        check_upload(upload)
        name = PurePath(upload.name or "").name[:255]
        self.original_name = name
        self.content_type = (getattr(upload, "content_type", "") or "")[:100]
        self.size = upload.size
        self.file.save(name, upload, save=False)


@contextmanager
def files_removed_on_error():
    """Collect stored files; if anything fails before the block ends, delete them again.

    The rows roll back with the transaction, but storage is not transactional: without
    this a refused third file would leave the first two on disk, owned by nothing.
    """
    stored: list[StoredFile] = []
    try:
        yield stored
    except BaseException:
        for item in stored:
            item.file.delete(save=False)
        raise


def attachment_response(stored: StoredFile) -> FileResponse:
    """Serve a file as a download, never as a page the browser would render."""
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
