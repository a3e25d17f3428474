"""Each event: who gets a message, what it says, in which language."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Event, Notification
from notifications.sending import render
from notifications.services import auto_close_reminders_record
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import services
from tickets.models import Ticket


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def technician(team):
    return make_technician(team, email="karim@univ.example", first_name="Karim")


@pytest.fixture
def requester(db):
    return UserFactory(email="claire@univ.example", first_name="Claire")


@pytest.fixture
def english_beneficiary(db):
    return UserFactory(email="paul@univ.example", language="en")


@pytest.fixture
def ticket(requester, english_beneficiary, team, technician):
    ticket = make_ticket(
        requester=requester, beneficiary=english_beneficiary, team=team, title="Boîte pleine"
    )
    mail.outbox.clear()
    return ticket


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


def html_of(message):
    return message.alternatives[0][0]


def test_a_new_ticket_confirms_to_requester_and_beneficiary_and_alerts_the_team(
    requester, english_beneficiary, team, technician
):
    ticket = make_ticket(requester=requester, beneficiary=english_beneficiary, team=team)
    (french,) = sent_to("claire@univ.example")
    assert f"[Help #{ticket.pk}]" in french.subject
    assert "Votre ticket est enregistré" in french.subject
    assert f"numéro {ticket.pk}" in french.body
    assert f"/demandes/{ticket.pk}/" in french.body
    (english,) = sent_to("paul@univ.example")
    assert "Your ticket is registered" in english.subject
    (team_message,) = sent_to("karim@univ.example")
    assert "Nouveau ticket" in team_message.subject
    assert f"/intervention/tickets/{ticket.pk}/" in team_message.body


def test_a_team_with_its_own_address_gets_one_message(requester):
    team = TeamFactory(email="dsin-reseau@univ.example")
    make_technician(team, email="sophie@univ.example")
    make_ticket(requester=requester, team=team)
    assert len(sent_to("dsin-reseau@univ.example")) == 1
    assert sent_to("sophie@univ.example") == []


def test_a_public_followup_reaches_everyone_but_its_author(ticket, technician):
    observer = UserFactory(email="obs@univ.example")
    ticket.observers.add(observer)
    services.ticket_take(ticket=ticket, actor=technician)
    mail.outbox.clear()
    services.followup_add(ticket=ticket, author=technician, content="Videz la corbeille")
    addresses = sorted(address for m in mail.outbox for address in m.to)
    assert addresses == ["claire@univ.example", "obs@univ.example", "paul@univ.example"]
    assert "Videz la corbeille" in sent_to("claire@univ.example")[0].body


def test_a_requester_followup_reaches_the_technician(ticket, technician, requester):
    services.ticket_take(ticket=ticket, actor=technician)
    mail.outbox.clear()
    services.followup_add(ticket=ticket, author=requester, content="Toujours bloqué")
    assert [a for m in mail.outbox for a in m.to] == [
        "paul@univ.example",
        "karim@univ.example",
    ] or sorted(a for m in mail.outbox for a in m.to) == sorted(
        ["paul@univ.example", "karim@univ.example"]
    )
    assert "Toujours bloqué" in sent_to("karim@univ.example")[0].body


def test_a_private_followup_reaches_only_technicians(ticket, technician, team):
    colleague = make_technician(team, email="julien@univ.example")
    services.followup_add(
        ticket=ticket, author=technician, content="Mot de passe admin", is_private=True
    )
    assert [a for m in mail.outbox for a in m.to] == [colleague.email]
    assert "privé" in sent_to(colleague.email)[0].body


def test_a_task_reaches_its_expert(ticket, technician):
    expert = UserFactory(email="nadia@univ.example")
    services.task_add(
        ticket=ticket, author=technician, content="Vérifier SIFAC", assigned_user=expert
    )
    (message,) = sent_to("nadia@univ.example")
    assert "Vérifier SIFAC" in message.body
    assert f"/intervention/tickets/{ticket.pk}/" in message.body


def test_a_done_task_reaches_the_ticket_technician_not_the_expert(ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    expert = UserFactory(email="nadia@univ.example", first_name="Nadia", last_name="Laurent")
    task = services.task_add(
        ticket=ticket, author=technician, content="Vérifier SIFAC", assigned_user=expert
    )
    mail.outbox.clear()
    services.task_complete(task=task, actor=expert)
    (message,) = mail.outbox
    assert message.to == ["karim@univ.example"]
    assert "Nadia Laurent" in message.body and "Vérifier SIFAC" in message.body
    assert f"[Help #{ticket.pk}]" in message.subject
    task.refresh_from_db()
    assert task.done_by == expert and task.done_at is not None


def test_a_solution_asks_the_requester_to_decide_with_the_closing_date(ticket, technician):
    services.solution_propose(ticket=ticket, author=technician, content="<p>Quota relevé</p>")
    ticket.refresh_from_db()
    (message,) = sent_to("claire@univ.example")
    closing = timezone.localtime(ticket.solved_at + timedelta(days=7))
    assert "Quota relevé" in message.body
    assert str(closing.day) in message.body and "clos automatiquement" in message.body
    html = html_of(message)
    assert "Accepter la solution" in html and "Refuser la solution" in html
    assert f"/demandes/{ticket.pk}/" in html
    (english,) = sent_to("paul@univ.example")
    assert "close by itself" in english.body


def test_a_refusal_reaches_the_technician_with_the_reason(ticket, technician, requester):
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Essayez ceci")
    mail.outbox.clear()
    services.solution_refuse(ticket=ticket, actor=requester, reason="Cela ne marche pas")
    (message,) = mail.outbox
    assert message.to == ["karim@univ.example"]
    assert "Cela ne marche pas" in message.body


def test_acceptance_and_auto_close_announce_the_closing(ticket, technician, requester):
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="ok")
    mail.outbox.clear()
    services.solution_accept(ticket=ticket, actor=requester)
    assert "La solution a été acceptée" in sent_to("claire@univ.example")[0].body
    assert len(sent_to("karim@univ.example")) == 1

    other = make_ticket(requester=requester, team=ticket.team)
    services.solution_propose(ticket=other, author=technician, content="ok")
    other.refresh_from_db()
    mail.outbox.clear()
    services.tickets_auto_close(now=other.solved_at + timedelta(days=7))
    (closing,) = sent_to("claire@univ.example")
    assert "clos automatiquement" in closing.body or "s'est clos" in closing.body
    services.tickets_auto_close(now=other.solved_at + timedelta(days=8))
    assert len(sent_to("claire@univ.example")) == 1


def test_the_reminder_comes_two_days_before_and_once(ticket, technician):
    services.solution_propose(ticket=ticket, author=technician, content="ok")
    ticket.refresh_from_db()
    mail.outbox.clear()
    assert auto_close_reminders_record(now=ticket.solved_at + timedelta(days=4)) == 0
    assert auto_close_reminders_record(now=ticket.solved_at + timedelta(days=5, hours=1)) == 1
    auto_close_reminders_record(now=ticket.solved_at + timedelta(days=5, hours=2))
    assert len(sent_to("claire@univ.example")) == 1
    assert "Rappel" in sent_to("claire@univ.example")[0].subject


def test_a_title_cannot_inject_headers(ticket, technician):
    Ticket.objects.filter(pk=ticket.pk).update(title="Objet\r\nBcc: victim@example.org")
    services.followup_add(ticket=ticket, author=technician, content="x")
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.bcc == []
        assert "victim@example.org" not in message.message().get("Bcc", "")


def test_muted_kinds_are_not_sent_but_calls_to_act_always_are(ticket, technician, requester):
    requester.muted_notifications = [Event.FOLLOWUP_ADDED, Event.SOLUTION_PROPOSED]
    requester.save()
    services.followup_add(ticket=ticket, author=technician, content="Info")
    assert sent_to("claire@univ.example") == []
    services.solution_propose(ticket=ticket, author=technician, content="ok")
    assert len(sent_to("claire@univ.example")) == 1


def test_no_requester_message_ever_shows_a_private_item(ticket, technician, requester):
    services.followup_add(ticket=ticket, author=technician, content="SECRET-1", is_private=True)
    services.task_add(
        ticket=ticket,
        author=technician,
        content="SECRET-2",
        is_private=True,
        assigned_user=UserFactory(),
    )
    services.followup_add(ticket=ticket, author=technician, content="Public")
    services.solution_propose(ticket=ticket, author=technician, content="Solution")
    for notification in Notification.objects.filter(recipient=requester):
        message = render(notification)
        assert "SECRET" not in message.subject + message.body + html_of(message)
    for message in sent_to("claire@univ.example"):
        assert "SECRET" not in message.subject + message.body + html_of(message)


def test_a_message_is_refused_if_it_would_show_a_private_item(ticket, technician, requester):
    followup = services.followup_add(ticket=ticket, author=technician, content="SECRET")
    followup.is_private = True  # made private after the message was recorded
    followup.save()
    notification = Notification.objects.create(
        event=Event.FOLLOWUP_ADDED,
        ticket=ticket,
        recipient=requester,
        email=requester.email,
        context={"followup": followup.pk},
        dedupe_key="forged",
    )
    from notifications.sending import deliver

    mail.outbox.clear()
    assert deliver(notification.pk) is False
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert mail.outbox == []


@pytest.mark.parametrize("event", list(Event))
def test_every_event_renders_in_french_and_in_english(ticket, technician, requester, event):
    services.ticket_take(ticket=ticket, actor=technician)
    followup = services.followup_add(ticket=ticket, author=technician, content="Un suivi")
    task = services.task_add(ticket=ticket, author=technician, content="Une tâche")
    solution = services.solution_propose(ticket=ticket, author=technician, content="Solution")
    ticket.refresh_from_db()
    context = {"followup": followup.pk, "task": task.pk, "solution": solution.pk}
    context["merged"] = ticket.pk  # ticket_merged names the ticket that was merged
    subjects = {}
    for language in ("fr", "en"):
        notification = Notification(
            event=event,
            ticket=ticket,
            recipient=requester,
            email=requester.email,
            language=language,
            context=context,
        )
        message = render(notification)
        assert f"[Help #{ticket.pk}]" in message.subject
        assert f"/demandes/{ticket.pk}/" in message.body
        assert "<html" in html_of(message)
        subjects[language] = message.subject
    assert subjects["fr"] != subjects["en"]


def test_the_text_part_has_no_html_entities(ticket, technician):
    services.followup_add(ticket=ticket, author=technician, content="R&D <b>et</b> l'équipe")
    message = sent_to("claire@univ.example")[0]
    assert "R&D et l'équipe" in message.body
    assert 'lang="fr"' in html_of(message)
    assert 'lang="en"' in html_of(sent_to("paul@univ.example")[0])
