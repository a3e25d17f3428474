"""Read one raw e-mail into what the gate needs, within bounds, never trusting it.

Headers are decoded and flattened to one line (no header can smuggle another); the
body is the message's own words, without the quoted history and the signature that
mail clients add; its parts are counted and its size capped, so 30 MiB of nested
multiparts costs a bounded effort and ends in a clear reason, not a crash.
"""

import email
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.utils import getaddresses, parseaddr
from pathlib import PurePath

import nh3

MAX_MESSAGE_BYTES = 60 * 1024 * 1024  # above the largest attachment Help accepts
MAX_PARTS = 100
MAX_DEPTH = 8


class Unreadable(Exception):
    """A message the gate cannot read; the reason goes to admin."""


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""  # how the message's HTML shows it inline (`cid:`), if it does


# Where the words show an inline image: Outlook writes it so in its plain text, and
# html_to_text turns an HTML `<img src="cid:…">` into it. Content ids outside these
# characters are not kept, so a mark never carries markup.
INLINE_MARK = re.compile(r"\[cid:([\w.@$%+=-]{1,200})\]")
_INLINE_IMG = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?cid:([\w.@$%+=-]{1,200})[^>]*>""", re.I)
_CONTENT_ID = re.compile(r"[\w.@$%+=-]{1,200}")


@dataclass
class ParsedMail:
    key: str  # the Message-ID, or a hash of the bytes when there is none
    message_id: str
    sender: str  # the From address, lower case
    sender_name: str
    recipients: list[str]  # To, Cc and the envelope's Delivered-To / X-Original-To
    cc: list[str]
    subject: str
    references: str  # References and In-Reply-To
    text: str  # the new words only
    attachments: list[Attachment] = field(default_factory=list)
    noise: str = ""  # why it is an automatic message nobody must answer, if it is one
    return_path: str = ""


def _line(value) -> str:
    """A header as one line of text, whatever it held (encoded words, CR/LF, NULs)."""
    try:
        text = str(value or "")
    except Exception:  # a broken encoded word: keep what can be read
        text = repr(value)
    return " ".join(text.replace("\x00", "").split())


def _addresses(message, *names) -> list[str]:
    values = []
    for name in names:
        values += [_line(v) for v in message.get_all(name) or []]
    return [a.lower() for _, a in getaddresses(values) if "@" in a]


def _noise(message, sender: str, return_path: str) -> str:
    """Why a message is automatic (RFC 3834, bounces, lists, bulk), or ""."""
    auto = _line(message["Auto-Submitted"]).lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _line(message["Precedence"]).lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "List-Id"):
        if message[name] is not None:
            return f"{name} header"
    if message["List-Unsubscribe"] is not None:
        return "List-Unsubscribe header"
    if return_path == "<>" or not sender:
        return "null sender"
    local = sender.partition("@")[0]
    if local in ("mailer-daemon", "postmaster") or local.startswith(("noreply", "no-reply")):
        return f"automatic sender {sender}"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return ""


_QUOTE_HEADS = [
    re.compile(r"^\s*Le .{1,200}a écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*On .{1,200}wrote\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Message d'origine|Message original)\s*-{2,}", re.I),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above its "De :/From:" block
    re.compile(r"^\s*(De|From)\s*:\s*.+$", re.IGNORECASE),  # Outlook's block, without a rule
]
_BLOCK_FIELD = re.compile(r"^\s*(Sent|Envoyé|To|À|Date|Objet|Subject)\s*:", re.IGNORECASE)
_SIGNATURES = [
    re.compile(r"^-- ?$"),
    re.compile(r"^\s*(Envoyé de mon|Sent from my) ", re.IGNORECASE),
]


def strip_quoted(text: str) -> str:
    """The new words of a reply: cut at the quoted history or the signature, drop '>' lines.

    A "De :/From:" line counts only when a "Sent:/Envoyé :/To:/À :" line follows soon,
    as in Outlook's block, so that a sentence beginning with "De :" is kept.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = []
    for index, line in enumerate(lines):
        if any(p.match(line) for p in _SIGNATURES):
            break
        head = next((p for p in _QUOTE_HEADS if p.match(line)), None)
        if head is not None:
            if head is not _QUOTE_HEADS[-1]:
                break
            if any(_BLOCK_FIELD.match(n) for n in lines[index + 1 : index + 4]):
                break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def html_to_text(markup: str) -> str:
    """The text of an HTML body, with paragraphs and line breaks, quoted blocks removed."""
    markup = re.sub(r"<(blockquote|style|script|head)\b.*?</\1\s*>", "", markup, flags=re.I | re.S)
    markup = _INLINE_IMG.sub(r" [cid:\1] ", markup)
    markup = re.sub(r"<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</tr\s*>", "\n", markup, flags=re.I)
    return html.unescape(nh3.clean(markup, tags=set()))


def text_to_html(text: str) -> str:
    """Plain words as the paragraphs a followup stores (clean_html sanitises them again)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def _safe_name(name: str, content_type: str, index: int) -> str:
    """A bare file name: no folder, no control character, never empty."""
    name = PurePath(_line(name).replace("\\", "/")).name.lstrip(".")
    name = re.sub(r"[\x00-\x1f\x7f/]", "", name)[:200]
    if not name:
        extension = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
        name = f"piece-{index}{extension.get(content_type, '.bin')}"
    return name


def _text(part) -> str:
    """A text part's words; an unknown or lying charset is read as UTF-8, never fatal."""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError, ValueError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def _walk(message, depth=0, counter=None):
    counter = counter if counter is not None else [0]
    counter[0] += 1
    if counter[0] > MAX_PARTS:
        raise Unreadable(f"more than {MAX_PARTS} MIME parts")
    if depth > MAX_DEPTH:
        raise Unreadable(f"MIME parts nested deeper than {MAX_DEPTH}")
    if message.is_multipart():
        for part in message.get_payload():
            yield from _walk(part, depth + 1, counter)
    else:
        yield message


def parse(raw: bytes) -> ParsedMail:
    """Read a raw message; raise Unreadable with the reason when it cannot be read."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise Unreadable(f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB")
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        sender_name, sender = parseaddr(_line(message["From"]))
    except Exception as error:
        raise Unreadable(f"unreadable headers: {error}") from error
    sender = sender.lower() if "@" in sender else ""
    message_id = _line(message["Message-ID"])[:250]
    key = message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    return_path = _line(message["Return-Path"])
    plain, rich, attachments = [], [], []
    try:
        for index, part in enumerate(_walk(message)):
            content_type = part.get_content_type()
            disposition = part.get_content_disposition()
            filename = part.get_filename()
            if disposition != "attachment" and not filename and content_type == "text/plain":
                plain.append(_text(part))
            elif disposition != "attachment" and not filename and content_type == "text/html":
                rich.append(_text(part))
            elif content_type.startswith("multipart/") or content_type == "message/rfc822":
                continue
            else:
                data = part.get_payload(decode=True) or b""
                name = _safe_name(filename or "", content_type, index)
                content_id = _line(part["Content-ID"]).strip("<> ")
                if not _CONTENT_ID.fullmatch(content_id):
                    content_id = ""
                attachments.append(Attachment(name, content_type, data, content_id))
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable(f"malformed MIME: {type(error).__name__}: {error}") from error
    body = "\n".join(plain) if plain else html_to_text("\n".join(rich))
    return ParsedMail(
        key=key,
        message_id=message_id,
        sender=sender,
        sender_name=_line(sender_name),
        recipients=_addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"),
        cc=_addresses(message, "Cc"),
        subject=_line(message["Subject"])[:255],
        references=_line(message["References"]) + " " + _line(message["In-Reply-To"]),
        text=strip_quoted(body),
        attachments=attachments,
        noise=_noise(message, sender, return_path),
        return_path=return_path,
    )
