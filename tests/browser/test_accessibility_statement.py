"""The accessibility statement in a real browser, reached from the login page's footer."""

import pytest
from playwright.sync_api import expect

from portal.models import AccessibilityStatement
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_reads_the_statement_from_the_login_page_footer(page):
    page.goto("/accounts/login/")
    state = str(AccessibilityStatement.Conformity.PARTIAL.label)
    link = page.locator("footer").get_by_role("link", name=state, exact=False)
    link.click()
    expect(page).to_have_url("/accessibilite/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("09 69 39 00 00")
    assert_accessible(page)
