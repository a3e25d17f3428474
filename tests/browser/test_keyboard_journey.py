"""A technician works a ticket from the queue to a solution with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician
from tickets import services
from tickets.models import Followup, Solution, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

MAX_TABS = 60


def has_focus(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, *, backwards=False):
    """Press Tab (Shift+Tab backwards) until the element has the focus, or fail."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if has_focus(locator):
            return
        page.keyboard.press(key)
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(f"{MAX_TABS} presses of {key} never reached {locator}; on {focused}")


@pytest.fixture
def ticket(transactional_db):
    team = TeamFactory(name="DSIN - Messagerie")
    make_technician(team, username="karim", first_name="Karim", last_name="Benali")
    requester = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    theme = ThemeFactory(name="Messagerie", slug="messagerie")
    return services.ticket_create(requester=requester, title="Boîte pleine", theme=theme, team=team)


def test_from_the_queue_to_a_solution_with_the_keyboard_only(page, ticket):
    log_in(page, "karim")
    page.goto("/intervention/")
    tab_to(page, page.get_by_role("link", name="Mon équipe"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/intervention/files/team/**")
    assert_accessible(page)

    tab_to(page, page.get_by_role("link", name="Boîte pleine"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/intervention/tickets/{ticket.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Ticket {ticket.pk}")
    assert_accessible(page)

    tab_to(page, page.get_by_role("button", name="Prendre en charge"))
    page.keyboard.press("Enter")
    expect(page.locator(".ticket-badges")).to_contain_text("Karim Benali")
    expect(page.get_by_role("button", name="Prendre en charge")).to_have_count(0)

    followup = page.get_by_role("textbox", name="Suivi")
    tab_to(page, followup)
    page.keyboard.type("Pouvez-vous vider la corbeille ?")
    tab_to(page, page.get_by_role("button", name="Ajouter le suivi"))
    page.keyboard.press("Enter")
    item = page.locator(".timeline-item", has_text="vider la corbeille")
    expect(item).to_have_count(1)
    expect(item).not_to_have_class("private")  # left public: the requester reads it
    assert_accessible(page)

    # The composer's tabs: one tab stop, the arrow keys move between them.
    followup_tab = page.get_by_role("tab", name="Suivi")
    solution_tab = page.get_by_role("tab", name="Solution")
    tab_to(page, followup_tab, backwards=True)
    page.keyboard.press("ArrowLeft")  # from the first tab round to the last
    expect(solution_tab).to_be_focused()
    page.keyboard.press("Home")
    expect(followup_tab).to_be_focused()
    for _ in range(3):  # Suivi → Tâche → Document → Solution
        page.keyboard.press("ArrowRight")
    expect(solution_tab).to_be_focused()
    expect(solution_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-solution")).to_be_visible()
    expect(page.locator("#panel-followup")).to_be_hidden()

    tab_to(page, page.get_by_role("textbox", name="Solution"))
    page.keyboard.type("Corbeille vidée, quota relevé.")
    tab_to(page, page.get_by_role("button", name="Envoyer la solution"))
    page.keyboard.press("Space")
    expect(page.locator(".ticket-badges")).to_contain_text("Résolu")
    expect(page.locator(".timeline-solution")).to_contain_text("Corbeille vidée")
    assert_accessible(page)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.assignee.username == "karim"
    assert Followup.objects.filter(
        ticket=ticket, is_private=False, content__contains="corbeille"
    ).exists()
    assert "Corbeille vidée" in Solution.objects.get(ticket=ticket).content
