"""Helpers of the browser tests (the browser and page fixtures are in tests/conftest.py)."""

import json
from pathlib import Path

from tests.conftest import missing_service

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page, known=()):
    """Run axe-core on the page: WCAG 2.1 A and AA rules, zero violations.

    known: (rule, selector fragment) pairs of violations that are not ours to fix and are
    listed in the accessibility statement; they alone are let through.
    """
    if not AXE.exists():
        missing_service(f"axe-core is missing at {AXE} (run npm ci)")
    # Evaluated through the DevTools protocol, not added as a script: the page's own
    # Content-Security-Policy stays in force and would refuse a script tag.
    # preload: axe would otherwise copy the stylesheets into <style> elements, which the
    # policy refuses (only css-orientation-lock needs them; it is then left incomplete).
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {preload: false, runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    assert_no_csp_violation(page)
    violations = []
    for violation in result["violations"]:
        rule = violation["id"]
        nodes = [
            node["target"]
            for node in violation["nodes"]
            if not any(rule == r and fragment in str(node["target"]) for r, fragment in known)
        ]
        if nodes:
            violations.append({"rule": rule, "help": violation["help"], "nodes": nodes[:5]})
    assert violations == [], f"{page.url}\n{json.dumps(violations, indent=2, ensure_ascii=False)}"


def assert_no_csp_violation(page):
    """Fail on any Content-Security-Policy violation met so far in the page's context."""
    violations = page.context.csp_violations
    assert violations == [], "\n".join(violations)


def log_in(page, username, password="secret-pass-123"):
    page.goto("/accounts/login/")
    page.get_by_label("Identifiant ou adresse e-mail").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
