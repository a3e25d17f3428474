"""A technician's day in a real browser: queue, take, followups, expert task, solution."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def helpdesk(transactional_db):
    mail_team = TeamFactory(name="DSIN - Messagerie")
    finance = TeamFactory(name="DFA - Finances")
    technician = make_technician(mail_team, username="karim", first_name="Karim")
    supervisor = make_technician(mail_team, username="anne", supervisor=True)
    expert = make_technician(
        finance,
        username="nadia",
        first_name="Nadia",
        last_name="Laurent",
        email="nadia@univ.example",
    )
    requester = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    theme = ThemeFactory(name="Messagerie", slug="messagerie")
    ticket = services.ticket_create(
        requester=requester, title="Boîte pleine", theme=theme, team=mail_team
    )
    services.ticket_create(
        requester=requester,
        title="Demande de liste",
        theme=theme,
        team=mail_team,
        type=Ticket.Type.REQUEST,
    )
    return {"ticket": ticket, "technician": technician, "supervisor": supervisor, "expert": expert}


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_a_technician_works_a_ticket_with_an_expert(page, helpdesk):
    ticket = helpdesk["ticket"]
    log_in(page, "karim")
    page.get_by_role("link", name="Back-office").click()
    page.get_by_role("link", name="Mon équipe").click()
    page.locator(".filters-fold summary").click()  # the filters but the words are folded
    page.get_by_label("Type").select_option("incident")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Boîte pleine")
    assert_accessible(page)

    rows.first.get_by_role("link", name="Boîte pleine").click()
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator(".ticket-badges")).to_contain_text("Karim")

    page.evaluate("window.stillThisPage = true")  # gone if an action reloads the page
    followup = page.get_by_role("textbox", name="Suivi")
    followup.fill("Quota dépassé, vérifier l'archivage.")
    page.get_by_label("Privé : seuls les techniciens le voient", exact=True).check()
    page.get_by_role("button", name="Ajouter le suivi").click()
    expect(page.locator(".timeline-item.private")).to_contain_text("Quota dépassé")

    page.get_by_role("textbox", name="Suivi").fill("Pouvez-vous vider la corbeille ?")
    page.get_by_label("Privé : seuls les techniciens le voient", exact=True).uncheck()
    page.get_by_role("button", name="Ajouter le suivi").click()
    expect(page.locator(".timeline")).to_contain_text("vider la corbeille")

    page.get_by_role("tab", name="Tâche").click()  # the composer shows one action at a time
    page.get_by_role("textbox", name="Tâche", exact=True).fill("Vérifier le droit SIFAC")
    expert_box = page.get_by_label(re.compile("Confiée à une personne"))
    expert_box.fill("nadia")
    expect(page.locator("ul[role=listbox] [role=option]")).to_have_count(1)
    expert_box.fill("Nadia Laurent <nadia@univ.example>")
    page.get_by_label("Tâche privée : seuls les techniciens la voient").check()
    page.get_by_role("button", name="Ajouter la tâche").click()
    expect(page.locator(".timeline")).to_contain_text("Vérifier le droit SIFAC")
    assert page.evaluate("window.stillThisPage") is True  # htmx swapped the work area
    expect(page.locator("#work [role=status]")).to_be_focused()
    assert_accessible(page)
    log_out(page)

    log_in(page, "nadia")
    page.goto("/intervention/files/tasks/")
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Boîte pleine").click()
    expect(page.locator(".timeline")).to_contain_text("Quota dépassé")  # experts see it all
    page.get_by_role("button", name=re.compile("Marquer la tâche")).click()
    expect(page.locator(".timeline")).to_contain_text("Tâche — Fait")
    page.goto("/intervention/files/team/")
    expect(page.get_by_text("Boîte pleine")).to_have_count(0)  # nothing else of the team
    log_out(page)

    log_in(page, "karim")
    page.goto(f"/intervention/tickets/{ticket.pk}/")
    page.get_by_role("tab", name="Solution").click()
    page.get_by_role("textbox", name="Solution").fill("Corbeille vidée, quota relevé.")
    page.get_by_role("button", name="Envoyer la solution").click()
    expect(page.locator(".ticket-badges")).to_contain_text("Résolu")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    log_out(page)

    log_in(page, "claire")
    page.goto(f"/demandes/{ticket.pk}/")
    expect(page.locator(".decision")).to_contain_text("Corbeille vidée")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("vider la corbeille")
    expect(timeline).not_to_contain_text("Quota dépassé")
    expect(timeline).not_to_contain_text("Vérifier le droit SIFAC")  # tasks are private


def test_a_supervisor_reads_the_dashboard(page, helpdesk):
    log_in(page, "anne")
    page.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    by_status = page.locator('.chart-table[aria-labelledby="by-status-title"]')
    expect(by_status).to_contain_text("Nouveau")
    assert_accessible(page)


def test_bulk_take_from_the_queue_with_the_keyboard(page, helpdesk):
    log_in(page, "karim")
    page.goto("/intervention/files/team/")
    page.get_by_label("Sélectionner tous les tickets de la page").check()
    page.get_by_label("Action").select_option("take")
    page.get_by_role("button", name="Appliquer").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("2 tickets")
    assert Ticket.objects.filter(assignee=helpdesk["technician"]).count() == 2
