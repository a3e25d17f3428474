"""How a person picker shows a user, and finds them back from what was typed."""

import re

from django.contrib.auth import get_user_model

_EMAIL_IN_BRACKETS = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*$")


def display_name(display_name: str, first_name: str, last_name: str, username: str) -> str:
    """How a user is named: the name they chose, else their full name, else their login."""
    return display_name or f"{first_name} {last_name}".strip() or username


def person_label(user) -> str:
    """The text a person picker shows and sends back for a user."""
    return f"{user.get_display_name()} <{user.email}>"


def person_hint(user) -> str:
    """What tells two namesakes apart in a picker's list: name, department and e-mail."""
    name = user.display_name or user.get_full_name()
    return " — ".join(part for part in (name, user.department, user.email) if part)


def find_person(text: str):
    """Return the active user a picker's text names (by e-mail or username), or None."""
    text = (text or "").strip()
    match = _EMAIL_IN_BRACKETS.search(text)
    key = match.group(1) if match else text
    if not key:
        return None
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(email__iexact=key).first() or users.filter(username=key).first()
