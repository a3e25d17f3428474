import time

from django.conf import settings
from django.utils import translation

from .sessions import SAVED_AT

REFRESH_SECONDS = 5 * 60


class SessionIdleTimeoutMiddleware:
    """End a session after SESSION_IDLE_MINUTES without a request, writing it rarely.

    Each save moves a session's expiry SESSION_COOKIE_AGE ahead. Saving on every request
    would make every page a database write; once every few minutes is enough, so an idle
    session ends at most those few minutes before the full delay.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        saved_at = session.get(SAVED_AT, 0)  # loads it: an unknown key leaves it empty
        every = min(REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 2)
        if not session.is_empty() and time.time() - saved_at >= every:
            session.modified = True  # SessionMiddleware saves it, with a new expiry
        return response


class UserLanguageMiddleware:
    """Speak the language chosen in the user's profile; visitors get the browser's or French."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
