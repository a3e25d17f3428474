"""The kinds of answer a theme's own question may take: one declaration each.

A kind says which form field asks it, how its answer is kept on the ticket (as text,
labelled, in `Ticket.answers`) and when that answer meets a condition ("show this
question only when that one has the answer ..."). Adding a kind touches its
declaration here, its template if it needs one, and its tests.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import PersonField
from core.people import person_label

YES, NO = "yes", "no"


def _as_text(value, field) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _same_answer(answer, expected: str) -> bool:
    """An answer (or any of several) equals the expected one, whatever the case."""
    answers = answer if isinstance(answer, list) else [answer]
    expected = expected.strip().casefold()
    return any(str(a or "").strip().casefold() == expected for a in answers)


def _yes_or_no(answer, expected: str) -> bool:
    # Admins write the condition in French or in English.
    expected = {"oui": YES, "non": NO}.get(expected.strip().casefold(), expected)
    return _same_answer(answer, expected)


def _choices(question) -> list[tuple[str, str]]:
    return [(c, c) for c in question.choice_list()]


@dataclass(frozen=True)
class QuestionKind:
    name: str
    label: str
    field: Callable[..., forms.Field]  # (question, **common arguments) -> a form field
    stored: Callable[..., str] = _as_text  # (cleaned value, field) -> the text kept
    matches: Callable[..., bool] = _same_answer  # (raw answer, expected text) -> bool
    needs_choices: bool = False


KINDS = [
    QuestionKind(
        "text",
        _("Short text"),
        lambda question, **common: forms.CharField(max_length=255, **common),
    ),
    QuestionKind(
        "long_text",
        _("Long text"),
        lambda question, **common: forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), **common
        ),
    ),
    QuestionKind(
        "number",
        pgettext_lazy("kind of answer", "Number"),
        lambda question, **common: forms.DecimalField(**common),
    ),
    QuestionKind(
        "date",
        _("Date"),
        lambda question, **common: forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}), **common
        ),
    ),
    QuestionKind(
        "choice",
        _("Single choice"),
        lambda question, **common: forms.ChoiceField(
            choices=_choices(question), widget=forms.RadioSelect, **common
        ),
        needs_choices=True,
    ),
    QuestionKind(
        "multiple_choice",
        _("Multiple choice"),
        lambda question, **common: forms.MultipleChoiceField(
            choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common
        ),
        needs_choices=True,
    ),
    QuestionKind(
        "yes_no",
        _("Yes / no"),
        lambda question, **common: forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common
        ),
        matches=_yes_or_no,
    ),
    QuestionKind(
        "person",
        _("Person"),
        lambda question, **common: PersonField(**common),
        stored=lambda person, field: person_label(person),
    ),
]
BY_NAME = {kind.name: kind for kind in KINDS}
Kind = models.TextChoices("Kind", [(k.name.upper(), (k.name, k.label)) for k in KINDS])
