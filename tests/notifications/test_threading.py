"""Outgoing mail threads per ticket and carries a reply address that cannot be forged."""

import pytest
from django.core import mail

from notifications import mailheaders
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import services


@pytest.fixture
def mail_settings(settings):
    settings.SITE_URL = "https://help.univ.example"
    settings.HELP_REPLY_ADDRESS = "help@univ.example"
    settings.HELP_MAIL_DOMAIN = ""
    return settings


@pytest.fixture
def requester(db):
    return UserFactory(email="claire@univ.example")


@pytest.fixture
def technician(db):
    return make_technician(TeamFactory(), email="karim@univ.example")


def test_every_message_about_a_ticket_answers_its_first_message(
    mail_settings, requester, technician
):
    ticket = make_ticket(requester=requester, team=technician.teams.first())
    services.followup_add(ticket=ticket, author=technician, content="Avez-vous redémarré ?")
    messages = [m for m in mail.outbox if "claire@univ.example" in m.to]
    assert len(messages) == 2
    thread = f"<ticket-{ticket.pk}@help.univ.example>"
    ids = set()
    for message in messages:
        headers = message.message()
        assert headers["In-Reply-To"] == thread
        assert headers["References"] == thread
        assert headers["Message-ID"].endswith(f".ticket-{ticket.pk}@help.univ.example>")
        assert headers["Auto-Submitted"] == "auto-generated"
        assert f"[Help #{ticket.pk}]" in message.subject
        ids.add(headers["Message-ID"])
    assert len(ids) == 2


def test_the_reply_address_names_the_ticket_and_the_recipient(mail_settings, requester):
    ticket = make_ticket(requester=requester)
    (message,) = [m for m in mail.outbox if "claire@univ.example" in m.to]
    (reply_to,) = message.reply_to
    assert reply_to.startswith("help+") and reply_to.endswith("@univ.example")
    assert mailheaders.token_from_address(reply_to) == (ticket.pk, requester.pk)


def test_the_domain_can_be_set_apart_from_the_site(mail_settings):
    mail_settings.HELP_MAIL_DOMAIN = "mail.univ.example"
    assert mailheaders.ticket_thread_id(4) == "<ticket-4@mail.univ.example>"
    assert mailheaders.tickets_in_references("<ticket-4@help.univ.example>") == []
    assert mailheaders.tickets_in_references("x <ticket-4@mail.univ.example> y") == [4]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(t.split(".")[0], str(int(t.split(".")[0]) + 1), 1),  # other ticket
        lambda t: ".".join([t.split(".")[0], "999", t.split(".")[2]]),  # other person
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # signature changed
        lambda t: t.rsplit(".", 1)[0],  # no signature
    ],
)
def test_a_tampered_token_names_nobody(mail_settings, tamper):
    token = mailheaders.reply_token(12, 34)
    assert mailheaders.token_from_address(f"help+{token}@univ.example") == (12, 34)
    assert mailheaders.token_from_address(f"help+{tamper(token)}@univ.example") is None


def test_a_token_made_with_another_secret_key_names_nobody(mail_settings):
    address = mailheaders.personal_reply_address(12, 34)
    mail_settings.SECRET_KEY = "another-key"
    assert mailheaders.token_from_address(address) is None


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [Help – Ticket 12] Une tâche est faite : imprimante", 12),
        ("RE: TR: [Help #7] Wifi", 7),
        ("AW: [help - ticket 3] x", 3),
        ("Demande sans numéro", None),
        ("[Help #] vide", None),
    ],
)
def test_the_subject_tag_is_read_in_both_forms(subject, number):
    assert mailheaders.ticket_in_subject(subject) == number


def test_the_headers_survive_a_real_smtp_server(mail_settings, smtp_settings, sink, requester):
    ticket = make_ticket(requester=requester)
    received = [m for m in sink.messages if "claire@univ.example" in m["To"]]
    assert len(received) == 1
    (message,) = received
    assert message["References"] == f"<ticket-{ticket.pk}@help.univ.example>"
    assert mailheaders.token_from_address(message["Reply-To"]) == (ticket.pk, requester.pk)
