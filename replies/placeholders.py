"""The placeholders of a canned answer: declared once here, read by the renderer and the pages.

A placeholder is a name in braces, French first (what technicians read), with English
aliases: ``{demandeur}`` or ``{requester}``. A name not declared here is left as typed.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.html import clean_html

# A word in braces; the editor may have percent-encoded the braces of a link's address.
PATTERN = re.compile(r"(?:\{|%7B)(\w{1,40})(?:\}|%7D)", re.IGNORECASE)


@dataclass(frozen=True)
class Placeholder:
    name: str
    aliases: tuple[str, ...]
    description: str
    value: Callable  # (ticket, user) -> str


def _link(ticket, user) -> str:
    return settings.SITE_URL + reverse("portal:ticket-detail", args=[ticket.pk])


PLACEHOLDERS = [
    Placeholder(
        "demandeur",
        ("requester",),
        _("the requester's name"),
        lambda ticket, user: ticket.requester.get_display_name(),
    ),
    Placeholder(
        "numero", ("numéro", "number"), _("the ticket number"), lambda ticket, user: str(ticket.pk)
    ),
    Placeholder(
        "theme",
        ("thème",),
        _("the ticket's theme"),
        lambda ticket, user: str(ticket.theme) if ticket.theme_id else "",
    ),
    Placeholder(
        "technicien",
        ("technician",),
        _("your name"),
        lambda ticket, user: user.get_display_name(),
    ),
    Placeholder("lien", ("link",), _("the link to the ticket in the portal"), _link),
]

BY_NAME = {name: p for p in PLACEHOLDERS for name in (p.name, *p.aliases)}


def render(body: str, *, ticket, user) -> str:
    """The answer's text for this ticket as clean HTML: placeholders filled, values escaped."""
    values = {}

    def fill(match):
        placeholder = BY_NAME.get(match.group(1).lower())
        if placeholder is None:
            return match.group(0)
        if placeholder.name not in values:
            values[placeholder.name] = escape(placeholder.value(ticket, user))
        return values[placeholder.name]

    # Cleaned before (what was stored may predate a rule) and after (the whole result).
    return clean_html(PATTERN.sub(fill, clean_html(body)))
