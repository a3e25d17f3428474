"""The browser tests run under the product's real Content-Security-Policy and catch breaches."""

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

BREACH = "<!DOCTYPE html><html lang='fr'><title>t</title><script>1</script><p style='x'>p</p>"


def test_the_login_page_is_sent_with_our_policy_and_checked_by_axe(page):
    response = page.goto("/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert_accessible(page)  # axe-core runs although the policy forbids adding scripts


def test_an_inline_script_or_style_refused_by_the_policy_is_reported(page):
    page.route(
        "**/breach/",
        lambda route: route.fulfill(
            body=BREACH,
            content_type="text/html",
            headers={"Content-Security-Policy": "script-src 'self'; style-src 'self'"},
        ),
    )
    page.goto("/breach/")
    page.wait_for_function("1")  # a round trip: the reports have arrived
    violations = page.context.csp_violations
    assert any(v.startswith("script-src-elem blocked inline") for v in violations), violations
    assert any(v.startswith("style-src-attr blocked inline") for v in violations), violations
    assert any("Content Security Policy directive" in v for v in violations)  # the console
    violations.clear()  # expected here; any other test fails on them
