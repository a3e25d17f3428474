"""A technician files a phone ticket for a caller with the keyboard alone."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import LocationFactory, TeamFactory, ThemeFactory, UserFactory, make_technician
from tickets.models import RoutingRule, Solution, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def helpdesk(transactional_db):
    team = TeamFactory(name="DSIN - Téléphonie")
    theme = ThemeFactory(name="Téléphonie fixe ou mobile", slug="telephonie")
    RoutingRule.objects.create(name="Téléphonie", theme=theme, team=team)
    place = LocationFactory(name="Bâtiment A", parent=LocationFactory(name="Campus Nord"))
    technician = make_technician(team, username="karim", first_name="Karim", last_name="Moreau")
    caller = UserFactory(
        username="claire",
        email="claire.martin@univ.example",
        first_name="Claire",
        last_name="Martin",
    )
    return {"technician": technician, "caller": caller, "team": team, "place": place}


def french(message: str) -> str:
    """A message as the French page shows it, whether its translation is in yet or not."""
    with translation.override("fr"):
        return translation.gettext(message)


def tab_to(page, locator, presses=60):
    """Press Tab until the element has the focus: it is reachable with the keyboard."""
    for _ in range(presses):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} is not reachable with Tab")


def test_a_phone_ticket_is_filed_with_the_keyboard_alone(page, helpdesk):
    log_in(page, "karim")
    page.goto("/intervention/")
    tab_to(page, page.get_by_role("link", name=french("New ticket")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(french("New ticket"))
    assert_accessible(page)

    # Sent empty, the form comes back with a summary that holds the focus.
    tab_to(page, page.locator("form.ticket-form button[type=submit]"))
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page)

    tab_to(page, page.locator("#id_requester"))
    page.keyboard.type("claire.martin@univ.example")
    expect(page.locator("#id_source_0")).to_be_checked()  # "Téléphone" comes first
    tab_to(page, page.locator("#id_title"))
    page.keyboard.type("Mon poste ne sonne plus")
    tab_to(page, page.locator("#id_theme"))
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_theme")).not_to_have_value("")
    tab_to(page, page.locator("#id_location"))
    page.keyboard.type(helpdesk["place"].full_name)
    tab_to(page, page.locator("#id_description"))  # the rich editor takes the field's id
    page.keyboard.type("Appel de 9 h 10 : plus de tonalité.")
    tab_to(page, page.locator("#id_solved"))
    page.keyboard.press("Space")
    tab_to(page, page.locator("#id_solution"))
    page.keyboard.type("Le câble était débranché : rebranché.")
    tab_to(page, page.locator("form.ticket-form button[type=submit]"))
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/intervention/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert ticket.source == Ticket.Source.PHONE
    assert ticket.requester == helpdesk["caller"]
    assert ticket.filed_by == helpdesk["technician"]
    assert ticket.assignee == helpdesk["technician"] and ticket.team == helpdesk["team"]
    assert ticket.location.name == "Bâtiment A"
    assert "tonalité" in ticket.description
    assert ticket.status == Ticket.Status.SOLVED
    assert Solution.objects.get(ticket=ticket).status == Solution.Status.WAITING
