"""The linked tickets panel of the work page: link, unlink, merge, solve the children."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.backoffice.test_back_office import TICKET_PAGE_QUERIES
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import links, services
from tickets.models import Ticket, TicketLink

Status = Ticket.Status
with translation.override("fr"):
    NOT_FOUND = translation.gettext("No ticket you can see has this number.")


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Réseau")


@pytest.fixture
def technician(team):
    return make_technician(team, username="nadia")


@pytest.fixture
def ticket(team):
    return make_ticket(team=team, title="Pas de réseau salle 12")


@pytest.fixture
def other(team):
    return make_ticket(team=team, title="Pas de réseau salle 14")


@pytest.fixture
def tech_client(client, technician):
    client.force_login(technician)
    return client


def page_url(ticket):
    return reverse("backoffice:ticket", args=[ticket.pk])


def link(client, ticket, number, kind="related"):
    return client.post(
        reverse("backoffice:link-add", args=[ticket.pk]),
        {"link-kind": kind, "link-other": number},
    )


class TestAccess:
    def test_people_outside_the_back_office_get_404(self, client, ticket, other, technician):
        made = services.ticket_link(ticket=ticket, other=other, kind="related", actor=technician)
        client.force_login(ticket.requester)
        urls = [
            reverse("backoffice:link-add", args=[ticket.pk]),
            reverse("backoffice:link-remove", args=[ticket.pk, made.pk]),
            reverse("backoffice:merge", args=[ticket.pk]),
            reverse("backoffice:children-solution", args=[ticket.pk]),
        ]
        for url in urls:
            assert client.post(url, {"link-other": other.pk}).status_code == 404
        assert TicketLink.objects.count() == 1

    def test_a_technician_of_another_team_gets_404(self, client, ticket, other):
        client.force_login(make_technician(TeamFactory()))
        assert link(client, ticket, other.pk).status_code == 404
        response = client.post(reverse("backoffice:merge", args=[ticket.pk]), {"merge-into": 1})
        assert response.status_code == 404
        assert not TicketLink.objects.exists()

    def test_only_a_get_shows_the_page(self, tech_client, ticket):
        assert tech_client.get(reverse("backoffice:link-add", args=[ticket.pk])).status_code == 405


class TestLinks:
    def test_a_link_shows_on_both_pages_in_words_with_a_link(self, tech_client, ticket, other):
        response = link(tech_client, ticket, f"#{other.pk}", kind="parent_of")
        assert response.status_code == 302
        mine = tech_client.get(page_url(ticket)).content.decode()
        theirs = tech_client.get(page_url(other)).content.decode()
        assert str(links.BY_NAME["parent_of"].label) in mine
        assert f'href="{page_url(other)}"' in mine and other.title in mine
        assert str(links.BY_NAME["parent_of"].inverse_label) in theirs
        assert f'href="{page_url(ticket)}"' in theirs

    @pytest.mark.parametrize("number", ["999999", "abc", "", "1 OR 1=1", "9" * 40])
    def test_a_forged_number_is_a_form_error(self, tech_client, ticket, number):
        response = link(tech_client, ticket, number)
        assert response.status_code == 400
        assert not TicketLink.objects.exists()

    def test_a_ticket_one_may_not_see_reads_like_one_that_does_not_exist(self, tech_client, ticket):
        hidden = make_ticket(team=TeamFactory(), title="Secret de la présidence")
        missing = hidden.pk + 1000
        seen = link(tech_client, ticket, hidden.pk)
        unknown = link(tech_client, ticket, missing)
        assert (seen.status_code, unknown.status_code) == (400, 400)
        assert seen.context["link_forms"]["link"].errors == {"other": [NOT_FOUND]}
        assert unknown.context["link_forms"]["link"].errors == {"other": [NOT_FOUND]}
        assert hidden.title not in seen.content.decode()
        merged = tech_client.post(
            reverse("backoffice:merge", args=[ticket.pk]), {"merge-into": hidden.pk}
        )
        assert merged.status_code == 400
        assert merged.context["link_forms"]["merge"].errors == {"into": [NOT_FOUND]}
        assert not TicketLink.objects.exists()

    def test_a_refusal_comes_back_next_to_its_form(self, tech_client, ticket):
        response = link(tech_client, ticket, ticket.pk)
        assert response.status_code == 400
        assert response.context["failed"] == "link"
        assert response.context["error"]

    def test_unlink_removes_the_link(self, tech_client, ticket, other, technician):
        made = services.ticket_link(ticket=ticket, other=other, kind="related", actor=technician)
        url = reverse("backoffice:link-remove", args=[other.pk, made.pk])
        assert tech_client.post(url).status_code == 302
        assert not TicketLink.objects.exists()

    def test_a_link_of_other_tickets_is_404(self, tech_client, ticket, other, team, technician):
        third = make_ticket(team=team)
        made = services.ticket_link(ticket=other, other=third, kind="related", actor=technician)
        url = reverse("backoffice:link-remove", args=[ticket.pk, made.pk])
        assert tech_client.post(url).status_code == 404
        assert TicketLink.objects.exists()

    def test_links_to_tickets_one_may_not_see_are_not_shown(self, tech_client, ticket):
        hidden = make_ticket(team=TeamFactory(), title="Secret de la présidence")
        admin = UserFactory(is_superuser=True)
        made = services.ticket_link(ticket=ticket, other=hidden, kind="related", actor=admin)
        assert hidden.title not in tech_client.get(page_url(ticket)).content.decode()
        url = reverse("backoffice:link-remove", args=[ticket.pk, made.pk])
        assert tech_client.post(url).status_code == 404


class TestMerge:
    def test_merge_closes_the_duplicate_and_opens_the_target(self, tech_client, ticket, other):
        response = tech_client.post(
            reverse("backoffice:merge", args=[ticket.pk]),
            {"merge-into": other.pk, "merge-confirm": "on"},
        )
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED
        assert ticket.requester in other.observers.all()
        page = tech_client.get(page_url(ticket)).content.decode()
        assert str(links.BY_NAME["duplicate_of"].label) in page
        assert 'name="merge-into"' not in page  # a closed ticket is read-only

    def test_merging_into_a_closed_ticket_is_refused_with_its_reason(
        self, tech_client, ticket, other
    ):
        Ticket.objects.filter(pk=other.pk).update(status=Status.CLOSED)
        response = tech_client.post(
            reverse("backoffice:merge", args=[ticket.pk]),
            {"merge-into": other.pk, "merge-confirm": "on"},
        )
        assert response.status_code == 400
        assert f"{other.pk}" in response.context["error"]
        ticket.refresh_from_db()
        assert ticket.status != Status.CLOSED

    def test_other_requesters_need_a_confirmation(self, tech_client, ticket, other):
        url = reverse("backoffice:merge", args=[ticket.pk])
        response = tech_client.post(url, {"merge-into": other.pk})
        assert response.status_code == 400
        assert list(response.context["link_forms"]["merge"].errors) == ["confirm"]
        ticket.refresh_from_db()
        assert ticket.status != Status.CLOSED
        same = make_ticket(requester=ticket.requester, team=ticket.team)
        assert tech_client.post(url, {"merge-into": same.pk}).status_code == 302

    def test_a_ticket_one_only_sees_cannot_receive_a_merge(self, tech_client, ticket, technician):
        # Observed, so visible; but another team's: its requester and notes are not ours to add.
        theirs = make_ticket(team=TeamFactory(), title="Écran noir")
        theirs.observers.add(technician)
        response = tech_client.post(
            reverse("backoffice:merge", args=[ticket.pk]),
            {"merge-into": theirs.pk, "merge-confirm": "on"},
        )
        assert response.status_code == 400
        assert list(response.context["link_forms"]["merge"].errors) == ["into"]
        assert not theirs.observers.filter(pk=ticket.requester.pk).exists()
        with pytest.raises(PermissionDenied):
            services.ticket_merge(ticket=ticket, into=theirs, actor=technician)
        assert not theirs.followups.exists()


class TestChildren:
    def test_the_form_shows_only_with_open_children(self, tech_client, ticket, other, technician):
        assert 'name="children-content"' not in tech_client.get(page_url(ticket)).content.decode()
        services.ticket_link(ticket=ticket, other=other, kind="parent_of", actor=technician)
        assert 'name="children-content"' in tech_client.get(page_url(ticket)).content.decode()

    def test_the_children_are_solved_in_one_action(self, tech_client, ticket, team, technician):
        children = [make_ticket(team=team) for _ in range(2)]
        for child in children:
            services.ticket_link(ticket=ticket, other=child, kind="parent_of", actor=technician)
        response = tech_client.post(
            reverse("backoffice:children-solution", args=[ticket.pk]),
            {"children-content": "Le routeur est redémarré"},
        )
        assert response.status_code == 302
        assert {c.status for c in Ticket.objects.filter(pk__in=[c.pk for c in children])} == {
            Status.SOLVED
        }


@pytest.mark.parametrize("count", [1, 20])
def test_the_ticket_page_query_count_does_not_grow_with_links(
    tech_client, ticket, team, technician, count
):
    # The first link makes a child: the page then also offers the children their solution.
    kinds = ["parent_of", "related", "duplicate_of", "has_duplicate", "child_of"]
    for index in range(count):
        services.ticket_link(
            ticket=ticket, other=make_ticket(team=team), kind=kinds[index % 5], actor=technician
        )
    with CaptureQueriesContext(connection) as queries:
        response = tech_client.get(page_url(ticket))
    assert len(response.context["links"]) == count
    assert len(queries) == LINKED_PAGE_QUERIES, [q["sql"] for q in queries]


# The work page's, its links, which ends one may see, and the parent's last solution that
# pre-fills the children's form.
LINKED_PAGE_QUERIES = TICKET_PAGE_QUERIES + 3
