"""Who uses and manages canned answers, the picker's order, and the usage count."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from replies import permissions, selectors, services
from replies.errors import ReplyError
from replies.models import CannedAnswer
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket

Usage = CannedAnswer.Usage


def answer(team=None, **kwargs):
    kwargs.setdefault("title", "Réponse")
    kwargs.setdefault("body", "<p>Bonjour {demandeur}</p>")
    return CannedAnswer.objects.create(team=team, **kwargs)


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="DFA - Finances")


@pytest.fixture
def technician(team):
    return make_technician(team)


@pytest.fixture
def supervisor(team):
    return make_technician(team, supervisor=True)


def titles(user, kind="followup", text=""):
    return [a.title for a in selectors.usable_answers(user, kind=kind, text=text)]


class TestUsing:
    def test_one_uses_the_global_answers_and_those_of_ones_teams(
        self, technician, team, other_team
    ):
        answer(title="Globale")
        answer(team, title="Messagerie")
        answer(other_team, title="Finances")
        answer(team, title="Inactive", is_active=False)
        assert sorted(titles(technician)) == ["Globale", "Messagerie"]

    def test_the_form_decides_which_answers_are_offered(self, technician, team):
        answer(team, title="Suivi", usable_for=Usage.FOLLOWUP)
        answer(team, title="Solution", usable_for=Usage.SOLUTION)
        answer(team, title="Les deux", usable_for=Usage.BOTH)
        assert sorted(titles(technician, "followup")) == ["Les deux", "Suivi"]
        assert sorted(titles(technician, "solution")) == ["Les deux", "Solution"]

    def test_the_most_used_come_first_then_by_title(self, technician, team):
        answer(team, title="B", usage_count=3)
        answer(title="A", usage_count=3)
        answer(team, title="C", usage_count=9)
        answer(team, title="D")
        assert titles(technician) == ["C", "A", "B", "D"]

    def test_every_word_typed_must_match_the_title_or_the_text(self, technician, team):
        answer(team, title="Mot de passe", body="<p>Réinitialisez sur le portail</p>")
        answer(team, title="Imprimante", body="<p>Redémarrez le portail</p>")
        assert titles(technician, text="portail passe") == ["Mot de passe"]
        assert sorted(titles(technician, text="PORTAIL")) == ["Imprimante", "Mot de passe"]

    def test_the_picker_gives_at_most_ten_answers_each_filled_for_the_ticket(
        self, technician, team
    ):
        for index in range(12):
            answer(team, title=f"R{index:02}", body="<p>Ticket {numero}</p>")
        ticket = make_ticket(team=team)
        found = selectors.suggestions(technician, ticket=ticket, kind="followup")
        assert len(found) == 10
        assert {text for _answer, text in found} == {f"<p>Ticket {ticket.pk}</p>"}

    def test_a_requester_or_an_inactive_technician_uses_nothing_of_a_team(self, team, technician):
        answer(team, title="Messagerie")
        assert titles(UserFactory()) == []
        technician.is_active = False
        assert titles(technician) == []


class TestUsageCount:
    def test_a_use_counts_once(self, technician, team):
        used = answer(team)
        assert services.canned_answer_used(answer_id=used.pk, user=technician, kind="followup")
        used.refresh_from_db()
        assert used.usage_count == 1

    def test_a_forged_or_foreign_id_counts_nothing(self, technician, other_team):
        foreign = answer(other_team)
        inactive = answer(is_active=False)
        solution_only = answer(usable_for=Usage.SOLUTION)
        for answer_id in (foreign.pk, inactive.pk, solution_only.pk, 999_999, None):
            assert not services.canned_answer_used(
                answer_id=answer_id, user=technician, kind="followup"
            )
        assert set(CannedAnswer.objects.values_list("usage_count", flat=True)) == {0}

    def test_the_count_is_one_update_of_the_row(self, technician, team):
        used = answer(team, usage_count=41)
        with CaptureQueriesContext(connection) as queries:
            services.canned_answer_used(answer_id=used.pk, user=technician, kind="solution")
        touching = [q["sql"] for q in queries if "replies_cannedanswer" in q["sql"]]
        assert len(touching) == 1
        assert touching[0].startswith("UPDATE")
        used.refresh_from_db()
        assert used.usage_count == 42


class TestManaging:
    def test_a_teams_technicians_manage_its_answers_not_the_global_ones(
        self, technician, team, other_team
    ):
        assert permissions.can_manage(technician, answer(team))
        assert not permissions.can_manage(technician, answer(other_team))
        assert not permissions.can_manage(technician, answer())

    def test_supervisors_and_admins_manage_the_global_ones(self, supervisor, other_team):
        admin = UserFactory(is_superuser=True, is_staff=True)
        assert permissions.can_manage(supervisor, answer())
        assert not permissions.can_manage(supervisor, answer(other_team))
        assert permissions.can_manage(admin, answer(other_team))

    def test_a_requester_manages_nothing(self, team):
        requester = UserFactory()
        assert not permissions.may_manage_any(requester)
        assert not permissions.can_manage(requester, answer(team))
        assert not CannedAnswer.objects.filter(permissions.manageable_q(requester)).exists()

    def test_saving_cleans_the_text_and_keeps_the_author(self, technician, team):
        saved = services.canned_answer_save(
            answer=None,
            author=technician,
            title=" Boîte pleine ",
            body="<p>Videz la corbeille<script>x</script></p>",
            usable_for=Usage.FOLLOWUP,
            team=team,
        )
        assert (saved.title, saved.body, saved.created_by) == (
            "Boîte pleine",
            "<p>Videz la corbeille</p>",
            technician,
        )

    def test_an_empty_text_is_refused(self, technician, team):
        with pytest.raises(ReplyError):
            services.canned_answer_save(
                answer=None,
                author=technician,
                title="Vide",
                body="<p> <script>x</script></p>",
                usable_for=Usage.BOTH,
                team=team,
            )

    def test_one_may_not_move_an_answer_to_another_team_or_make_it_global(
        self, technician, team, other_team
    ):
        mine = answer(team)
        for target in (other_team, None):
            with pytest.raises(PermissionDenied):
                services.canned_answer_save(
                    answer=mine,
                    author=technician,
                    title="x",
                    body="<p>x</p>",
                    usable_for=Usage.BOTH,
                    team=target,
                )
        mine.refresh_from_db()
        assert mine.team == team

    def test_deactivating_needs_the_right_to_manage(self, technician, other_team, team):
        with pytest.raises(PermissionDenied):
            services.canned_answer_deactivate(answer=answer(other_team), actor=technician)
        mine = services.canned_answer_deactivate(answer=answer(team), actor=technician)
        mine.refresh_from_db()
        assert not mine.is_active
