"""The kinds of link between two tickets, as GLPI has them, read from both ends.

A link is stored once, from one ticket to another ("A parent_of B"); each kind names
what it says on the ticket it starts from and on the ticket it points to ("B: child of
A"). A new kind is declared here (and in the model's choices, which read this list);
the services, the pages and the history take their words from it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LinkKind:
    name: str  # stored on the link
    label: str  # on the ticket the link starts from: "A parent of B"
    inverse_name: str  # the same link, chosen from the other end
    inverse_label: str  # on the ticket it points to: "B child of A"

    @property
    def symmetric(self) -> bool:
        return self.name == self.inverse_name


RELATED = "related"
DUPLICATE_OF = "duplicate_of"
PARENT_OF = "parent_of"

KINDS = [
    LinkKind(RELATED, _("Related to"), RELATED, _("Related to")),
    LinkKind(DUPLICATE_OF, _("Duplicate of"), "has_duplicate", _("Has for duplicate")),
    LinkKind(PARENT_OF, _("Parent of"), "child_of", _("Child of")),
]
BY_NAME = {kind.name: kind for kind in KINDS}


def model_choices() -> list[tuple[str, str]]:
    """The kinds as the model stores them."""
    return [(kind.name, kind.label) for kind in KINDS]


def direction_choices() -> list[tuple[str, str]]:
    """What a technician may say of the ticket they are on: both ends of each kind."""
    choices = []
    for kind in KINDS:
        choices.append((kind.name, kind.label))
        if not kind.symmetric:
            choices.append((kind.inverse_name, kind.inverse_label))
    return choices


def resolve(direction: str) -> tuple[LinkKind, bool]:
    """The kind a direction names, and whether the link points to the ticket one is on.

    Raise KeyError for a name that is not declared.
    """
    for kind in KINDS:
        if direction == kind.name:
            return kind, False
        if direction == kind.inverse_name:
            return kind, True
    raise KeyError(direction)


def label(kind_name: str, *, incoming: bool) -> str:
    """What the link says on one of its ends: the start (incoming=False) or the target."""
    kind = BY_NAME[kind_name]
    return kind.inverse_label if incoming else kind.label


def history_value(kind_name: str, other_pk: int, *, incoming: bool) -> str:
    """A link as History keeps it on one end: the direction's name and the other number."""
    kind = BY_NAME[kind_name]
    return f"{kind.inverse_name if incoming else kind.name} #{other_pk}"


def history_label(raw: str) -> str:
    """A History value of a link in words ("child_of #12" → "Child of #12")."""
    direction, _sep, number = raw.partition(" ")
    try:
        kind, incoming = resolve(direction)
    except KeyError:
        return raw
    return f"{kind.inverse_label if incoming else kind.label} {number}"
