"""Sessions in the cache in front of the database (SESSION_ENGINE when Redis is there)."""

from .sessions import CachedSessionStore as SessionStore

__all__ = ["SessionStore"]
