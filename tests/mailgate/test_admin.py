"""Admins see mailboxes without their passwords, and settle the quarantine."""

import base64
import io
import zipfile

import pytest
from django.urls import reverse

from mailgate.models import InboundMessage, Mailbox
from mailgate.services import inbound_receive
from tests.factories import UserFactory

from .conftest import eml
from .test_new_mail import receive

State = InboundMessage.State


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def mailbox(db):
    return Mailbox.objects.create(
        name="Support", host="imap.univ.example", username="support", password="s3cr3t-imap"
    )


def test_the_password_is_never_shown_back_and_kept_when_left_empty(admin_client, mailbox):
    url = reverse("admin:mailgate_mailbox_change", args=[mailbox.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b"s3cr3t-imap" not in page.content
    data = {
        "name": "Support",
        "host": "imap.univ.example",
        "port": 993,
        "security": "imaps",
        "username": "support",
        "password": "",
        "inbox_folder": "INBOX",
        "processed_folder": "processed",
        "errors_folder": "errors",
        "is_active": "on",
    }
    assert admin_client.post(url, data).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password == "s3cr3t-imap"


def test_a_staff_member_without_rights_is_refused(client, mailbox):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:mailgate_inboundmessage_changelist")).status_code == 403


def test_the_quarantine_lists_and_shows_a_message(admin_client):
    record = receive("new_request_unknown")
    listing = admin_client.get(
        reverse("admin:mailgate_inboundmessage_changelist"), {"state": "quarantine"}
    )
    assert b"inconnu@gmail.example" in listing.content
    page = admin_client.get(reverse("admin:mailgate_inboundmessage_change", args=[record.pk]))
    assert "Je voudrais un compte" in page.content.decode()


def test_attaching_from_quarantine_adds_a_followup(admin_client, ticket):
    record = receive("new_request_unknown")
    url = reverse("admin:mailgate_inboundmessage_changelist")
    response = admin_client.post(
        url,
        {"action": "attach_to_ticket", "_selected_action": [record.pk], "ticket": ticket.pk},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.state, record.ticket) == (State.FOLLOWUP, ticket)
    assert "Je voudrais un compte" in ticket.followups.get().content


def test_an_odd_ticket_number_attaches_nothing(admin_client, ticket):
    record = receive("new_request_unknown")
    url = reverse("admin:mailgate_inboundmessage_changelist")
    for odd in ("abc", "-3", "999999"):
        response = admin_client.post(
            url, {"action": "attach_to_ticket", "_selected_action": [record.pk], "ticket": odd}
        )
        assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == State.QUARANTINE


def test_accepting_and_rejecting_from_the_list(admin_client, admin_user):
    accepted, rejected = receive("new_request_unknown"), receive("reply_subject_stranger")
    url = reverse("admin:mailgate_inboundmessage_changelist")
    admin_client.post(url, {"action": "accept_as_ticket", "_selected_action": [accepted.pk]})
    admin_client.post(url, {"action": "reject", "_selected_action": [rejected.pk]})
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.state == State.TICKET and accepted.ticket.requester == admin_user
    assert rejected.state == State.REJECTED


def test_a_zip_bomb_is_stored_unopened(requester, ticket):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bombe.txt", b"\0" * (200 * 1024 * 1024))
    raw = eml("reply_pdf", ticket=ticket.pk, token="x").replace(b"devis.pdf", b"devis.zip")
    boundary = raw.rindex(b"--MIX--")
    part = (
        b"--MIX\r\nContent-Type: application/zip\r\n"
        b'Content-Disposition: attachment; filename="bombe.zip"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(buffer.getvalue())
    )
    raw = raw[:boundary] + part + raw[boundary:]
    raw = raw.replace(b"help+x@", b"help@")
    record = inbound_receive(raw=raw)
    assert record.state == State.FOLLOWUP
    assert "bombe.zip" in set(ticket.documents.values_list("original_name", flat=True))
