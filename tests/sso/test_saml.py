"""University login by SAML 2, end to end: Chromium, Help, and a real identity provider."""

import shutil
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import missing_service
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)
ORGANIZATION = "universite"


@pytest.fixture
def saml_provider(live_server, tmp_path, settings):
    if not shutil.which("xmlsec1"):
        missing_service("xmlsec1 is not installed (apt-get install xmlsec1)")
    try:
        import saml2  # noqa: F401
    except ImportError:
        missing_service("pysaml2 is not installed")
    from allauth.socialaccount.models import SocialApp

    settings.SITE_URL = live_server.url
    app = SocialApp.objects.create(
        provider="saml",
        provider_id=ORGANIZATION,
        client_id=ORGANIZATION,
        name="Université",
        settings={
            "attribute_mapping": settings.SAML_ATTRIBUTES,
            "idp": {"entity_id": "pending", "sso_url": "pending", "x509cert": "pending"},
            "sp": {"entity_id": f"{live_server.url}/saml"},
            "advanced": {"want_assertion_signed": True},
        },
    )
    metadata_url = f"{live_server.url}/accounts/saml/{ORGANIZATION}/metadata/"
    sp_metadata = urllib.request.urlopen(metadata_url, timeout=10).read().decode()  # noqa: S310
    from tests.sso.saml_idp import SamlIdentityProvider

    idp = SamlIdentityProvider(tmp_path, sp_metadata).start()
    app.settings["idp"] = {
        "entity_id": idp.entity_id,
        "sso_url": idp.sso_url,
        "slo_url": f"{idp.url}/slo",
        "x509cert": idp.certificate,
    }
    app.save()
    settings.CSP_FORM_ACTION_EXTRA = [idp.url]  # a provider added in admin, as README says
    yield idp
    idp.stop()


def test_a_saml_login_creates_the_account_with_the_directory_attributes(page, saml_provider):
    from django.contrib.auth import get_user_model

    office = LocationFactory(name="Bureau 3045", entity_codes="UFR-SCI")
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Se connecter avec mon compte : Université").click()
    page.get_by_label("Username").fill("paul")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quel est l'objet")
    user = get_user_model().objects.get(email="paul.durand@univ.example")
    assert (user.first_name, user.last_name) == ("Paul", "Durand")
    assert user.department == "UFR-SCI" and user.affiliation == "faculty, member"
    assert user.default_location == office
    account = user.socialaccount_set.get()
    assert account.uid == "paul.durand@univ.example"  # eduPersonPrincipalName
    # Logging out of Help ends the identity provider's session too (single logout).
    page.get_by_role("button", name="Se déconnecter").click()
    expect(
        page.get_by_role("heading", name="Connectez-vous avec votre compte Université")
    ).to_be_visible()
    assert saml_provider.logouts == ["paul"]
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_role("button", name="Se connecter avec mon compte : Université").click()
    expect(page.get_by_label("Username")).to_be_visible()  # asked again: no session left
