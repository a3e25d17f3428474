"""Files people attach: what Help accepts, how it stores them, how it serves them back.

At most 50 MiB each (HELP_MAX_UPLOAD_MB), only of the kinds listed below, recognised by
name and by content, stored under a random name, served only as a download by a view
that checked access first.
"""

import codecs
import re
import uuid
from contextlib import contextmanager
from pathlib import PurePath

import filetype
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


# What Help accepts, and nothing else: each row gives file name extensions and the kinds
# of content such a file may hold, as the filetype library names them, plus "ole2" (any
# compound file: old Office documents and Outlook's .msg, which filetype does not all
# recognise) and "text" (plain text, which has no magic number). Name and content must
# agree. Open XML and OpenDocument files are zip containers: "zip" covers the ones whose
# first entries the library does not look for.
_ACCEPTED = (
    # images
    ("png", "png apng"),
    ("jpg jpeg", "jpg"),
    ("gif", "gif"),
    ("webp", "webp"),
    ("bmp", "bmp"),
    ("tif tiff", "tif"),
    ("heic heif", "heic"),
    # documents
    ("pdf", "pdf"),
    ("doc xls ppt", "ole2"),
    ("docx", "docx zip"),
    ("xlsx", "xlsx zip"),
    ("pptx", "pptx zip"),
    ("odt", "odt zip"),
    ("ods", "ods zip"),
    ("odp", "odp zip"),
    ("rtf", "rtf"),
    # text, logs, settings
    ("txt log csv tsv md json ini conf cfg", "text"),
    # e-mails
    ("eml", "text"),
    ("msg", "ole2"),
    # archives
    ("zip", "zip"),
    ("7z", "7z"),
    ("gz tgz", "gz"),
    ("tar", "tar"),
    ("rar", "rar"),
    # screen and sound recordings
    ("mp4", "mp4 m4v"),
    ("mov", "mov mp4"),
    ("webm", "webm"),
    ("mp3", "mp3"),
    ("m4a", "m4a mp4"),
    ("wav", "wav"),
)
ACCEPTED_CONTENT = {
    f".{extension}": frozenset(kinds.split())
    for extensions, kinds in _ACCEPTED
    for extension in extensions.split()
}

HEAD_BYTES = 8192  # enough for the library, and for telling text from the rest
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Controls that plain text does not hold (tab, line ends, form feed, ESC for the colours
# of a terminal log and the DOS end-of-file mark are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
# Text a browser or a shell would run: markup (HTML, SVG, XML) or a script.
_ACTIVE_TEXT = re.compile(r"\s*(<[a-z!?/]|#!)", re.IGNORECASE)


def max_upload_bytes() -> int:
    return settings.HELP_MAX_UPLOAD_MB * 1024 * 1024


def _head(file) -> bytes:
    """The first bytes of the upload, leaving its position where it was."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(position)
    return head


def _is_plain_text(head: bytes) -> bool:
    """Whether the head reads as text (UTF-8, UTF-16 with its mark, or Windows-1252), not markup."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\0" in head:
        return False
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            # Not final: the head may end in the middle of a character.
            text = codecs.getincrementaldecoder(encoding)().decode(head)
        except UnicodeDecodeError:
            continue
        return not _CONTROL.search(text) and not _ACTIVE_TEXT.match(text)
    return False


def _holds(head: bytes, kinds: frozenset[str]) -> bool:
    """Whether the head is the start of content of one of these kinds."""
    if "text" in kinds:
        return _is_plain_text(head)
    if head.startswith(OLE2_SIGNATURE):
        return "ole2" in kinds
    return filetype.guess_extension(head) in kinds


def check_upload(file) -> None:
    """Refuse a file that is too large, or not of a kind Help accepts by name and content."""
    name = PurePath(file.name or "").name
    if file.size > max_upload_bytes():
        raise UploadRefused(
            _("“%(name)s” is larger than %(limit)s MiB, the largest file Help accepts.")
            % {"name": name, "limit": settings.HELP_MAX_UPLOAD_MB}
        )
    kinds = ACCEPTED_CONTENT.get(PurePath(name).suffix.lower())
    if not kinds or not _holds(_head(file), kinds):
        raise UploadRefused(
            _(
                "“%(name)s” is a kind of file Help does not accept (it accepts images, PDF, "
                "office documents, text, e-mails, archives, audio and video)."
            )
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
