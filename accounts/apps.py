from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.socialaccount.providers import registry

        from .saml import UniversitySAMLProvider

        registry.load()  # allauth's own providers first, then ours in place of its SAML one
        registry.register(UniversitySAMLProvider)
