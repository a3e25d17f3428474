"""How fast one worker empties an IMAP mailbox, and how much memory it takes.

Run with `.venv/bin/python bench/mailgate_imap.py` as root (PostgreSQL on 127.0.0.1:5432,
Debian's dovecot-imapd). It builds a throw-away database `help_bench_mail`, starts a
Dovecot of its own (as the tests do), appends BENCH_MESSAGES messages (default 10 000:
replies to tickets, new requests, auto-replies and list mail in turn), then processes
them with the IMAP fetcher, as the beat job does, and prints messages per second, the
worker's peak memory and the machine's load average before and after (the figures mean
little on a busy machine without it). The notifications the messages cause are sent
in-process to a dummy backend, so their cost is counted too.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/help_bench_mail"
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.pop("REDIS_URL", None)  # notifications are sent in-process, to a dummy backend

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)


def messages(replies):
    """`replies`: (requester's address, reply token, ticket id) of each ticket."""
    kinds = ["reply", "new", "auto", "list"]
    for index in range(MESSAGES):
        kind = kinds[index % len(kinds)]
        sender, token, ticket = replies[index % len(replies)]
        head = f"Message-ID: <bench-{index}@mail.univ.example>\r\n"
        head += "Date: Wed, 02 Dec 2026 10:00:00 +0100\r\n"
        if kind == "reply":
            head += f"From: {sender}\r\nTo: help+{token}@univ.example\r\n"
            head += f"Subject: Re: [Help #{ticket}] Boîte pleine\r\n"
            body = "Toujours en panne.\r\n\r\nLe mer. 2 déc. 2026, Help a écrit :\r\n"
            body += "> Avez-vous redémarré ?\r\n"
        elif kind == "new":
            head += f"From: req{index % 50}@univ.example\r\nTo: help@univ.example\r\n"
            head += f"Subject: Demande {index}\r\n"
            body = "Mon écran reste noir.\r\n"
        elif kind == "auto":
            head += "From: req1@univ.example\r\nTo: help@univ.example\r\nSubject: Absence\r\n"
            head += "Auto-Submitted: auto-replied\r\n"
            body = "Absente.\r\n"
        else:
            head += "From: liste@listes.univ.example\r\nTo: help@univ.example\r\nSubject: Info\r\n"
            head += "Precedence: list\r\nList-Id: <info.listes.univ.example>\r\n"
            body = "Coupure jeudi.\r\n"
        yield (head + 'Content-Type: text/plain; charset="utf-8"\r\n\r\n' + body).encode()


def main():
    psql("DROP DATABASE IF EXISTS help_bench_mail")
    psql("CREATE DATABASE help_bench_mail")
    import django

    django.setup()
    import logging

    # One line per in-process notification task would be most of the output.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    settings.HELP_REPLY_ADDRESS = "help@univ.example"
    settings.HELP_INBOUND_PER_HOUR = MESSAGES
    call_command("migrate", verbosity=0)
    import imaplib

    from django.contrib.auth import get_user_model

    from mailgate import imap
    from mailgate.models import InboundMessage, Mailbox
    from notifications import mailheaders
    from tests.mailgate.dovecot import Dovecot
    from tickets import services
    from tickets.models import Team

    team = Team.objects.create(name="DSIN - Support")
    users = [
        get_user_model().objects.create(username=f"req{i}", email=f"req{i}@univ.example")
        for i in range(50)
    ]
    tickets = [
        services.ticket_create(requester=users[i % 50], title=f"Boîte pleine {i}", team=team)
        for i in range(200)
    ]
    # Each reply comes from the ticket's own requester, with their own token.
    replies = [
        (t.requester.email, mailheaders.reply_token(t.pk, t.requester_id), t.pk) for t in tickets
    ]
    with tempfile.TemporaryDirectory(prefix="help-bench-dovecot-") as root:
        os.chmod(root, 0o711)  # noqa: S103 - Dovecot's users must reach their files
        server = Dovecot(Path(root)).start()
        try:
            client = imaplib.IMAP4("127.0.0.1", server.port)
            client.login(server.user, server.password)
            for raw in messages(replies):
                client.append("INBOX", None, None, raw)
            client.logout()
            mailbox = Mailbox.objects.create(
                name="Bench",
                host="127.0.0.1",
                port=server.port,
                security="plain",
                username=server.user,
                password=server.password,
            )
            load_before = os.getloadavg()[0]
            start = time.perf_counter()
            while imap.fetch(mailbox):
                pass
            elapsed = time.perf_counter() - start
        finally:
            server.stop()
    done = InboundMessage.objects.count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{done} messages in {elapsed:.1f} s: {done / elapsed:.0f} messages/s, "
        f"peak memory {peak:.0f} MiB; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
    )
    states = dict(
        InboundMessage.objects.values_list("state").annotate(n=django.db.models.Count("id"))
    )
    print(f"outcomes: {states}")


if __name__ == "__main__":
    main()
