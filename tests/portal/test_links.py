"""What a requester sees of linked and merged tickets in the portal."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, make_technician, make_ticket
from tickets import links, services


@pytest.fixture
def technician(team):
    return make_technician(team, username="louis")


@pytest.fixture
def logged(client, requester):
    client.force_login(requester)
    return client


def detail(ticket):
    return reverse("portal:ticket-detail", args=[ticket.pk])


def test_the_requester_of_a_merged_ticket_finds_the_target_in_my_requests(
    logged, ticket, team, technician
):
    target = make_ticket(team=team, title="Panne d'impression générale")
    services.ticket_merge(ticket=ticket, into=target, actor=technician)
    response = logged.get(reverse("portal:my-tickets"))
    assert target.pk in [row.pk for row in response.context["page"]]
    assert logged.get(detail(target)).status_code == 200
    # The closed duplicate names the ticket that carries the request, with a link to it.
    page = logged.get(detail(ticket)).content.decode()
    assert f'href="{detail(target)}"' in page
    assert str(links.BY_NAME["duplicate_of"].label) in page


def test_links_show_public_facts_and_only_tickets_the_requester_may_see(
    logged, ticket, requester, team, technician
):
    mine = make_ticket(requester=requester, team=team, title="Ma deuxième demande")
    services.followup_add(ticket=mine, author=technician, content="Note", is_private=True)
    foreign = make_ticket(requester=UserFactory(), team=team, title="La demande d'un collègue")
    services.ticket_link(ticket=ticket, other=mine, kind="child_of", actor=technician)
    services.ticket_link(ticket=ticket, other=foreign, kind="related", actor=technician)
    page = logged.get(detail(ticket)).content.decode()
    assert mine.title in page and f'href="{detail(mine)}"' in page
    assert str(links.BY_NAME["parent_of"].inverse_label) in page
    assert mine.get_status_display() in page
    assert foreign.title not in page and f'href="{detail(foreign)}"' not in page
    assert "Note" not in page
    other_side = logged.get(detail(mine)).content.decode()
    assert str(links.BY_NAME["parent_of"].label) in other_side


def test_without_links_the_page_has_no_links_section(logged, ticket):
    assert 'id="links-title"' not in logged.get(detail(ticket)).content.decode()


def test_an_outsider_still_gets_404(client, ticket, team, technician):
    target = make_ticket(team=team)
    services.ticket_link(ticket=ticket, other=target, kind="related", actor=technician)
    client.force_login(UserFactory())
    assert client.get(detail(ticket)).status_code == 404
    assert client.get(detail(target)).status_code == 404
