from django.conf import settings


def content_security_policy() -> str:
    """Scripts and styles from our own origin only: no inline code runs, admin included."""
    # A login or logout form posts to us, then is redirected to the university's identity
    # provider: form-action governs that redirect too.
    form_targets = " ".join(["'self'", *settings.CSP_FORM_ACTION_EXTRA])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action {form_targets}",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Send our Content-Security-Policy on every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Built for each response, a few joined strings, so it follows the settings.
        response.setdefault("Content-Security-Policy", content_security_policy())
        return response
