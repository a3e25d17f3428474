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


def test_it_speaks_the_profile_language_whatever_the_browser_says(client, db):
    user = UserFactory()
    client.force_login(user)
    html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="fr"' in html and "Ouvrir un ticket" in html
    user.language = "en"
    user.save()
    html = client.get(reverse("portal:home")).content.decode()
    assert 'lang="en"' in html and "Open a ticket" in html


def test_a_visitor_gets_french_unless_the_browser_asks_for_english(client, db):
    assert 'lang="fr"' in client.get(reverse("account_login")).content.decode()
    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in english.content.decode()


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
