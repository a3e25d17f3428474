"""A reply by e-mail becomes one clean public followup from its sender, or nothing at all."""

import re

import pytest
from django.core import mail
from django.db import connection

from mailgate.models import InboundMessage
from notifications import mailheaders
from tests.factories import UserFactory, make_ticket
from tickets import services
from tickets.models import HelpdeskSettings, Status, Ticket, TicketLink

State = InboundMessage.State


def only_followup(ticket):
    (followup,) = ticket.followups.all()
    assert not followup.is_private
    return followup


@pytest.mark.parametrize(
    ("name", "kept", "dropped"),
    [
        ("reply_plain_fr", "le problème persiste", ["a écrit", "Avez-vous", "scolarité"]),
        ("reply_plain_en", "Still broken", ["wrote", "Did you restart"]),
        ("reply_outlook", "De : vous trouverez", ["Envoyé", "Avez-vous"]),
        ("reply_outlook_en", "It works now", ["Sent:", "Did you restart"]),
        ("reply_mobile", "c'est réglé", ["iPhone"]),
        ("reply_alternative", "Le texte brut gagne", ["HTML perd", "avant"]),
        ("reply_html_only", "Voici la réponse", ["script", "onerror", "a écrit", "Avez-vous"]),
    ],
)
def test_a_reply_becomes_one_clean_followup(deliver, ticket, requester, name, kept, dropped):
    record = deliver(name)
    assert (record.state, record.ticket_id) == (State.FOLLOWUP, ticket.pk)
    followup = only_followup(ticket)
    assert followup.author == requester
    assert kept in followup.content
    for words in dropped:
        assert words not in followup.content


def test_a_followup_by_mail_is_told_to_the_technician(deliver, ticket):
    deliver("reply_plain_fr")
    assert any("karim@univ.example" in m.to for m in mail.outbox)


@pytest.mark.parametrize("name", ["reply_references", "reply_subject_tag"])
def test_a_reply_without_token_is_found_by_headers_or_subject(deliver, ticket, name):
    record = deliver(name)
    assert (record.state, record.ticket_id) == (State.FOLLOWUP, ticket.pk)
    only_followup(ticket)


def test_the_token_wins_over_the_subject(deliver, ticket, requester):
    other = make_ticket(requester=requester, title="Autre")
    record = deliver("reply_token_wins", other_ticket=other.pk)
    assert record.ticket_id == ticket.pk
    assert not other.followups.exists()


def test_a_token_of_another_person_is_refused_even_with_their_ticket(deliver, ticket, colleague):
    other_token = mailheaders.reply_token(ticket.pk, colleague.pk)
    record = deliver("reply_forged_token", other_token=other_token)
    assert (record.state, record.reason) == (State.QUARANTINE, "reply token of another person")
    assert not ticket.followups.exists()


def test_a_token_for_ticket_a_never_writes_on_ticket_b(deliver, ticket, requester):
    mine = make_ticket(requester=requester, title="Autre")
    record = deliver("reply_plain_fr", token=mailheaders.reply_token(mine.pk, requester.pk))
    assert record.ticket_id == mine.pk
    assert not ticket.followups.exists()


def test_an_invented_token_names_no_ticket(deliver, ticket):
    record = deliver("reply_bad_token")
    assert record.state == State.TICKET  # a new request of a known user, nothing on the ticket
    assert record.ticket_id != ticket.pk
    assert not ticket.followups.exists()


def test_a_stranger_using_the_subject_tag_is_quarantined(deliver, ticket):
    UserFactory(email="intrus@univ.example")
    record = deliver("reply_subject_stranger")
    assert record.state == State.QUARANTINE
    assert "not a party" in record.reason
    assert not ticket.followups.exists()


def test_a_requester_who_lost_access_is_quarantined(deliver, ticket, requester):
    requester.is_active = False
    requester.save()
    record = deliver("reply_plain_fr")
    assert record.state == State.QUARANTINE
    assert not ticket.followups.exists()


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_the_sender_of_a_reply_gets_a_confirmation_quoting_it(deliver, ticket, requester):
    deliver("reply_plain_fr")
    (confirmation,) = sent_to("claire@univ.example")
    assert confirmation.subject == f"[Help #{ticket.pk}] Votre réponse est ajoutée : Boîte pleine"
    assert f"ajouté au ticket {ticket.pk} comme suivi" in confirmation.body
    assert "le problème persiste" in confirmation.body
    assert "refus" not in confirmation.body
    assert "le problème persiste" in confirmation.alternatives[0][0]
    # It threads with the ticket and a reply to it is a reply on the ticket again.
    assert confirmation.message()["In-Reply-To"] == mailheaders.ticket_thread_id(ticket.pk)
    assert mailheaders.token_from_address(confirmation.reply_to[0]) == (ticket.pk, requester.pk)


def test_the_confirmation_speaks_the_senders_language(deliver, ticket, requester):
    requester.language = "en"
    requester.save()
    deliver("reply_plain_fr")
    (confirmation,) = sent_to("claire@univ.example")
    assert confirmation.subject == f"[Help #{ticket.pk}] Your reply is added: Boîte pleine"
    assert f"added to ticket {ticket.pk} as a followup" in confirmation.body


def test_a_reply_on_a_solved_ticket_refuses_the_solution(deliver, ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Videz la corbeille.")
    mail.outbox.clear()
    record = deliver("reply_plain_fr")
    assert record.state == State.REFUSAL
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    solution = ticket.solutions.get()
    assert solution.status == "refused"
    assert "le problème persiste" in solution.refusal.content
    (confirmation,) = sent_to("claire@univ.example")
    assert confirmation.subject.startswith(f"[Help #{ticket.pk}] Votre réponse refuse la solution")
    assert "votre message la refuse" in confirmation.body
    assert "le problème persiste" in confirmation.body
    (told,) = sent_to("karim@univ.example")
    assert "Solution refusée" in told.subject


def test_a_reply_on_a_closed_ticket_opens_a_new_linked_ticket(deliver, ticket, team, technician):
    helpdesk = HelpdeskSettings.load()
    helpdesk.default_team = team  # the new ticket goes to the same team
    helpdesk.save()
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Videz la corbeille.")
    services.solution_accept(ticket=ticket, actor=ticket.requester)
    mail.outbox.clear()
    record = deliver("reply_plain_fr")
    assert record.state == State.TICKET
    new = record.ticket
    assert new.pk != ticket.pk and new.source == Ticket.Source.EMAIL
    assert "le problème persiste" in new.description
    assert TicketLink.objects.filter(from_ticket=new, to_ticket=ticket, kind="related").exists()
    assert not ticket.followups.exists()
    # One confirmation, of the new ticket, naming the closed one.
    (confirmation,) = sent_to("claire@univ.example")
    assert confirmation.subject.startswith(f"[Help #{new.pk}] Votre ticket est enregistré")
    assert f"Le ticket {ticket.pk} est clos" in confirmation.body
    assert f"numéro {new.pk}" in confirmation.body
    (alert,) = sent_to("karim@univ.example")
    assert f"ticket clos {ticket.pk}" in alert.body


def test_an_accepted_attachment_is_stored_on_the_followup(deliver, ticket):
    deliver("reply_pdf")
    (document,) = ticket.documents.all()
    assert document.original_name == "devis.pdf"
    assert document.followup == only_followup(ticket)


def test_an_inline_image_is_stored_as_a_document(deliver, ticket):
    deliver("reply_inline_image")
    (document,) = ticket.documents.all()
    assert document.original_name.endswith(".png")


def inline_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)


def test_an_html_image_shown_by_cid_links_to_its_document(
    deliver, ticket, requester, colleague, client
):
    deliver("reply_html_cid")
    (document,) = ticket.documents.all()
    followup = only_followup(ticket)
    url = f"https://help.univ.example/demandes/{ticket.pk}/documents/{document.pk}/"
    assert inline_links(followup.content) == [(url, "erreur.png")]
    assert document.followup == followup
    # No trace of the other images: a remote one, one the message lacks, a forged one.
    for words in ("cid:", "tracker", "onerror", "<img"):
        assert words not in followup.content
    path = url.removeprefix("https://help.univ.example")
    client.force_login(requester)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(colleague)
    assert client.get(path).status_code == 404


def test_outlooks_plain_text_mark_of_an_image_links_to_its_document(deliver, ticket):
    deliver("reply_outlook_cid")
    (document,) = ticket.documents.all()
    content = only_followup(ticket).content
    url = f"https://help.univ.example/demandes/{ticket.pk}/documents/{document.pk}/"
    assert inline_links(content) == [(url, "image001.png")]
    assert "Avez-vous" not in content and "image999" not in content


def test_the_confirmation_links_the_image_too(deliver, ticket):
    deliver("reply_html_cid")
    (confirmation,) = sent_to("claire@univ.example")
    document = ticket.documents.get()
    assert f"/demandes/{ticket.pk}/documents/{document.pk}/" in confirmation.alternatives[0][0]


def test_a_refused_attachment_is_named_in_the_followup(deliver, ticket):
    record = deliver("reply_exe")
    assert record.state == State.FOLLOWUP
    assert not ticket.documents.exists()
    assert "outil.exe" in only_followup(ticket).content


def test_a_file_name_with_a_path_keeps_only_its_name(deliver, ticket):
    deliver("reply_path_filename")
    assert ticket.documents.get().original_name == "rapport.pdf"


def test_the_same_message_twice_is_one_followup(deliver, ticket):
    assert deliver("reply_plain_fr") is not None
    assert deliver("reply_plain_fr") is None
    only_followup(ticket)
    assert InboundMessage.objects.count() == 1


def test_a_reply_costs_a_fixed_number_of_queries(deliver, ticket, django_assert_num_queries):
    # One transaction of 32 statements: the row (no savepoint: ON CONFLICT DO NOTHING),
    # the rate limit, the sender, the ticket, the followup with its history, clock and
    # outbox rows (and on PostgreSQL the ticket's stored words), whether it refused a
    # solution, the row's state (not its raw bytes again). Then one task sends both
    # messages (the technician's and the sender's confirmation) in 10.
    with django_assert_num_queries(42 + (connection.vendor == "postgresql")):
        deliver("reply_plain_fr")
    # A second copy only tries its insert.
    with django_assert_num_queries(3):
        assert deliver("reply_plain_fr") is None
