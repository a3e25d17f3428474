"""A Redis cache that answers "nothing cached" instead of failing when Redis is away.

Login rate limits live in the cache: a Redis outage must slow nobody's login to a halt.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    def _quietly(self, name, fallback, args, kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            logger.warning("Cache unavailable (%s): %s", name, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._quietly("get", default, (key, default, version), {})

    def set(self, *args, **kwargs):
        return self._quietly("set", None, args, kwargs)

    def add(self, *args, **kwargs):
        return self._quietly("add", False, args, kwargs)

    def delete(self, *args, **kwargs):
        return self._quietly("delete", False, args, kwargs)

    def get_many(self, *args, **kwargs):
        return self._quietly("get_many", {}, args, kwargs)

    def set_many(self, *args, **kwargs):
        return self._quietly("set_many", [], args, kwargs)

    def incr(self, *args, **kwargs):
        return self._quietly("incr", 0, args, kwargs)
