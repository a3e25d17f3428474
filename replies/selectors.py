"""Reads of canned answers: the picker's suggestions and the management list."""

from django.db.models import Q, QuerySet

from . import permissions, placeholders
from .models import CannedAnswer

PICKER_SIZE = 10


def _matching(answers: QuerySet, text: str) -> QuerySet:
    for word in text.split()[:10]:
        answers = answers.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return answers


def usable_answers(user, *, kind: str, text: str = "") -> QuerySet:
    """The answers the user may use in this form, matching every word typed, most used first."""
    answers = CannedAnswer.objects.filter(permissions.usable_q(user, kind))
    return _matching(answers, text).order_by("-usage_count", "title", "pk")


def suggestions(user, *, ticket, kind: str, text: str = "") -> list[tuple[CannedAnswer, str]]:
    """At most ten answers for the picker, each with its text rendered for the ticket."""
    found = usable_answers(user, kind=kind, text=text)[:PICKER_SIZE]
    return [
        (answer, placeholders.render(answer.body, ticket=ticket, user=user)) for answer in found
    ]


def managed_answers(user, *, text: str = "") -> QuerySet:
    """The answers the user manages, the inactive ones last, then by title."""
    answers = CannedAnswer.objects.filter(permissions.manageable_q(user)).select_related("team")
    return _matching(answers, text).order_by("-is_active", "title", "pk")
