"""Sessions that remember when they were last saved (SESSION_ENGINE).

`accounts.sessions` keeps them in the database; `accounts.cached_sessions` reads them
from the cache first (Django's cached_db), so that a request costs no session query.
"""

import time

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseSessionStore
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

SAVED_AT = "_saved_at"  # each save moves the session's expiry SESSION_COOKIE_AGE ahead


class SavedAtMixin:
    def save(self, must_create=False):
        # A session being created is not loaded first: its key is not in the table yet.
        self._get_session(no_load=must_create)[SAVED_AT] = int(time.time())
        super().save(must_create=must_create)


class SessionStore(SavedAtMixin, DatabaseSessionStore):
    pass


class CachedSessionStore(SavedAtMixin, CachedDatabaseSessionStore):
    pass
