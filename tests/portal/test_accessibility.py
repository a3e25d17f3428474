"""The accessibility statement: public, complete by default, edited in admin, in every footer."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AccessibilityStatement
from tests.factories import UserFactory

STATEMENT = reverse("portal:accessibility")
PARTIAL = str(AccessibilityStatement.Conformity.PARTIAL.label)


def test_anyone_reads_the_statement_without_logging_in(client, db):
    response = client.get(STATEMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<strong>{PARTIAL}</strong>" in html
    for text in [
        "RGAA",
        "axe-core",
        "clavier seul",
        "aria-pressed",
        "pour une autre personne",
        "select2",
        "accessibilite@univ.example",
        "https://formulaire.defenseurdesdroits.fr/",
        "09 69 39 00 00",
        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07",
    ]:
        assert text in html, text


def test_an_admin_edit_changes_the_page_and_every_footer(client, db):
    cache.clear()
    client.get(STATEMENT)  # the footer's state is now read from the row and cached
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    statement = AccessibilityStatement.load()
    change = reverse("admin:portal_accessibilitystatement_change", args=[statement.pk])
    response = client.post(
        change,
        {
            "conformity": "full",
            "commitment": statement.commitment,
            "method": "Audit complet par un organisme indépendant.",
            "non_conformities": "",
            "statement_date": "15/01/2026",
            "contact": "a11y@univ.example",
            "recourse": statement.recourse,
        },
    )
    assert response.status_code == 302
    html = client.get(STATEMENT).content.decode()
    assert "Audit complet par un organisme indépendant." in html
    assert "a11y@univ.example" in html
    full = str(AccessibilityStatement.Conformity.FULL.label)
    assert f"<strong>{full}</strong>" in html
    assert f"{full}</a>" in html  # the footer follows at once
    assert "select2" not in html  # the known non-conformities were emptied


def _footer_link(html):
    return f'<a href="{STATEMENT}">' in html and f"{PARTIAL}</a>" in html


def test_the_footer_links_the_statement_on_portal_back_office_and_login_pages(
    client, requester, technician
):
    assert _footer_link(client.get(reverse("account_login")).content.decode())
    client.force_login(requester)
    assert _footer_link(client.get(reverse("portal:home")).content.decode())
    client.force_login(technician)
    assert _footer_link(client.get(reverse("backoffice:home")).content.decode())


def test_the_footer_reads_the_state_once_then_from_the_cache(client, db):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("account_login"))
        client.get(reverse("account_login"))
    reads = [q for q in queries if "portal_accessibilitystatement" in q["sql"]]
    assert len(reads) == 1  # the first page only, and nothing written
    assert not AccessibilityStatement.objects.exists()


@pytest.mark.parametrize("method", ["post", "put"])
def test_the_statement_only_answers_get(client, db, method):
    assert getattr(client, method)(STATEMENT).status_code == 405
