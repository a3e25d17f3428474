"""Helpers of the browser tests (the browser and page fixtures are in tests/conftest.py)."""

import json
from pathlib import Path

from tests.conftest import missing_service

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page):
    """Run axe-core on the page: WCAG 2.1 A and AA rules, zero violations."""
    if not AXE.exists():
        missing_service(f"axe-core is missing at {AXE} (run npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    violations = [
        {
            "rule": v["id"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    assert violations == [], f"{page.url}\n{json.dumps(violations, indent=2, ensure_ascii=False)}"


def log_in(page, username, password="secret-pass-123"):
    page.goto("/accounts/login/")
    page.get_by_label("Identifiant ou adresse e-mail").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
