"""Linked tickets in a real browser: link two tickets, merge a duplicate, axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import TeamFactory, UserFactory, make_technician
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_technician_links_then_merges_a_duplicate(page, transactional_db):
    team = TeamFactory(name="DSIN - Impression")
    make_technician(team, username="karim", first_name="Karim")
    requester = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    first = services.ticket_create(requester=requester, title="Imprimante en panne", team=team)
    second = services.ticket_create(requester=requester, title="Plus d'impression", team=team)
    log_in(page, "karim")
    page.goto(f"/intervention/tickets/{second.pk}/")
    links = page.locator("section[aria-labelledby=links-title]")
    links.locator("select[name=link-kind]").select_option("related")
    links.locator("input[name=link-other]").fill(str(first.pk))
    links.locator("input[name=link-other]").press("Enter")
    expect(links.get_by_role("link", name=f"{first.pk}")).to_be_visible()
    assert_accessible(page)

    links.locator("input[name=merge-into]").fill(str(first.pk))
    links.locator("form", has=page.locator("input[name=merge-into]")).locator(
        "button[type=submit]"
    ).click()
    expect(page.locator(".status-6")).to_be_visible()
    assert_accessible(page)
    second.refresh_from_db()
    assert second.status == Ticket.Status.CLOSED
