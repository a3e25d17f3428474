"""Our messages on the wire: built as bytes directly, sent in one write per envelope.

Django's `EmailMessage.message().as_bytes()` goes through the `email` package's
generic header folding, which costs more than rendering the message; our messages have
one shape (a text part and an HTML part, a handful of headers), so `as_bytes` writes
that shape itself: quoted-printable parts, an RFC 2047 subject, 7-bit throughout. A
message of any other shape, or with an address that needs encoding, goes the generic
way. `Pipeline` sends a message's content in the same write as the next one's
envelope when the server offers PIPELINING (RFC 2920): one round trip a message instead
of four, and the worker renders the next message while the server reads this one.
"""

import base64
import binascii
import functools
import re
import secrets
import smtplib
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _part(content_type: str, text: str) -> str:
    body = binascii.b2a_qp(_crlf(text).encode(), istext=True).decode("ascii")
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\n'
        "MIME-Version: 1.0\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{body}\r\n"
    )


def _header(value: str) -> str:
    """The value as is if ASCII, else as RFC 2047 encoded words of at most 45 bytes each."""
    if value.isascii():
        return value
    words, word = [], b""
    for char in value:
        encoded = char.encode()
        if len(word) + len(encoded) > 45:
            words.append(word)
            word = b""
        word += encoded
    words.append(word)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


def _address(address: str) -> str:
    """The address for the envelope, `<local@domain>`."""
    if address.isascii() and "<" not in address:  # a bare address, as our rows hold
        return f"<{address}>"
    return _named_address(address)


@functools.lru_cache
def _named_address(address: str) -> str:
    return f"<{parseaddr(sanitize_address(address, 'utf-8'))[1]}>"


@functools.lru_cache
def _from(address: str) -> str:
    return _header(sanitize_address(address, "utf-8"))


def as_bytes(message: EmailMultiAlternatives) -> bytes:
    """The message as SMTP DATA (CRLF lines, 7-bit), whatever way it has to be built."""
    headers = {"Subject": message.subject, "To": ", ".join(message.to)}
    if message.reply_to:
        headers["Reply-To"] = ", ".join(message.reply_to)
    headers.update(message.extra_headers)
    addresses = [headers["To"], headers.get("Reply-To", "")]
    simple = (
        len(message.alternatives) == 1
        and message.alternatives[0][1] == "text/html"
        and not message.attachments
        and not message.cc
        and not message.bcc
        and all(value.isascii() for value in addresses)
        and not any("\n" in str(v) or "\r" in str(v) for v in headers.values())
        and not {"from", "date", "mime-version", "content-type"} & {k.lower() for k in headers}
    )
    if not simple:  # Django's own writing, with its checks and encodings
        return message.message().as_bytes(linesep="\r\n")
    boundary = f"=={secrets.token_hex(16)}=="  # "==" never occurs in quoted-printable
    lines = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "MIME-Version: 1.0",
        f"From: {_from(message.from_email)}",
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
        *(f"{name}: {_header(str(value))}" for name, value in headers.items()),
    ]
    text, (html, _type) = message.body, message.alternatives[0]
    data = (
        "\r\n".join(lines)
        + f"\r\n\r\n--{boundary}\r\n{_part('text/plain', text)}"
        + f"--{boundary}\r\n{_part('text/html', html)}--{boundary}--\r\n"
    )
    return data.encode("ascii")


def _refused(replies, sender, recipients) -> smtplib.SMTPException:
    (mail_code, mail_reply), *rcpt_replies, (data_code, data_reply) = replies
    if mail_code != 250:
        return smtplib.SMTPSenderRefused(mail_code, mail_reply, sender)
    refused = {
        r: reply for r, reply in zip(recipients, rcpt_replies, strict=True) if reply[0] > 251
    }
    if refused:
        return smtplib.SMTPRecipientsRefused(refused)
    return smtplib.SMTPDataError(data_code, data_reply)


# What a server answers about one message; the connection stays usable after it.
REFUSED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class Pipeline:
    """Messages over one open connection at one round trip each (RFC 2920 PIPELINING).

    A message's content goes out in the same write as the next message's envelope, and
    the server's answers to both are read only when a third message comes: meanwhile
    the caller renders it and records what was sent. `put` and `close` return the
    outcomes learnt so far, (token, None) for a message the server accepted, (token,
    error) for one it refused; if they raise, the connection is lost: `take()` gives
    what was learnt before, and every message in `unanswered` is lost. Without
    PIPELINING, one message at a time.
    """

    def __init__(self, connection: smtplib.SMTP):
        connection.ehlo_or_helo_if_needed()
        self.smtp = connection
        self.pipelining = connection.has_extn("pipelining")
        self.content = None  # the message whose content was sent, unanswered
        # (token, sender, recipients) of the message whose envelope was sent; once its
        # answers are read, it is still there only if the server accepted it ("354").
        self.envelope = None
        self.envelope_data = b""
        self.learnt = []  # outcomes read from the server, not yet handed over

    def take(self) -> list:
        learnt, self.learnt = self.learnt, []
        return learnt

    @property
    def unanswered(self) -> list:
        return [t for t in (self.content, self.envelope and self.envelope[0]) if t is not None]

    def put(self, token, message: EmailMultiAlternatives) -> list:
        """Send the envelope of `message` now, its content with the next one."""
        try:
            data = as_bytes(message)
            sender = _address(message.from_email)
            recipients = [_address(r) for r in message.recipients()]
        except ValueError as error:  # a header or address that cannot be written (Django's
            # BadHeaderError among them): this message fails alone, nothing was sent for it
            return [(token, error), *self.take()]
        if not self.pipelining:
            try:
                self.smtp.sendmail(sender, recipients, data)  # which doubles leading dots
            except REFUSED as error:
                return [(token, error)]
            return [(token, None)]
        data = _LEADING_DOT.sub(b"..", data)  # a line "." would end the message (RFC 5321)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        self._answers()
        commands = [f"MAIL FROM:{sender}", *(f"RCPT TO:{r}" for r in recipients)]
        write = "".join(f"{command}\r\n" for command in commands).encode() + b"DATA\r\n"
        if self.envelope is not None:  # accepted: its content goes first
            write = self.envelope_data + b".\r\n" + write
            self.content, self.envelope = self.envelope[0], None
        self.smtp.send(write)
        self.envelope, self.envelope_data = (token, sender, recipients), data
        return self.take()

    def close(self) -> list:
        """Send the last content; return the last outcomes."""
        self._answers()
        if self.envelope is not None:
            self.content, self.envelope = self.envelope[0], None
            self.smtp.send(self.envelope_data + b".\r\n")
            self._answers()
        return self.take()

    def _answers(self) -> None:
        """Read what the server answered to the last write; keep an accepted envelope."""
        if self.content is not None:
            code, reply = self.smtp.getreply()
            error = None if code == 250 else smtplib.SMTPDataError(code, reply)
            self.learnt.append((self.content, error))
            self.content = None
        if self.envelope is not None:
            token, sender, recipients = self.envelope
            replies = [self.smtp.getreply() for _ in range(len(recipients) + 2)]
            # A server that opens DATA took at least one recipient: the content goes to
            # those, as smtplib's sendmail does (sending "." alone would deliver an
            # empty message to them).
            if replies[-1][0] != 354:
                self.envelope = None
                self.learnt.append((token, _refused(replies, sender, recipients)))
                self.smtp.rset()
