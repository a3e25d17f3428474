from pathlib import Path

import pytest
from django.core import mail

from mailgate.services import inbound_receive
from notifications import mailheaders
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket

CORPUS = Path(__file__).parent / "eml"


@pytest.fixture
def db(transactional_db):
    """Real commits: the gate's exactly-once rests on them."""
    return transactional_db


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SITE_URL = "https://help.univ.example"
    settings.HELP_REPLY_ADDRESS = "help@univ.example"
    settings.HELP_MAIL_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = "Help <help@univ.example>"


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def technician(team):
    return make_technician(team, email="karim@univ.example")


@pytest.fixture
def requester(db):
    return UserFactory(email="claire@univ.example", first_name="Claire")


@pytest.fixture
def colleague(db):
    return UserFactory(email="paul@univ.example")


@pytest.fixture
def ticket(requester, team, technician):
    ticket = make_ticket(requester=requester, team=team, title="Boîte pleine")
    mail.outbox.clear()
    return ticket


def eml(name: str, **values) -> bytes:
    """A message of the corpus, its %%PLACEHOLDERS%% filled in."""
    text = (CORPUS / f"{name}.eml").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"%%{key.upper()}%%", str(value))
    assert "%%" not in text, f"{name}.eml has a placeholder left"
    return text.encode()


@pytest.fixture
def deliver(ticket, requester):
    """Feed a corpus message to the gate, with the ticket's number and the requester's token."""

    def deliver(name, **values):
        values.setdefault("ticket", ticket.pk)
        values.setdefault("token", mailheaders.reply_token(ticket.pk, requester.pk))
        return inbound_receive(raw=eml(name, **values))

    return deliver
