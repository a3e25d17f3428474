"""A technician answers with a canned answer: search, pick, review, send."""

import re

import pytest
from playwright.sync_api import expect

from replies.models import CannedAnswer
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician
from tickets import services

pytestmark = pytest.mark.django_db(transaction=True)

# The strings new with canned answers, in French once the catalogue has them.
SEARCH = re.compile("Search a canned answer|Chercher une réponse type")
USE = re.compile("^(Use|Utiliser)")


@pytest.fixture
def ticket(transactional_db):
    team = TeamFactory(name="DSIN - Messagerie")
    make_technician(team, username="karim", first_name="Karim", last_name="Moreau")
    requester = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    theme = ThemeFactory(name="Messagerie", slug="messagerie")
    CannedAnswer.objects.create(
        team=team,
        title="Corbeille pleine",
        body="<p>Bonjour {demandeur}, pour le ticket {numero} ({theme}) : videz la corbeille. "
        "{technicien}</p>",
        usable_for=CannedAnswer.Usage.FOLLOWUP,
    )
    CannedAnswer.objects.create(team=team, title="Imprimante", body="<p>Redémarrez-la.</p>")
    return services.ticket_create(requester=requester, title="Boîte pleine", theme=theme, team=team)


def test_a_technician_picks_a_canned_answer_and_sends_it(page, ticket):
    log_in(page, "karim")
    page.goto(f"/intervention/tickets/{ticket.pk}/")
    picker = page.locator("[data-canned-target='id_followup-content']")
    picker.get_by_label(SEARCH).press_sequentially("corbeille", delay=20)
    results = picker.locator(".canned-results li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(f"Bonjour Claire Martin, pour le ticket {ticket.pk}")
    assert_accessible(page)

    results.first.get_by_role("link", name=USE).click()
    followup = page.get_by_role("textbox", name="Suivi")
    expected = (
        f"Bonjour Claire Martin, pour le ticket {ticket.pk} (Messagerie) : "
        "videz la corbeille. Karim Moreau"
    )
    expect(followup).to_have_value(re.compile(re.escape(expected)))
    expect(followup).to_be_focused()
    assert page.url.endswith(f"/intervention/tickets/{ticket.pk}/")  # filled in place
    assert_accessible(page)

    page.get_by_role("button", name="Ajouter le suivi").click()
    expect(page.locator(".timeline")).to_contain_text(expected)
    answer = CannedAnswer.objects.get(title="Corbeille pleine")
    assert answer.usage_count == 1
    assert CannedAnswer.objects.get(title="Imprimante").usage_count == 0
    assert_accessible(page)
