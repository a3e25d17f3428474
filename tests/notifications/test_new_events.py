"""The events a requester was missing: taken in charge, pending, public task and document,
transfer; and the expert's completed task for the technician."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import Notification
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket, pdf_bytes
from tickets import services
from tickets.models import Status


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def technician(team):
    return make_technician(team, email="karim@univ.example")


@pytest.fixture
def requester(db):
    return UserFactory(email="claire@univ.example", language="en")


@pytest.fixture
def ticket(requester, team):
    ticket = make_ticket(requester=requester, team=team, title="Boîte pleine")
    mail.outbox.clear()
    return ticket


def to_requester():
    return [m for m in mail.outbox if "claire@univ.example" in m.to]


def events_of(ticket):
    return list(ticket.notifications.values_list("event", "email").order_by("pk"))


def test_taking_a_ticket_tells_the_requester_once(ticket, technician, team):
    services.ticket_take(ticket=ticket, actor=technician)
    (message,) = to_requester()
    assert "taken in charge" in message.subject
    other = make_technician(team)
    services.ticket_assign(ticket=ticket, actor=technician, assignee=other)
    assert len(to_requester()) == 1


def test_a_pending_ticket_tells_the_requester_the_question(ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    services.followup_add(ticket=ticket, author=technician, content="Quel est votre poste ?")
    services.followup_add(ticket=ticket, author=technician, content="Note", is_private=True)
    mail.outbox.clear()
    services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
    (message,) = to_requester()
    assert "waiting for your answer" in message.subject
    assert "Quel est votre poste ?" in message.body
    assert "Note" not in message.body


def test_a_public_task_is_told_to_the_requester_and_a_private_one_is_not(ticket, technician):
    services.task_add(ticket=ticket, author=technician, content="Note interne", is_private=True)
    assert to_requester() == []
    services.task_add(ticket=ticket, author=technician, content="Passage mardi")
    (message,) = to_requester()
    assert "Passage mardi" in message.body


def test_a_technicians_public_document_is_told_to_the_requester(ticket, technician, requester):
    upload = SimpleUploadedFile("procedure.pdf", pdf_bytes(), "application/pdf")
    services.document_add(ticket=ticket, author=technician, file=upload)
    (message,) = to_requester()
    assert "procedure.pdf" in message.body
    mail.outbox.clear()
    private = SimpleUploadedFile("interne.pdf", pdf_bytes(), "application/pdf")
    services.document_add(ticket=ticket, author=technician, file=private, is_private=True)
    mine = SimpleUploadedFile("capture.pdf", pdf_bytes(), "application/pdf")
    services.document_add(ticket=ticket, author=requester, file=mine)
    assert to_requester() == []


def test_a_transfer_tells_the_requester_the_new_team_not_the_reason(ticket, technician):
    network = TeamFactory(name="DSIN - Réseau")
    services.ticket_transfer(
        ticket=ticket, actor=technician, team=network, comment="Pas pour nous, secret"
    )
    (message,) = to_requester()
    assert "DSIN - Réseau" in message.body
    assert "secret" not in message.body


def test_an_experts_done_task_reaches_the_technician(ticket, technician, team):
    expert = UserFactory(email="expert@univ.example")
    services.ticket_take(ticket=ticket, actor=technician)
    task = services.task_add(
        ticket=ticket,
        author=technician,
        content="Vérifier le serveur",
        assigned_user=expert,
        is_private=True,
    )
    mail.outbox.clear()
    services.task_complete(task=task, actor=expert)
    assert [m.to for m in mail.outbox] == [["karim@univ.example"]]


def test_the_new_events_can_be_muted_except_the_pending_question(ticket, technician, requester):
    requester.muted_notifications = ["ticket_taken", "ticket_pending"]
    requester.save()
    services.ticket_take(ticket=ticket, actor=technician)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
    heard = {event for event, email in events_of(ticket) if email == requester.email}
    assert heard == {"ticket_created", "ticket_pending"}
    assert Notification.objects.filter(event="ticket_taken").count() == 0
