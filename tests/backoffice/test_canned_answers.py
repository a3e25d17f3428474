"""Canned answers in the back office: management pages, the composer's picker, usage."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from replies.models import CannedAnswer
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician, make_ticket
from tickets.models import Followup, Solution, TeamMembership

Usage = CannedAnswer.Usage


def answer(team=None, **kwargs):
    kwargs.setdefault("title", "Réponse")
    kwargs.setdefault("body", "<p>Bonjour {demandeur}, ticket {numero}</p>")
    return CannedAnswer.objects.create(team=team, **kwargs)


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="DFA - Finances")


@pytest.fixture
def technician(team):
    return make_technician(team, username="karim", first_name="Karim", last_name="Moreau")


@pytest.fixture
def ticket(team):
    requester = UserFactory(first_name="Claire", last_name="Martin")
    theme = ThemeFactory(name="Messagerie")
    return make_ticket(requester=requester, team=team, theme=theme, title="Boîte pleine")


@pytest.fixture
def tech_client(client, technician):
    client.force_login(technician)
    return client


def picker(client, ticket, kind="followup", q="", htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    params = {"ticket": ticket.pk, "kind": kind, "q": q}
    return client.get(reverse("backoffice:canned-picker"), params, headers=headers)


def edit_data(**overrides):
    data = {"title": "Boîte pleine", "body": "Videz la corbeille, {demandeur}.",
            "usable_for": "followup", "team": "", "is_active": "on"}  # fmt: skip
    data.update(overrides)
    return data


class TestPicker:
    def test_it_lists_usable_answers_filled_for_the_ticket_most_used_first(
        self, tech_client, ticket, team, other_team
    ):
        answer(team, title="Peu utilisée", usage_count=1)
        answer(title="Globale très utilisée", usage_count=7)
        answer(other_team, title="Des finances", usage_count=50)
        answer(team, title="Solution seulement", usable_for=Usage.SOLUTION)
        response = picker(tech_client, ticket)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html  # a partial for htmx
        assert [a.title for a, _text in response.context["found"]] == [
            "Globale très utilisée",
            "Peu utilisée",
        ]
        assert f"Bonjour Claire Martin, ticket {ticket.pk}" in html
        assert 'data-canned-text="&lt;p&gt;Bonjour Claire Martin' in html

    def test_it_filters_by_the_words_typed(self, tech_client, ticket, team):
        answer(team, title="Mot de passe oublié")
        answer(team, title="Imprimante")
        response = picker(tech_client, ticket, q="passe")
        assert [a.title for a, _text in response.context["found"]] == ["Mot de passe oublié"]

    def test_without_javascript_it_is_a_page_whose_links_fill_the_form(
        self, tech_client, ticket, team
    ):
        chosen = answer(team, title="Boîte pleine")
        response = picker(tech_client, ticket, q="boîte", htmx=False)
        html = response.content.decode()
        assert "<html" in html
        link = f"/intervention/tickets/{ticket.pk}/?canned={chosen.pk}&amp;kind=followup"
        assert link in html
        page = tech_client.get(
            reverse("backoffice:ticket", args=[ticket.pk]),
            {"canned": chosen.pk, "kind": "followup"},
        )
        form = page.context["forms"]["followup"]
        assert form["content"].value() == f"<p>Bonjour Claire Martin, ticket {ticket.pk}</p>"
        assert form["canned"].value() == chosen.pk
        assert re.search(
            r'<textarea name="solution-content"[^>]*>\n</textarea>', page.content.decode()
        )

    def test_a_foreign_or_forged_answer_fills_nothing(self, tech_client, ticket, other_team):
        foreign = answer(other_team)
        url = reverse("backoffice:ticket", args=[ticket.pk])
        for params in (
            {"canned": foreign.pk, "kind": "followup"},
            {"canned": "abc", "kind": "followup"},
            {"canned": foreign.pk, "kind": "<script>"},
        ):
            page = tech_client.get(url, params)
            assert page.status_code == 200
            assert re.search(
                r'<textarea name="followup-content"[^>]*>\n</textarea>', page.content.decode()
            )

    def test_another_teams_ticket_is_404(self, tech_client, other_team):
        elsewhere = make_ticket(team=other_team)
        assert picker(tech_client, elsewhere).status_code == 404

    def test_another_teams_answers_never_show(self, tech_client, ticket, other_team):
        answer(other_team, title="Des finances")
        response = picker(tech_client, ticket, q="finances")
        assert response.context["found"] == []
        assert "Des finances" not in response.content.decode()

    def test_a_requester_gets_404(self, client, ticket, team):
        answer(team)
        client.force_login(ticket.requester)
        assert picker(client, ticket).status_code == 404

    @pytest.mark.parametrize(
        "params",
        [{}, {"ticket": "x", "kind": "followup"}, {"ticket": "1", "kind": "task"},
         {"ticket": "99999999", "kind": "followup"},
         {"ticket": "1", "kind": "followup", "q": "x" * 500}],
    )  # fmt: skip
    def test_odd_input_is_404_never_500(self, tech_client, ticket, params):
        response = tech_client.get(reverse("backoffice:canned-picker"), params)
        assert response.status_code == 404

    def test_the_ticket_page_carries_both_pickers(self, tech_client, ticket):
        html = tech_client.get(reverse("backoffice:ticket", args=[ticket.pk])).content.decode()
        assert 'data-canned-target="id_followup-content"' in html
        assert 'data-canned-target="id_solution-content"' in html
        assert 'id="id_followup-canned"' in html


class TestUsage:
    def test_a_followup_sent_from_an_answer_counts_one_use(self, tech_client, ticket, team):
        used = answer(team)
        response = tech_client.post(
            reverse("backoffice:followup", args=[ticket.pk]),
            {"followup-content": "Bonjour", "followup-canned": used.pk},
        )
        assert response.status_code == 302
        used.refresh_from_db()
        assert used.usage_count == 1
        assert Followup.objects.filter(ticket=ticket).count() == 1

    def test_a_solution_sent_from_an_answer_counts_one_use(self, tech_client, ticket, team):
        used = answer(team, usable_for=Usage.SOLUTION)
        response = tech_client.post(
            reverse("backoffice:solution", args=[ticket.pk]),
            {"solution-content": "Corbeille vidée", "solution-canned": used.pk},
        )
        assert response.status_code == 302
        assert Solution.objects.filter(ticket=ticket).exists()
        used.refresh_from_db()
        assert used.usage_count == 1

    def test_a_forged_id_counts_nothing_and_the_followup_is_still_sent(
        self, tech_client, ticket, other_team
    ):
        foreign = answer(other_team)
        for forged in (foreign.pk, "abc", "99999999", ""):
            response = tech_client.post(
                reverse("backoffice:followup", args=[ticket.pk]),
                {"followup-content": "Bonjour", "followup-canned": forged},
            )
            assert response.status_code == 302
        foreign.refresh_from_db()
        assert foreign.usage_count == 0
        assert Followup.objects.filter(ticket=ticket).count() == 4

    def test_a_refused_followup_counts_nothing(self, tech_client, ticket, team):
        used = answer(team)
        response = tech_client.post(
            reverse("backoffice:followup", args=[ticket.pk]),
            {"followup-content": "<p> </p>", "followup-canned": used.pk},
        )
        assert response.status_code == 400
        used.refresh_from_db()
        assert used.usage_count == 0

    def test_a_followup_only_answer_does_not_count_for_a_solution(self, tech_client, ticket, team):
        used = answer(team, usable_for=Usage.FOLLOWUP)
        tech_client.post(
            reverse("backoffice:solution", args=[ticket.pk]),
            {"solution-content": "Corbeille vidée", "solution-canned": used.pk},
        )
        used.refresh_from_db()
        assert used.usage_count == 0


class TestManagementPages:
    def test_a_technician_creates_an_answer_for_their_team(self, tech_client, technician, team):
        response = tech_client.get(reverse("backoffice:canned-create"))
        assert response.status_code == 200
        team_field = response.context["form"].fields["team"]
        assert list(team_field.queryset) == [team]
        assert team_field.required  # no global answer for a plain technician
        response = tech_client.post(
            reverse("backoffice:canned-create"), edit_data(team=team.pk, body_format="html")
        )
        assert response.status_code == 302
        created = CannedAnswer.objects.get()
        assert (created.team, created.created_by, created.usable_for) == (
            team,
            technician,
            "followup",
        )
        assert created.is_active

    def test_a_plain_technician_may_not_create_a_global_answer(self, tech_client):
        response = tech_client.post(reverse("backoffice:canned-create"), edit_data())
        assert response.status_code == 400
        assert not CannedAnswer.objects.exists()

    def test_a_technician_may_not_create_one_for_another_team(self, tech_client, other_team):
        response = tech_client.post(
            reverse("backoffice:canned-create"), edit_data(team=other_team.pk)
        )
        assert response.status_code == 400
        assert not CannedAnswer.objects.exists()

    def test_a_supervisor_creates_a_global_answer_from_plain_text(self, client, team):
        client.force_login(make_technician(team, supervisor=True))
        response = client.post(
            reverse("backoffice:canned-create"),
            edit_data(body="Bonjour {demandeur},\n<script>x</script>merci."),
        )
        assert response.status_code == 302
        created = CannedAnswer.objects.get()
        assert created.team is None
        assert "<script" not in created.body  # plain text: shown as typed, never run
        assert "{demandeur}" in created.body

    def test_the_form_lists_the_placeholders(self, tech_client):
        html = tech_client.get(reverse("backoffice:canned-create")).content.decode()
        for name in ("{demandeur}", "{numero}", "{theme}", "{technicien}", "{lien}"):
            assert name in html

    def test_a_technician_edits_their_teams_answer(self, tech_client, team):
        mine = answer(team, title="Ancien")
        url = reverse("backoffice:canned-edit", args=[mine.pk])
        assert tech_client.get(url).status_code == 200
        response = tech_client.post(url, edit_data(title="Nouveau", team=team.pk))
        assert response.status_code == 302
        mine.refresh_from_db()
        assert mine.title == "Nouveau"

    def test_another_teams_answer_is_404_to_edit_and_deactivate(self, tech_client, other_team):
        foreign = answer(other_team, title="Des finances")
        for name in ("canned-edit", "canned-deactivate"):
            url = reverse(f"backoffice:{name}", args=[foreign.pk])
            assert tech_client.get(url).status_code == 404
            assert tech_client.post(url, edit_data(team=other_team.pk)).status_code == 404
        foreign.refresh_from_db()
        assert (foreign.title, foreign.is_active) == ("Des finances", True)

    def test_a_global_answer_is_404_to_a_plain_technician(self, tech_client):
        assert (
            tech_client.get(reverse("backoffice:canned-edit", args=[answer().pk])).status_code
            == 404
        )

    def test_deactivating_asks_then_keeps_the_answer_inactive(self, tech_client, team):
        mine = answer(team)
        url = reverse("backoffice:canned-deactivate", args=[mine.pk])
        assert tech_client.get(url).status_code == 200
        mine.refresh_from_db()
        assert mine.is_active  # asking is not doing
        assert tech_client.post(url).status_code == 302
        mine.refresh_from_db()
        assert not mine.is_active
        listing = tech_client.get(reverse("backoffice:canned-list")).content.decode()
        assert "Inactive" in listing

    def test_an_inactive_answer_can_be_made_active_again(self, tech_client, team):
        mine = answer(team, is_active=False)
        tech_client.post(
            reverse("backoffice:canned-edit", args=[mine.pk]),
            edit_data(team=team.pk, is_active="on"),
        )
        mine.refresh_from_db()
        assert mine.is_active

    def test_the_list_shows_what_one_manages_and_searches(self, tech_client, team, other_team):
        answer(team, title="Boîte pleine")
        answer(team, title="Mot de passe")
        answer(other_team, title="Des finances")
        answer(title="Globale")
        response = tech_client.get(reverse("backoffice:canned-list"))
        assert [a.title for a in response.context["answers"]] == ["Boîte pleine", "Mot de passe"]
        response = tech_client.get(reverse("backoffice:canned-list"), {"q": "passe"})
        assert [a.title for a in response.context["answers"]] == ["Mot de passe"]

    def test_a_requester_gets_404_on_every_page(self, client, team):
        mine = answer(team)
        client.force_login(UserFactory())
        for url in (
            reverse("backoffice:canned-list"),
            reverse("backoffice:canned-create"),
            reverse("backoffice:canned-edit", args=[mine.pk]),
            reverse("backoffice:canned-deactivate", args=[mine.pk]),
        ):
            assert client.get(url).status_code == 404

    def test_an_expert_without_a_team_gets_404(self, client, ticket, technician):
        from tickets import services

        expert = UserFactory()
        services.task_add(ticket=ticket, author=technician, content="Voir", assigned_user=expert)
        client.force_login(expert)
        assert client.get(reverse("backoffice:canned-list")).status_code == 404

    @pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "99999"}, {"q": "x" * 500}])
    def test_odd_list_parameters_never_give_a_500(self, tech_client, params):
        assert tech_client.get(reverse("backoffice:canned-list"), params).status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_list_query_count_does_not_grow_with_rows(client, team, count):
    second = TeamFactory()
    technician = make_technician(team)
    TeamMembership.objects.create(team=second, user=technician)
    for index in range(count):
        answer([team, second][index % 2], title=f"Réponse {index:02}")
    client.force_login(technician)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("backoffice:canned-list"))
    assert len(response.context["answers"]) == count
    assert len(queries) == LIST_QUERIES, [q["sql"] for q in queries]


LIST_QUERIES = 5  # session, user, memberships, count, the page of answers


def test_the_admin_lists_and_edits_answers(admin_client, team):
    one = answer(team, title="Boîte pleine")
    response = admin_client.get(reverse("admin:replies_cannedanswer_changelist"))
    assert response.status_code == 200
    assert "Boîte pleine" in response.content.decode()
    response = admin_client.post(
        reverse("admin:replies_cannedanswer_change", args=[one.pk]),
        {"title": "Boîte pleine", "body": "<p>ok<script>x</script></p>", "usable_for": "both",
         "team": team.pk, "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.body == "<p>ok</p>"
    response = admin_client.post(
        reverse("admin:replies_cannedanswer_add"),
        {"title": "Globale", "body": "<p>{lien}</p>", "usable_for": "solution", "team": ""},
    )
    assert response.status_code == 302
    created = CannedAnswer.objects.get(title="Globale")
    assert created.team is None
    assert created.created_by is not None
