from django.conf import settings


def _policy() -> str:
    """Scripts and styles from our own origin only: no inline code runs."""
    # A login form may post on to the university's identity provider.
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
    """Send our Content-Security-Policy, except on Django admin's own pages."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL_PREFIX
        self.policy = _policy()

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.admin_prefix):
            response.setdefault("Content-Security-Policy", self.policy)
        return response
