from helpdesk.cache import ResilientRedisCache


def test_a_cache_whose_redis_is_down_answers_nothing_cached_instead_of_failing():
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {}})
    assert cache.get("login-attempts", default=0) == 0
    assert cache.get("login-attempts") is None
    cache.set("login-attempts", 1)
    assert cache.add("key", 1) is False
    assert cache.get_many(["a", "b"]) == {}
