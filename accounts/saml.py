"""allauth's SAML provider, also keeping what a single logout needs."""

from allauth.socialaccount.providers.saml.provider import SAMLProvider

LOGOUT_KEY = "saml_logout"


class UniversitySAMLProvider(SAMLProvider):
    package = "allauth.socialaccount.providers.saml"  # its URLs and templates stay allauth's

    def extract_extra_data(self, data):
        # The NameID and session of this login: the identity provider asks for them back
        # when Help asks it to end the session too.
        logout = {
            "name_id": data.get_nameid(),
            "name_id_format": data.get_nameid_format(),
            "name_id_nq": data.get_nameid_nq(),
            "name_id_spnq": data.get_nameid_spnq(),
            "session_index": data.get_session_index(),
        }
        return {**data.get_attributes(), LOGOUT_KEY: logout}


def logout_url(request, provider) -> str | None:
    """The identity provider's single logout address for this session, if it has one."""
    from allauth.socialaccount.providers.saml.utils import build_auth
    from django.conf import settings
    from django.urls import reverse
    from onelogin.saml2.errors import OneLogin_Saml2_Error

    logout = request.session.get("sso_logout")
    if not logout:
        return None
    try:
        auth = build_auth(request, provider)
        return auth.logout(
            return_to=settings.SITE_URL + reverse("account_login"),
            name_id=logout["name_id"],
            session_index=logout["session_index"],
            nq=logout["name_id_nq"],
            name_id_format=logout["name_id_format"],
            spnq=logout["name_id_spnq"],
        )
    except (OneLogin_Saml2_Error, KeyError):  # no single logout at this provider
        return None
