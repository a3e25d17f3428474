import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import REFRESH_SECONDS
from accounts.sessions import SAVED_AT
from tests.factories import UserFactory

LOGIN = reverse("account_login")


@pytest.fixture
def user(db):
    return UserFactory(username="claire", password="secret-pass-123")


def log_in(client, path=LOGIN, password="secret-pass-123"):
    return client.post(path, {"login": "claire", "password": password})


@pytest.mark.parametrize(
    "evil",
    ["//evil.example", "https://evil.example/", "/\\evil.example", "http:evil.example"],
)
def test_next_only_goes_to_our_own_pages(client, user, evil):
    response = log_in(client, f"{LOGIN}?next={evil}")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_next_to_one_of_our_pages_is_followed(client, user):
    response = log_in(client, f"{LOGIN}?next=/demandes/")
    assert response["Location"] == "/demandes/"


def test_a_login_gets_a_new_session_id(client, user):
    client.get(LOGIN)
    client.session["probe"] = 1
    before = client.session.session_key
    log_in(client)
    assert client.session.session_key != before


def test_logout_ends_the_session(client, user):
    log_in(client)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("portal:home")).status_code == 302


def test_failed_logins_are_rate_limited(client, user):
    for _ in range(5):
        assert log_in(client, password="wrong").status_code == 200
    response = log_in(client)  # even the right password waits now
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_the_session_expires_when_idle(settings):
    assert "accounts.middleware.SessionIdleTimeoutMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # the middleware saves it, rarely
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600


def _forget_cached_copy(client):
    """After a change made in the table behind its back, as a cache entry would expire."""
    from django.core.cache import cache

    store = client.session
    if hasattr(store, "cache_key"):  # cached_db, when Redis is configured
        cache.delete(store.cache_key)


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_soon_after_the_last_writes_nothing(client, user):
    log_in(client)
    before = _expiry(client)
    assert client.get(reverse("portal:home")).status_code == 200
    assert _expiry(client) == before


def test_a_request_minutes_later_moves_the_expiry_ahead(client, user):
    log_in(client)
    store = client.session
    data = store.load()
    data[SAVED_AT] -= REFRESH_SECONDS + 1  # as if the last save were minutes ago
    Session.objects.filter(pk=store.session_key).update(session_data=store.encode(data))
    _forget_cached_copy(client)
    before = _expiry(client)
    assert client.get(reverse("portal:home")).status_code == 200
    assert _expiry(client) > before
    assert client.session[SAVED_AT] > data[SAVED_AT]


def test_a_session_made_outside_a_request_counts_from_then(client, user):
    client.force_login(user)  # saved by the session store, not through the middleware
    before = _expiry(client)
    assert client.get(reverse("portal:home")).status_code == 200
    assert _expiry(client) == before


def test_an_idle_session_ends(client, user):
    log_in(client)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    _forget_cached_copy(client)
    assert client.get(reverse("portal:home")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_visitor_gets_no_session(client, db):
    client.get(LOGIN)
    assert not Session.objects.exists()


def test_production_cookies_are_secure_and_http_only():
    code = (
        "import helpdesk.settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["True", "True", "True"]
