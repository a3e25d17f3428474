"""The queue on a laptop screen and on a phone: folded filters, bulk actions, cards."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import LocationFactory, TeamFactory, UserFactory, make_technician
from tickets import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(transactional_db):
    team = TeamFactory(name="DSIN - Messagerie")
    make_technician(team, username="karim", first_name="Karim")
    requester = UserFactory(first_name="Claire", last_name="Martin")
    campus = LocationFactory(name="Campus Nord")
    room = LocationFactory(
        name="Salle 101", parent=LocationFactory(name="Bâtiment A", parent=campus)
    )
    for index in range(6):
        services.ticket_create(
            requester=requester,
            title=f"Boîte pleine et messages refusés depuis ce matin numéro {index}",
            team=team,
            location=room,
            urgency=1 + index % 5,
        )
    return team


ROWS = "table.queue tbody tr"


def test_the_first_row_starts_high_on_a_laptop_screen(page, queue):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "karim")
    page.goto("/intervention/files/team/")
    top = page.locator(ROWS).first.bounding_box()["y"]
    assert top < 300, f"the first row starts at {top} px"
    expect(page.get_by_role("group", name="Avec les tickets sélectionnés")).to_be_hidden()
    expect(page.get_by_label("Type")).to_be_hidden()
    page.locator(".filters-fold summary").click()  # the fold opens on demand
    expect(page.get_by_label("Type")).to_be_visible()
    assert_accessible(page)


def test_bulk_actions_show_once_a_row_is_ticked_and_say_how_many(page, queue):
    log_in(page, "karim")
    page.goto("/intervention/files/team/")
    actions = page.locator("#bulk-actions")
    expect(actions).to_be_hidden()
    boxes = page.locator(".row-select")
    boxes.nth(0).check()
    expect(actions).to_be_visible()
    status = page.locator(".selection-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).not_to_be_empty()
    boxes.nth(1).check()
    expect(status).to_contain_text("2")
    assert_accessible(page)
    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    expect(actions).to_be_hidden()


def test_without_javascript_the_bulk_actions_stay_in_view(browser, live_server, queue, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, "karim")
        page.goto("/intervention/files/team/")
        expect(page.locator("#bulk-actions")).to_be_visible()
        expect(page.locator(ROWS)).to_have_count(6)
    finally:
        context.close()


def test_on_a_phone_each_row_is_a_card_with_its_status_and_priority(page, queue):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "karim")
    page.goto("/intervention/files/team/")
    rows = page.locator(ROWS)
    expect(rows).to_have_count(6)
    # Not scrolled into view: that would scroll the table's own box sideways too.
    for index in range(6):
        row = rows.nth(index)
        for cell in (".cell-status .status", ".cell-priority .priority"):
            expect(row.locator(cell)).to_have_text(re.compile(r"\w+"))  # in words
            box = row.locator(cell).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (index, cell, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    scroller = page.locator(".table-scroll")
    assert scroller.evaluate("box => box.scrollWidth <= box.clientWidth")  # no sideways scroll
    expect(rows.first).to_contain_text("Bâtiment A > Salle 101")
    assert_accessible(page)
