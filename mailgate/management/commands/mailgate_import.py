"""Feed the gate from a `.eml` file, a Maildir, or standard input (an MTA's pipe)."""

import mailbox
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mailgate.services import inbound_receive


class Command(BaseCommand):
    help = "Process e-mails from a .eml file, a Maildir folder, or standard input ('-')."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a .eml file, a Maildir folder, or - for stdin")

    def handle(self, *args, source, **options):
        if source == "-":
            raws = [sys.stdin.buffer.read()]
        else:
            path = Path(source)
            if path.is_dir():
                if not (path / "cur").is_dir() and not (path / "new").is_dir():
                    raise CommandError(f"{path} is not a Maildir (no cur/ nor new/).")
                raws = (m.as_bytes() for m in mailbox.Maildir(path, factory=None, create=False))
            elif path.is_file():
                raws = [path.read_bytes()]
            else:
                raise CommandError(f"No such file or folder: {path}")
        for raw in raws:
            record = inbound_receive(raw=raw)
            if record is None:
                self.stdout.write("duplicate: already received")
            else:
                self.stdout.write(f"{record.state}: {record.reason or record.ticket_id or ''}")
