"""Queues mark the tickets where something happened since the technician last opened them."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tickets import services
from tickets.models import TicketSeen


@pytest.fixture
def tech_client(client, technician):
    client.force_login(technician)
    return client


def marked(client) -> bool:
    html = client.get(reverse("backoffice:queue", args=["team"])).content.decode()
    return "Nouveau depuis votre dernière visite" in html


def opened(client, ticket):
    assert client.get(reverse("backoffice:ticket", args=[ticket.pk])).status_code == 200


def test_a_requester_message_marks_the_ticket_until_it_is_opened(tech_client, ticket, requester):
    opened(tech_client, ticket)
    assert not marked(tech_client)
    services.followup_add(ticket=ticket, author=requester, content="Toujours en panne")
    assert marked(tech_client)
    opened(tech_client, ticket)
    assert not marked(tech_client)


def test_the_technician_s_own_message_marks_nothing(tech_client, ticket, technician):
    opened(tech_client, ticket)
    services.followup_add(ticket=ticket, author=technician, content="Je regarde")
    assert not marked(tech_client)


def test_a_refused_solution_marks_the_ticket(tech_client, ticket, technician, requester):
    services.solution_propose(ticket=ticket, author=technician, content="Redémarrez")
    opened(tech_client, ticket)
    services.solution_refuse(ticket=ticket, actor=requester, reason="Rien n'y fait")
    assert marked(tech_client)


def test_a_task_done_by_an_expert_marks_the_ticket(tech_client, ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    expert = UserFactory()
    task = services.task_add(
        ticket=ticket, author=technician, content="Câble", assigned_user=expert
    )
    opened(tech_client, ticket)
    services.task_complete(task=task, actor=expert)
    assert marked(tech_client)
    mine = reverse("backoffice:queue", args=["mine"])
    assert "Nouveau depuis" in tech_client.get(mine).content.decode()


def test_opening_a_ticket_writes_only_when_there_is_news_to_clear(
    tech_client, ticket, requester, technician
):
    opened(tech_client, ticket)
    assert not TicketSeen.objects.exists()  # nothing new: nothing to remember
    services.followup_add(ticket=ticket, author=requester, content="Toujours en panne")
    opened(tech_client, ticket)
    first = TicketSeen.objects.get(user=technician, ticket=ticket).seen_at
    opened(tech_client, ticket)
    assert TicketSeen.objects.get(user=technician, ticket=ticket).seen_at == first
    services.followup_add(ticket=ticket, author=requester, content="Et maintenant ?")
    assert marked(tech_client)
    opened(tech_client, ticket)
    assert not marked(tech_client)
    assert TicketSeen.objects.get(user=technician, ticket=ticket).seen_at > first
