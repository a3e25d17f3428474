from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from . import sso


class AccountAdapter(DefaultAccountAdapter):
    """Local sign-up stays closed unless ACCOUNT_ALLOW_SIGNUP is set."""

    def is_open_for_signup(self, request):
        return settings.ACCOUNT_ALLOW_SIGNUP

    def get_logout_redirect_url(self, request):
        # Logged in through the university: end that session as well, if it can be.
        return sso.provider_logout_url(request) or super().get_logout_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """University logins create and refresh accounts from the directory's attributes."""

    def is_open_for_signup(self, request, sociallogin):
        return True  # staff come in through the university's login, never a local form

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        sso.apply(user, sociallogin.account.extra_data or {})
        if not user.username:
            user.username = (user.email or sociallogin.account.uid)[:150]
        return user

    def pre_social_login(self, request, sociallogin):
        request.session["sso_provider"] = sociallogin.account.provider  # for the logout
        # Each login refreshes names and e-mail from the directory.
        if sociallogin.is_existing:
            user = sociallogin.user
            changed = sso.apply(user, sociallogin.account.extra_data or {})
            if changed:
                user.save(update_fields=changed)
