import os
import uuid

import pytest

from core.ratelimit import over_limit
from tests.conftest import missing_service


def test_it_lets_the_limit_through_then_holds_back():
    key = f"test-{uuid.uuid4()}"
    assert [over_limit(key, limit=2, seconds=60) for _ in range(3)] == [False, False, True]
    assert over_limit(f"{key}-other", limit=2, seconds=60) is False


def test_it_counts_in_redis_across_processes(settings):
    url = os.environ.get("REDIS_URL")
    if not url:
        missing_service("needs Redis: set REDIS_URL=redis://...")
    settings.CACHES = {
        "default": {"BACKEND": "helpdesk.cache.ResilientRedisCache", "LOCATION": url}
    }
    from django.core.cache import cache

    key = f"test-{uuid.uuid4()}"
    try:
        assert [over_limit(key, limit=1, seconds=60) for _ in range(2)] == [False, True]
        name = cache.make_and_validate_key(f"rate:{key}")
        assert 0 < cache._cache.get_client(name).ttl(name) <= 60  # counting keeps the end
    finally:
        cache.delete(f"rate:{key}")


@pytest.mark.parametrize("limit", [0, 1])
def test_a_cache_that_is_down_holds_nobody_back(settings, limit):
    settings.CACHES = {
        "default": {
            "BACKEND": "helpdesk.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert over_limit("anyone", limit=limit, seconds=60) is False
