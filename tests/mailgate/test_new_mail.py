"""New mail to the support address, strangers, automatic mail, broken mail."""

import pytest
from django.core import mail
from django.core.management import call_command

from mailgate.models import InboundMessage, MailboxRule
from mailgate.services import inbound_receive, quarantine_accept, quarantine_reject
from tests.factories import TeamFactory, ThemeFactory, UserFactory

from .conftest import CORPUS, eml

State = InboundMessage.State


def receive(name, **values):
    values.setdefault("ticket", 1)
    values.setdefault("token", "1.1.0123456789abcdef0123")
    return inbound_receive(raw=eml(name, **values))


def test_a_known_user_writing_opens_a_ticket_by_email_with_a_confirmation(requester):
    record = receive("new_request")
    assert record.state == State.TICKET
    ticket = record.ticket
    assert (ticket.requester, ticket.source, ticket.title) == (
        requester,
        "email",
        "Mon écran reste noir",
    )
    assert "depuis ce matin" in ticket.description
    (confirmation,) = [m for m in mail.outbox if "claire@univ.example" in m.to]
    assert confirmation.subject.startswith(f"[Help #{ticket.pk}] ")


def test_cc_university_users_become_observers(requester, colleague):
    ticket = receive("new_request_cc").ticket
    assert list(ticket.observers.all()) == [colleague]


def test_the_first_matching_mailbox_rule_gives_theme_and_team(requester):
    printing, other = TeamFactory(name="Impression"), TeamFactory(name="Autre")
    theme = ThemeFactory()
    MailboxRule.objects.create(position=2, team=other)  # the default
    MailboxRule.objects.create(
        position=1,
        recipient="impression@univ.example",
        subject_keywords="imprimante, scanner",
        theme=theme,
        team=printing,
    )
    ticket = receive("new_request_rule").ticket
    assert (ticket.team, ticket.theme) == (printing, theme)
    assert receive("new_request").ticket.team == other


def test_attachments_of_a_new_request_are_stored(requester):
    ticket = receive("new_request_files").ticket
    assert ticket.documents.get().original_name == "scanner.png"


def test_an_inline_image_of_a_new_request_is_linked_from_its_description(requester):
    ticket = receive("new_request_inline").ticket
    document = ticket.documents.get()
    url = f"https://help.univ.example/demandes/{ticket.pk}/documents/{document.pk}/"
    assert f'<a href="{url}"' in ticket.description
    # The refused inline file is named among the refused ones, and its mark is gone.
    assert "outil.exe" in ticket.description
    assert "cid:" not in ticket.description


def test_a_message_without_message_id_is_known_by_its_hash(requester):
    first = receive("new_request_no_message_id")
    assert first.key.startswith("sha256:")
    assert receive("new_request_no_message_id") is None


def test_an_unknown_sender_is_quarantined_and_answered_once_a_day(db):
    record = receive("new_request_unknown")
    assert (record.state, record.reason) == (State.QUARANTINE, "unknown sender")
    (answer,) = mail.outbox
    assert answer.to == ["inconnu@gmail.example"]
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"
    again = eml("new_request_unknown").replace(b"<new_request_unknown@", b"<second@")
    assert inbound_receive(raw=again).state == State.QUARANTINE
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "name",
    [
        "bounce_mailer_daemon",
        "bounce_dsn_report",
        "autoreply_auto_submitted",
        "autoreply_x_autoreply",
        "autoreply_outlook_ooo",
        "list_precedence",
        "bulk_newsletter",
        "own_message",
        "null_sender",
    ],
)
def test_automatic_mail_creates_nothing_and_is_never_answered(requester, ticket, name):
    record = receive(name, ticket=ticket.pk)
    assert record.state == State.IGNORED and record.reason
    assert record.ticket is None
    assert not ticket.followups.exists()
    assert mail.outbox == []


def test_a_sender_over_the_hourly_limit_is_ignored(requester, settings):
    settings.HELP_INBOUND_PER_HOUR = 2
    raw = eml("new_request")
    states = [
        inbound_receive(raw=raw.replace(b"<new_request@", f"<n{i}@".encode())).state
        for i in range(3)
    ]
    assert states == [State.TICKET, State.TICKET, State.IGNORED]


def test_a_lying_charset_and_broken_parts_are_read_as_far_as_they_go(requester):
    record = receive("malformed_mime")
    assert record.state == State.TICKET
    assert record.ticket.title == "MIME cassé"


def test_deep_nesting_is_refused_by_its_reason(requester):
    record = receive("nested_deep")
    assert (record.state, record.reason) == (State.ERROR, "MIME parts nested deeper than 8")


def test_thirty_mib_of_parts_ends_in_a_reason(requester):
    part = b"--B\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 200_000 + b"\r\n"
    raw = (
        b"From: claire@univ.example\r\nTo: help@univ.example\r\nSubject: gros\r\n"
        b"Message-ID: <big@univ.example>\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + part * 150 + b"--B--\r\n"
    )
    assert len(raw) > 30 * 1024 * 1024 - 2_000_000
    record = inbound_receive(raw=raw)
    assert (record.state, record.reason) == (State.ERROR, "more than 100 MIME parts")


def test_a_header_cannot_smuggle_another(requester):
    record = receive("header_injection")
    assert record.ticket.title == "Bonjour Bcc: victime@univ.example"
    assert mail.outbox and all("victime@univ.example" not in m.bcc for m in mail.outbox)


def test_admin_accepts_or_rejects_a_quarantined_message(db):
    accepted = receive("new_request_unknown")
    stranger = UserFactory(email="inconnu@gmail.example")
    ticket = quarantine_accept(record=accepted, requester=stranger)
    accepted.refresh_from_db()
    assert (accepted.state, accepted.ticket) == (State.TICKET, ticket)
    rejected = receive("null_sender")
    InboundMessage.objects.filter(pk=rejected.pk).update(state=State.QUARANTINE)
    quarantine_reject(record=rejected)
    rejected.refresh_from_db()
    assert rejected.state == State.REJECTED


def test_the_command_reads_a_file_and_a_maildir_once(requester, tmp_path, capsys):
    maildir = tmp_path / "Maildir"
    for folder in ("cur", "new", "tmp"):
        (maildir / folder).mkdir(parents=True)
    (maildir / "new" / "1.eml").write_bytes(eml("new_request"))
    (maildir / "new" / "2.eml").write_bytes(eml("bulk_newsletter"))
    call_command("mailgate_import", str(maildir))
    call_command("mailgate_import", str(maildir))
    call_command("mailgate_import", str(CORPUS / "new_request_cc.eml"))
    out = capsys.readouterr().out.splitlines()
    ticket = InboundMessage.objects.get(subject="Mon écran reste noir").ticket_id
    assert sorted(out[:2]) == ["ignored: Precedence: bulk", f"ticket: {ticket}"]
    assert out[2:4] == ["duplicate: already received"] * 2
    assert out[4].startswith("ticket: ")
    assert InboundMessage.objects.count() == 3


def test_the_corpus_holds_at_least_thirty_messages():
    assert len(list(CORPUS.glob("*.eml"))) >= 30
