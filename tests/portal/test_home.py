import pytest
from django.urls import reverse

from tests.factories import ThemeFactory, UserFactory


def test_it_sends_an_anonymous_visitor_to_the_login(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_shows_the_active_themes_in_the_admin_order(client, db):
    ThemeFactory(name="Messagerie", position=20)
    ThemeFactory(name="Impression", position=10)
    ThemeFactory(name="Ancien thème", is_active=False)
    client.force_login(UserFactory())
    html = client.get(reverse("portal:home")).content.decode()
    assert html.index("Impression") < html.index("Messagerie")
    assert "Ancien thème" not in html


def test_it_speaks_french_by_default_and_english_on_request(client, db):
    client.force_login(UserFactory())
    assert 'lang="fr"' in client.get(reverse("portal:home")).content.decode()
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html


@pytest.mark.parametrize("name", ["<script>alert(1)</script>"])
def test_theme_names_are_escaped(client, db, name):
    ThemeFactory(name=name)
    client.force_login(UserFactory())
    html = client.get(reverse("portal:home")).content.decode()
    assert name not in html
    assert "&lt;script&gt;" in html


def test_pages_forbid_inline_scripts(client, db):
    client.force_login(UserFactory())
    policy = client.get(reverse("portal:home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
