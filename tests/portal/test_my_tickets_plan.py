"""On PostgreSQL at scale, "Mes demandes d'assistance" reads indexes, not the ticket table."""

import pytest
from django.urls import reverse

from tests.factories import TeamFactory
from tests.plans import assert_no_seq_scan_on_tickets, many_people, many_tickets, ticket_plans
from tickets.models import Ticket

URL = reverse("portal:my-tickets")


@pytest.fixture
def crowd(db):
    people = many_people(2_000)  # twenty tickets each filed, twenty for them
    many_tickets(40_000, people=people, teams=[TeamFactory()])
    me = people[0]
    for ticket in Ticket.objects.exclude(requester=me).exclude(beneficiary=me)[:3]:
        ticket.observers.add(me)
    return me


def test_the_list_and_its_count_use_an_index_for_each_role(client, crowd):
    client.force_login(crowd)
    for query in ["", "?state=open", "?state=closed", "?page=2", "?q=mot12"]:
        plans = ticket_plans(client, URL + query)
        assert plans
        assert_no_seq_scan_on_tickets(plans)
    mine = Ticket.objects.filter(requester=crowd) | Ticket.objects.filter(beneficiary=crowd)
    expected = mine.count() + 3
    assert client.get(URL).context["page"].paginator.count == expected  # each once
