"""What any authenticated page costs before its view runs: two reads at most, no write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

WRITES = ("INSERT", "UPDATE", "DELETE")
FLOOR = 2  # the session (none from the cache) and the user


class _Floor:
    """Queries run before the view, counted when the last middleware hands over to it."""

    seen = None


class MarkViewStart:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        _Floor.seen = len(connection.queries_log)


@pytest.fixture
def counted(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.MarkViewStart"]


@pytest.fixture
def english_user(db):
    return UserFactory(username="claire", password="secret-pass-123", language="en")


def _request(client, url):
    client.get(url)  # the first one may load the session into the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    _Floor.seen -= queries.initial_queries
    return response, queries


@pytest.mark.parametrize("url", [reverse("backoffice:open-count"), reverse("portal:my-tickets")])
def test_an_authenticated_page_costs_two_reads_before_its_view(client, english_user, counted, url):
    client.post(reverse("account_login"), {"login": "claire", "password": "secret-pass-123"})
    response, queries = _request(client, url)
    assert _Floor.seen <= FLOOR, [q["sql"] for q in queries.captured_queries[: _Floor.seen]]
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith(WRITES)]
    assert response["Content-Language"] == "en"  # read from the user already loaded


def test_the_one_query_view_costs_one_query_over_the_floor(client, english_user):
    client.force_login(english_user)
    _response, queries = _request(client, reverse("backoffice:open-count"))
    assert len(queries) <= FLOOR + 1


def test_with_redis_the_session_comes_from_the_cache(client, english_user, settings, counted):
    settings.SESSION_ENGINE = "accounts.cached_sessions"
    client.force_login(english_user)
    _response, queries = _request(client, reverse("backoffice:open-count"))
    assert _Floor.seen == 1  # the user only
    assert "django_session" not in " ".join(q["sql"] for q in queries.captured_queries)


def test_the_settings_pick_cached_sessions_when_redis_is_configured():
    import subprocess
    import sys

    code = "import helpdesk.settings as s; print(s.SESSION_ENGINE)"
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x"}
    run = [sys.executable, "-c", code]
    plain = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    with_redis = subprocess.run(
        run,
        env={**env, "REDIS_URL": "redis://127.0.0.1:6379/0"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert plain.stdout.split() == ["accounts.sessions"]
    assert with_redis.stdout.split() == ["accounts.cached_sessions"]
