import asyncio
import socket
import threading

import pytest


class Sink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives.

    `hold_after = n` makes it keep n messages, then hold the next one unanswered
    (`holding` is set) until `release` is set, and refuse it then: a client stuck
    mid-message, as when its worker is killed there. It offers PIPELINING (RFC 2920) as
    Postfix, Exim and Exchange do, unless `pipelining` is false; it refuses the
    addresses in `refused`; `drop_after = n` makes it keep n messages, then drop the
    connection once at the next recipient, without answering, as a server or a network
    that fails.
    """

    def __init__(self, port, *, pipelining=True):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.sessions = []  # one per SMTP connection that delivered something
        self.port = port
        self.hold_after = None
        self.pipelining = pipelining
        self.refused = set()
        self.drop_after = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.pipelining:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            self.drop_after = None
            server.transport.close()
            return "421 4.3.2 Closing"  # never read: the connection is gone
        if address in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        from email import message_from_bytes
        from email.policy import default

        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        if all(session is not known for known in self.sessions):
            self.sessions.append(session)
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def forget(self):
        self.messages.clear()
        self.sessions.clear()

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_settings(settings, smtp_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_port
    settings.EMAIL_TIMEOUT = 2
    return settings


@pytest.fixture
def sink(smtp_port):
    server = Sink(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def db(transactional_db):
    """Real commits: messages leave only after the change's transaction commits."""
    return transactional_db
