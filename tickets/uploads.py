"""What files Help accepts: at most 50 MiB each, never something a browser could run."""

from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _

from .errors import TicketError

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
        raise TicketError(
            _("“%(name)s” is larger than %(limit)s MiB, the largest file Help accepts.")
            % {"name": name, "limit": settings.HELP_MAX_UPLOAD_MB}
        )
    content_type = (getattr(file, "content_type", "") or "").split(";")[0].strip().lower()
    if (
        PurePath(name).suffix.lower() in REFUSED_EXTENSIONS
        or content_type in REFUSED_CONTENT_TYPES
        or _head(file).startswith(REFUSED_PREFIXES)
    ):
        raise TicketError(
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
