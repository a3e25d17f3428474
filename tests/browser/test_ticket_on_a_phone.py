"""The back office's ticket page on a phone: one column, nothing wider than the screen."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician
from tickets import services
from tickets.models import TeamMembership, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# What people paste: a word with no break, an address, a log line.
LONG_WORD = "Anticonstitutionnellement" * 4
LONG_URL = "https://intranet.univ.example/" + "dossier-partage/" * 8 + "rapport.pdf"
LOG_LINE = "ERROR:smtp.univ.example:550_5.7.1_mailbox_unavailable_quota_exceeded_" * 2


@pytest.fixture
def ticket(transactional_db):
    team = TeamFactory(name="DSIN - Messagerie et outils collaboratifs de l'université")
    other = TeamFactory(name="DSIN - Proximité")
    technician = make_technician(team, username="karim", first_name="Karim")
    TeamMembership.objects.create(team=other, user=technician)  # so he sees it on its way
    requester = UserFactory(
        username="claire",
        first_name="Claire",
        last_name="Martin-Delacroix-Vandenberghe",
        email="claire.martin-delacroix-vandenberghe@etu.univ.example",
    )
    theme = ThemeFactory(name="Messagerie", slug="messagerie")
    ticket = services.ticket_create(
        requester=requester,
        title="Boîte pleine",
        description=f"<p>{LONG_URL}</p><p>{LOG_LINE}</p>",
        theme=theme,
        team=team,
        urgency=5,
    )
    services.ticket_take(ticket=ticket, actor=technician)
    services.followup_add(ticket=ticket, author=technician, content=f"<p>Vu : {LOG_LINE}</p>")
    services.ticket_transfer(ticket=ticket, team=other, actor=technician, comment=LONG_WORD)
    services.ticket_transfer(ticket=ticket, team=team, actor=technician, comment="Retour")
    services.ticket_take(ticket=ticket, actor=technician)
    # The history table then holds long old and new values.
    services.ticket_update(ticket=ticket, actor=technician, title=f"Boîte pleine {LONG_WORD}")
    return Ticket.objects.get(pk=ticket.pk)


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_ticket_page_fits_a_phone(page, ticket):
    page.set_viewport_size(PHONE)
    log_in(page, "karim")
    page.goto(f"/intervention/tickets/{ticket.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Ticket {ticket.pk}")

    # Status and priority are on the first screen.
    badges = page.locator(".ticket-badges")
    expect(badges).to_contain_text(ticket.get_status_display())
    expect(badges).to_contain_text(ticket.get_priority_display())
    expect(badges).to_be_in_viewport()

    # One column: the side panel comes under the main one, at the same width.
    main = page.locator(".work-main").bounding_box()
    side = page.locator(".work-side").bounding_box()
    assert side["y"] >= main["y"] + main["height"]
    assert abs(side["x"] - main["x"]) < 1 and abs(side["width"] - main["width"]) < 1

    assert scroll_width(page) <= PHONE["width"]
    page.locator(".history summary").click()  # the history table, opened
    expect(page.locator(".history table")).to_be_visible()
    assert scroll_width(page) <= PHONE["width"]
    assert_accessible(page)


def test_the_composer_is_one_link_away_on_a_phone(page, ticket):
    page.set_viewport_size(PHONE)
    log_in(page, "karim")
    page.goto(f"/intervention/tickets/{ticket.pk}/")
    link = page.get_by_role("link", name="Ajouter au ticket")
    expect(link).to_be_in_viewport()
    composer = page.get_by_role("heading", name="Ajouter au ticket", level=2)
    expect(composer).not_to_be_in_viewport()  # far below the ticket and its timeline

    link.click()
    expect(composer).to_be_in_viewport()
    assert page.url.endswith("#composer-title")
    followup = page.get_by_role("textbox", name="Suivi")
    expect(followup).to_be_in_viewport()
    followup.fill("Je passe dans votre bureau cet après-midi.")
    page.get_by_role("button", name="Ajouter le suivi").click()
    expect(page.locator(".timeline")).to_contain_text("cet après-midi")
    assert scroll_width(page) <= PHONE["width"]
