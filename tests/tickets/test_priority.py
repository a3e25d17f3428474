import pytest

from tickets.models import PRIORITY_MATRIX, Level, Priority, compute_priority


def test_the_matrix_covers_every_urgency_and_impact():
    assert set(PRIORITY_MATRIX) == set(Level.values)
    for row in PRIORITY_MATRIX.values():
        assert set(row) == set(Level.values)
        assert set(row.values()) <= set(Priority.values)


@pytest.mark.parametrize("level", Level.values)
def test_priority_never_drops_when_urgency_or_impact_rises(level):
    for other in Level.values[:-1]:
        assert compute_priority(level, other) <= compute_priority(level, other + 1)
        assert compute_priority(other, level) <= compute_priority(other + 1, level)


@pytest.mark.parametrize(
    ("urgency", "impact", "priority"),
    [(1, 1, Priority.VERY_LOW), (3, 3, Priority.MEDIUM), (5, 5, Priority.VERY_HIGH), (5, 1, 3)],
)
def test_known_points(urgency, impact, priority):
    assert compute_priority(urgency, impact) == priority


def test_major_is_never_computed_only_chosen():
    computed = {value for row in PRIORITY_MATRIX.values() for value in row.values()}
    assert Priority.MAJOR not in computed


def test_labels_are_french_by_default():
    from django.utils.translation import override

    with override("fr"):
        assert [str(label) for label in Level.labels] == [
            "Très basse",
            "Basse",
            "Moyenne",
            "Haute",
            "Très haute",
        ]
