"""One word for one thing: a numbered ticket is "Ticket N" wherever it is named.

Its type (incident or request) is shown as its type, never as its name. The words are
those of the README's glossary.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_ticket
from tickets import services
from tickets.models import Ticket


@pytest.fixture
def request_ticket(requester, team):
    return make_ticket(requester=requester, team=team, type=Ticket.Type.REQUEST)


def heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def fact(html: str, term: str) -> str:
    found = re.search(rf"<dt>{term}</dt>\s*<dd>\s*(.*?)\s*</dd>", html, re.S)
    assert found, f"no fact {term!r}"
    return found.group(1)


@pytest.mark.parametrize("kind", [Ticket.Type.INCIDENT, Ticket.Type.REQUEST])
def test_the_back_office_names_the_ticket_and_shows_its_type(
    client, requester, team, technician, kind
):
    ticket = make_ticket(requester=requester, team=team, type=kind)
    client.force_login(technician)
    html = client.get(reverse("backoffice:ticket", args=[ticket.pk])).content.decode()
    assert heading(html).startswith(f"Ticket {ticket.pk} ")
    assert re.search(rf"<title>\s*Ticket {ticket.pk}\b", html)
    assert fact(html, "Type") == {"incident": "Incident", "request": "Demande"}[kind]


def test_the_portal_names_the_ticket_and_shows_its_type(client, requester, request_ticket):
    client.force_login(requester)
    html = client.get(reverse("portal:ticket-detail", args=[request_ticket.pk])).content.decode()
    assert heading(html).startswith(f"Ticket {request_ticket.pk} ")
    assert fact(html, "Type") == "Demande"
    assert f"Demande {request_ticket.pk}" not in html


def test_the_e_mails_name_the_ticket(
    requester, team, technician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # they are sent after commit
        ticket = services.ticket_create(requester=requester, title="Imprimante", team=team)
        services.followup_add(ticket=ticket, author=technician, content="<p>J'arrive.</p>")
    sent = [m for m in mail.outbox if requester.email in m.to]
    assert len(sent) == 2
    for message in sent:
        # The subject's tag is what mail clients thread by and the gate reads back.
        assert message.subject.startswith(f"[Help #{ticket.pk}] ")
        assert "demande" not in message.subject.lower()
        assert f"ticket {ticket.pk}" in message.body
