import datetime
from decimal import Decimal

import pytest

from portal.models import ThemeQuestion
from portal.questions import BY_NAME, KINDS, Kind
from tests.factories import UserFactory


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_every_kind_builds_its_field(kind):
    question = ThemeQuestion(label="Q", kind=kind.name, choices="Un\nDeux")
    field = kind.field(question, label="Q", help_text="", required=False)
    assert field.label == "Q"
    assert question.kind_of_answer is kind


def test_the_admin_choices_are_the_declared_kinds():
    assert [value for value, _label in Kind.choices] == [kind.name for kind in KINDS]


def test_answers_are_kept_as_the_text_people_read(db):
    person = UserFactory(first_name="Léa", last_name="Roux", email="lea@univ.example")
    question = ThemeQuestion(label="Q", kind="choice", choices="Un\nDeux")
    choice = BY_NAME["choice"].field(question, label="Q")
    assert BY_NAME["choice"].stored("Deux", choice) == "Deux"
    assert BY_NAME["multiple_choice"].stored(["Un", "Deux"], None) == "Un, Deux"
    assert BY_NAME["date"].stored(datetime.date(2026, 12, 2), None) == "2026-12-02"
    assert BY_NAME["number"].stored(Decimal("2.5"), None) == "2.5"
    assert BY_NAME["person"].stored(person, None) == "Léa Roux <lea@univ.example>"


def test_a_yes_no_condition_may_be_written_in_french():
    assert BY_NAME["yes_no"].matches("yes", "Oui")
    assert not BY_NAME["yes_no"].matches("no", "oui")
    assert BY_NAME["multiple_choice"].matches(["Un", "Deux"], "deux")
    assert not BY_NAME["text"].matches("", "x")
