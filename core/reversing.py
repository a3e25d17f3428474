"""URLs of pages with numbers in them, written without a reverse() each time.

A work page holds some twenty links and forms to URLs of its ticket (and of its items):
reversed one by one, they cost it about half a millisecond. Here each URL name is
reversed once per process with marker numbers, then the numbers are put in their place.
"""

import functools

from django.urls import get_script_prefix, reverse

# Numbers no page links to, that the URL patterns write as they are.
_MARKS = ("987654321987", "987654321986")


@functools.cache
def _pattern(name: str, arity: int, prefix: str) -> str:
    # `prefix` is only part of the cache's key: reverse() reads the script prefix itself.
    return reverse(name, args=_MARKS[:arity])


def url_for(name: str, *ids: int) -> str:
    """reverse(name, args=ids), for URLs whose arguments are all whole numbers."""
    url = _pattern(name, len(ids), get_script_prefix())
    for mark, number in zip(_MARKS, ids, strict=False):
        url = url.replace(mark, str(int(number)))
    return url


def url_format(name: str) -> str:
    """The URL of `name`, whose one argument is a whole number, with `{}` in its place:
    for str.format, in a list of hundreds of links (reverse() quotes braces of its own)."""
    return _pattern(name, 1, get_script_prefix()).replace(_MARKS[0], "{}")
