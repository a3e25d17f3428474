from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tickets import permissions

from . import sso
from .saml import LOGOUT_KEY
from .services import account_refresh_from_sso


class AccountAdapter(DefaultAccountAdapter):
    """Local sign-up stays closed unless ACCOUNT_ALLOW_SIGNUP is set."""

    def is_open_for_signup(self, request):
        return settings.ACCOUNT_ALLOW_SIGNUP

    def get_login_redirect_url(self, request):
        # Technicians start their day on "Mes tickets"; a `next` given to the login wins.
        if permissions.can_use_back_office(request.user):
            return reverse("backoffice:home")
        return super().get_login_redirect_url(request)

    def get_logout_redirect_url(self, request):
        # Logged in through the university: end that session as well, if it can be.
        return sso.provider_logout_url(request) or super().get_logout_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """University logins create and refresh accounts from the directory's attributes."""

    def is_open_for_signup(self, request, sociallogin):
        # Staff come in through the university's login; one that gives no e-mail is
        # refused rather than asking the person to type an address nobody checked.
        return bool(sso.mapped(sociallogin.account.extra_data or {}).get("email"))

    def authenticate_by_email(self, sociallogin):
        """Link a local account only through its current address, vouched for by the
        provider, and only if no other university identity holds that account yet."""
        User = get_user_model()
        for address in sociallogin.email_addresses:
            if not address.verified:
                continue
            user = User.objects.filter(email__iexact=address.email, is_active=True).first()
            linked = user is not None and user.socialaccount_set.filter(
                provider=sociallogin.account.provider
            )
            if user is not None and not linked.exists():
                return user, address.email
        return None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        sso.apply(user, sociallogin.account.extra_data or {})
        if not user.username:
            user.username = (user.email or sociallogin.account.uid)[:150]
        return user

    def pre_social_login(self, request, sociallogin):
        # What the logout needs to end the provider's session as well.
        request.session["sso_provider"] = sociallogin.account.provider
        request.session["sso_logout"] = (sociallogin.account.extra_data or {}).get(LOGOUT_KEY)
        # Each login refreshes names and e-mail from the directory.
        if sociallogin.is_existing:
            user = sociallogin.user
            vouched = {e.email.lower() for e in sociallogin.email_addresses if e.verified}
            attributes = sociallogin.account.extra_data or {}
            new_email = sso.mapped(attributes).get("email", "").lower()
            account_refresh_from_sso(
                user=user, attributes=attributes, email_trusted=new_email in vouched
            )
