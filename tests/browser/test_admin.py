"""An admin configures Help in Django admin, under its Content-Security-Policy, with axe-core."""

import pytest
from playwright.sync_api import expect

from portal.models import AccessibilityStatement, ThemeQuestion
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import LocationFactory, TeamFactory, ThemeFactory, UserFactory
from tickets.models import HelpdeskSettings, RoutingRule, TeamMembership

pytestmark = pytest.mark.django_db(transaction=True)

# Django admin's own, listed in the accessibility statement (portal.models): its
# autocomplete fields (select2) name neither their box while empty nor the search box of a
# multiple choice.
KNOWN = [("aria-input-field-name", "select2-"), ("label", ".select2-search__field")]


@pytest.fixture
def configured(transactional_db):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    LocationFactory(name="Bureau 204", parent=LocationFactory(name="Campus Saint-Germain"))
    team = TeamFactory(name="DSIN - Messagerie")
    TeamMembership.objects.create(team=team, user=UserFactory(username="karim"))
    theme = ThemeFactory(name="Messagerie", slug="messagerie")
    question = ThemeQuestion.objects.create(
        theme=theme, label="Logiciel", kind=ThemeQuestion.Kind.CHOICE, choices="Outlook\nZimbra"
    )
    ThemeQuestion.objects.create(
        theme=theme, label="Version", show_if_question=question, show_if_value="Outlook"
    )
    rule = RoutingRule.objects.create(name="Messagerie", theme=theme, team=team)
    settings_row = HelpdeskSettings.load()
    statement = AccessibilityStatement.load()
    return {
        "team": team,
        "theme": theme,
        "rule": rule,
        "settings": settings_row,
        "statement": statement,
    }


def test_an_admin_works_every_configuration_page_without_breaching_the_policy(page, configured):
    log_in(page, "admin")
    pages = [
        "/admin/",
        "/admin/tickets/theme/",
        f"/admin/tickets/theme/{configured['theme'].pk}/change/",
        "/admin/tickets/team/",
        f"/admin/tickets/team/{configured['team'].pk}/change/",
        "/admin/tickets/routingrule/",
        f"/admin/tickets/routingrule/{configured['rule'].pk}/change/",
        "/admin/tickets/helpdesksettings/",
        f"/admin/tickets/helpdesksettings/{configured['settings'].pk}/change/",
        "/admin/tickets/location/",
        f"/admin/portal/accessibilitystatement/{configured['statement'].pk}/change/",
    ]
    for url in pages:
        page.goto(url)
        expect(page.locator("#content h1")).to_be_visible()
        assert_accessible(page, KNOWN)

    # A filter of the changelist.
    page.goto("/admin/tickets/team/")
    page.locator("#changelist-filter").get_by_role("link", name="Non").click()
    expect(page.locator("#result_list, .paginator").first).to_be_visible()
    assert_accessible(page, KNOWN)

    # The add-another popup: a new team, created from the routing rule, is selected there.
    page.goto(f"/admin/tickets/routingrule/{configured['rule'].pk}/change/")
    with page.expect_popup() as opened:
        page.locator("#add_id_team").click()
    popup = opened.value
    popup.get_by_label("Nom").fill("DFA - Finances")
    assert_accessible(popup, KNOWN)
    popup.get_by_role("button", name="Enregistrer", exact=True).click()
    popup.wait_for_event("close")
    expect(page.locator("#id_team option:checked")).to_have_text("DFA - Finances")
    assert_accessible(page, KNOWN)
