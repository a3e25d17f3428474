from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Local sign-up stays closed unless ACCOUNT_ALLOW_SIGNUP is set."""

    def is_open_for_signup(self, request):
        return settings.ACCOUNT_ALLOW_SIGNUP
