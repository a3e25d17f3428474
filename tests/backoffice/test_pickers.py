import pytest
from django.urls import reverse

from tests.factories import (
    CategoryFactory,
    LocationFactory,
    TeamFactory,
    UserFactory,
    make_technician,
    make_ticket,
)
from tickets import services


@pytest.fixture
def tech_client(client, team):
    client.force_login(make_technician(team, username="karim", first_name="Karim"))
    return client


def options(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"')[0] for part in html.split('value="')[1:]]


def test_the_pickers_search_technicians_teams_categories_and_places(tech_client, team):
    make_technician(TeamFactory(name="DSIN - Réseau"), first_name="Nadia", last_name="Laurent")
    UserFactory(first_name="Nadine", last_name="Requérante")  # in no team: not a technician
    CategoryFactory(name="Réseau filaire")
    LocationFactory(name="Bâtiment Réseaux")

    def lookup(kind, q):
        return options(tech_client.get(reverse("backoffice:lookup", args=[kind]), {"q": q}))

    assert [o.split(" &lt;")[0] for o in lookup("technicians", "nad")] == ["Nadia Laurent"]
    assert lookup("teams", "réseau") == ["DSIN - Réseau"]
    assert lookup("categories", "filaire") == ["Réseau filaire"]
    assert lookup("places", "bâtiment rés") == ["Bâtiment Réseaux"]


def test_an_unknown_picker_and_a_requester_get_404(client, tech_client, requester):
    assert tech_client.get(reverse("backoffice:lookup", args=["people"])).status_code == 404
    client.force_login(requester)
    assert client.get(reverse("backoffice:lookup", args=["teams"])).status_code == 404


def test_the_ticket_page_lists_no_technician_team_category_or_place(tech_client, ticket, team):
    for index in range(30):
        make_technician(team, last_name=f"Technicien {index}")
        CategoryFactory(name=f"Catégorie {index}")
        LocationFactory(name=f"Salle {index}")
    html = tech_client.get(reverse("backoffice:ticket", args=[ticket.pk])).content.decode()
    assert "Technicien 7" not in html and "Catégorie 7" not in html and "Salle 7" not in html
    assert "<select" not in html.split('name="fields-category"')[0][-200:]


def test_a_ticket_is_given_through_the_picker_by_name(tech_client, ticket, team):
    nadia = make_technician(team, first_name="Nadia", last_name="Laurent", email="n@univ.example")
    response = tech_client.post(
        reverse("backoffice:assign", args=[ticket.pk]),
        {"assign-assignee": "Nadia Laurent <n@univ.example>"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == nadia


def test_a_name_not_in_the_list_is_refused_by_name(tech_client, ticket):
    response = tech_client.post(
        reverse("backoffice:assign", args=[ticket.pk]), {"assign-assignee": "Personne Inconnue"}
    )
    assert response.status_code == 400
    assert "Choisissez dans la liste" in response.content.decode()


def test_the_open_count_costs_one_query_after_the_login(client, ticket, technician):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets import services

    services.ticket_take(ticket=ticket, actor=technician)
    client.force_login(technician)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("backoffice:open-count"))
    assert response.json() == {"mine": 1}
    assert len(queries) == 3  # the session, the user, the count


def test_an_expert_who_is_no_technician_cannot_list_technicians(client, team):
    expert = UserFactory()
    technician = make_technician(team)
    ticket = make_ticket(team=team)
    services.task_add(ticket=ticket, author=technician, content="x", assigned_user=expert)
    client.force_login(expert)
    url = reverse("backoffice:lookup", args=["technicians"])
    assert client.get(url, {"q": technician.last_name[:3]}).status_code == 404
