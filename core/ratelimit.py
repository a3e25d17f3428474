"""Counting what one person asks for in a while, in the cache, to stop the bulk readers."""

from django.core.cache import cache


def over_limit(key: str, *, limit: int, seconds: int) -> bool:
    """Count one more request under `key`; tell whether more than `limit` came in the window.

    The window opens with the first request and lasts `seconds` (the counter's expiry,
    which counting does not move). When the cache is away (helpdesk.cache answers
    nothing), nobody is held back: a search is not worth an outage.
    """
    name = f"rate:{key}"
    cache.add(name, 0, timeout=seconds)
    try:
        count = cache.incr(name)
    except ValueError:  # the window closed between the two calls: a new one opens
        cache.add(name, 1, timeout=seconds)
        count = 1
    return count > limit
