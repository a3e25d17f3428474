"""Saved searches as the queue's tabs, the active filters' chips and the filters' fold."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from backoffice import services as back_office_services
from backoffice.models import SavedSearch
from core.errors import DomainError
from tests.factories import LocationFactory, TeamFactory, make_technician, make_ticket


@pytest.fixture(autouse=True)
def french_afterwards():
    # The profile's English stays active in this thread after a request: give it back.
    with translation.override("fr"):
        yield


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def technician(team):
    # In English: the page's new words read the same before and after their translation.
    return make_technician(team, username="karim", language="en")


@pytest.fixture
def colleague(team):
    return make_technician(team, username="lea")


@pytest.fixture
def outsider(db):
    return make_technician(TeamFactory(name="DSIN - Réseau"), username="omar")


def save(client, name="Urgents", queue="team", query="priority=5", team=""):
    data = {"name": name, "queue": queue, "query": query, "team": team.pk if team else ""}
    return client.post(reverse("backoffice:saved-search-create"), data)


def tab_names(response):
    return [tab["search"].name for tab in response.context["saved_tabs"]]


def queue_page(client, name="team", query=""):
    return client.get(reverse("backoffice:queue", args=[name]) + "?" + query)


class TestSavedSearches:
    def test_a_technician_saves_the_filters_as_a_private_tab_with_its_count(
        self, client, team, technician
    ):
        make_ticket(team=team, title="Urgent", urgency=5, impact=5)
        make_ticket(team=team, title="Calme")
        client.force_login(technician)
        response = save(client, query="priority=5&sort=oldest&page=3&nonsense=1")
        search = SavedSearch.objects.get()
        assert response["Location"] == reverse("backoffice:saved-search", args=[search.pk])
        assert (search.owner, search.team, search.queue) == (technician, None, "team")
        assert search.query == "priority=5&sort=oldest"  # what the filters' form accepts
        page = client.get(response["Location"])
        assert [row.title for row in page.context["rows"]] == ["Urgent"]
        assert page.context["saved_tabs"][0]["count"] == 1
        assert "1 ticket" in page.content.decode()

    def test_another_team_never_sees_a_private_search_nor_one_shared_elsewhere(
        self, client, team, technician, colleague, outsider
    ):
        private = SavedSearch.objects.create(owner=technician, name="À moi", query="type=request")
        shared = SavedSearch.objects.create(owner=technician, name="Équipe", team=team)
        client.force_login(colleague)
        assert tab_names(queue_page(client)) == ["Équipe"]
        assert client.get(reverse("backoffice:saved-search", args=[private.pk])).status_code == 404
        assert client.get(reverse("backoffice:saved-search", args=[shared.pk])).status_code == 200
        client.force_login(outsider)
        assert tab_names(queue_page(client)) == []
        for search in (private, shared):
            url = reverse("backoffice:saved-search", args=[search.pk])
            assert client.get(url).status_code == 404

    def test_a_forged_or_unknown_id_answers_404(self, client, technician):
        client.force_login(technician)
        assert client.get("/intervention/recherches/999999/").status_code == 404
        assert client.get("/intervention/recherches/abc/").status_code == 404
        url = reverse("backoffice:saved-search-delete", args=[999999])
        assert client.post(url).status_code == 404

    def test_a_search_is_shared_only_with_one_of_ones_teams(self, client, technician, outsider):
        other_team = outsider.teams.get()
        client.force_login(technician)
        response = save(client, team=other_team)
        assert response.status_code == 302
        assert not SavedSearch.objects.exists()
        with pytest.raises(DomainError):
            back_office_services.saved_search_create(
                owner=technician, name="x", queue="team", query="", team=other_team
            )

    def test_a_queue_one_may_not_open_is_refused(self, client, technician):
        client.force_login(technician)
        save(client, queue="all")  # "Tous" is for supervisors
        assert not SavedSearch.objects.exists()

    def test_the_owner_deletes_it_and_a_team_member_cannot(
        self, client, team, technician, colleague
    ):
        search = SavedSearch.objects.create(owner=technician, name="Équipe", team=team)
        url = reverse("backoffice:saved-search-delete", args=[search.pk])
        client.force_login(colleague)
        page = client.get(reverse("backoffice:saved-search", args=[search.pk]))
        assert not page.context["may_delete"]
        assert "Delete this search" not in page.content.decode()
        assert client.post(url).status_code == 404
        assert SavedSearch.objects.filter(pk=search.pk).exists()
        client.force_login(technician)
        page = client.get(reverse("backoffice:saved-search", args=[search.pk]))
        assert "Delete this search" in page.content.decode()
        assert client.post(url).status_code == 302
        assert not SavedSearch.objects.exists()

    def test_a_stale_filter_is_dropped_when_the_search_is_used(self, client, team, technician):
        gone = TeamFactory(name="Dissoute")
        search = SavedSearch.objects.create(
            owner=technician, name="Vieille", query=f"team={gone.pk}&type=request"
        )
        gone.is_active = False
        gone.save()
        make_ticket(team=team, title="Demande", type="request")
        client.force_login(technician)
        page = client.get(reverse("backoffice:saved-search", args=[search.pk]))
        assert page.status_code == 200
        assert [row.title for row in page.context["rows"]] == ["Demande"]

    def test_tab_counts_cost_one_count_each(self, client, team, technician, colleague):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(technician)
        queue_page(client)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                queue_page(client)
            return len(captured)

        before = queries()
        for index in range(3):
            SavedSearch.objects.create(owner=technician, name=f"S{index}", query="type=request")
        assert queries() == before + 3


class TestChipsAndFold:
    def test_a_chip_removes_its_filter_only(self, client, team, technician):
        network = TeamFactory(name="DSIN - Réseau")
        client.force_login(technician)
        response = queue_page(client, query=f"team={network.name}&type=request&status=1&status=2")
        chips = {chip["value"]: chip["url"] for chip in response.context["chips"]}
        assert set(chips) == {"DSIN - Réseau", "Request", "New", "In progress (assigned)"}
        assert "team=" not in chips["DSIN - Réseau"] and "type=request" in chips["DSIN - Réseau"]
        assert "status=1" not in chips["New"] and "status=2" in chips["New"]
        html = response.content.decode()
        assert 'aria-label="Remove the filter Team: DSIN - Réseau"' in html

    def test_removing_the_last_chip_clears_the_remembered_filters(self, client, technician):
        client.force_login(technician)
        response = queue_page(client, query="type=request")
        (chip,) = response.context["chips"]
        assert chip["url"].endswith("?reset=1")
        client.get(chip["url"])
        assert queue_page(client).context["chips"] == []

    def test_the_fold_counts_the_filters_it_holds(self, client, technician):
        client.force_login(technician)
        html = queue_page(client, query="q=imprimante&type=request&priority=5").content.decode()
        assert re.search(r"<summary>\s*Filters \(2 active\)\s*</summary>", html)
        assert 'class="filters-fold"' in html
        html = queue_page(client, query="q=imprimante").content.decode()
        assert re.search(r"<summary>\s*Filters\s*</summary>", html)

    def test_the_place_shows_its_building_and_room(self, client, team, technician):
        campus = LocationFactory(name="Campus Nord")
        building = LocationFactory(name="Bâtiment A", parent=campus)
        room = LocationFactory(name="Salle 101", parent=building)
        make_ticket(team=team, location=room)
        client.force_login(technician)
        html = queue_page(client).content.decode()
        assert "Bâtiment A &gt; Salle 101" in html
        assert "Campus Nord &gt;" not in html
