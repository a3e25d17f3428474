"""University login by OpenID Connect, end to end: Chromium, Help, and a real provider."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import missing_service
from tests.factories import UserFactory
from tests.notifications.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from allauth.account.models import EmailAddress
from allauth.idp.oidc.models import Client
from django.contrib.auth.models import User

def person(username, email, verified, first, last):
    user = User.objects.create_user(username, email, "idp-pass-123",
                                    first_name=first, last_name=last)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)

person("lea", "lea.roux@univ.example", True, "Léa", "Roux")
person("marc", "marc@univ.example", True, "Marc", "Lefebvre")
person("mallory", "admin@univ.example", False, "Mallory", "Intruse")
client = Client(id="help", name="Help", type="confidential", skip_consent=True)
client.set_secret("help-secret")
client.set_redirect_uris([{redirect!r}])
client.set_post_logout_redirect_uris([{back!r}])
client.set_scopes(["openid", "profile", "email"])
client.save()
"""


def _private_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def provider(live_server, tmp_path, settings):
    """Start the identity provider on 127.0.0.1 and register Help as its client."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso.idp_settings",
        "IDP_DB": str(tmp_path / "idp.sqlite3"),
        "IDP_PRIVATE_KEY": _private_key(),
        "PYTHONPATH": str(ROOT),
    }
    django = [sys.executable, "-m", "django"]
    redirect = f"{live_server.url}/accounts/oidc/universite/login/callback/"
    back = f"{live_server.url}/accounts/login/"
    try:
        subprocess.run([*django, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
        subprocess.run(
            [*django, "shell", "-c", SETUP.format(redirect=redirect, back=back)],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=60,
        )
    except (subprocess.SubprocessError, OSError) as error:
        missing_service(f"the identity provider could not start: {error}")
    log = open(tmp_path / "idp.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [*django, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    settings.SITE_URL = live_server.url
    settings.CSP_FORM_ACTION_EXTRA = [url]  # a provider added in admin, as README says
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2)  # noqa: S310
            break
        except OSError:
            time.sleep(0.3)
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="universite",
        name="Université",
        client_id="help",
        secret="help-secret",
        settings={"server_url": url},
    )
    yield url
    server.terminate()
    server.wait(10)
    log.close()


def sso_login(page, username):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Se connecter avec mon compte : Université").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("idp-pass-123")
    page.get_by_role("button", name="Sign In").click()


def test_a_first_login_creates_the_account_from_the_provider(page, provider):
    from django.contrib.auth import get_user_model

    page.goto("/accounts/login/")
    expect(
        page.get_by_role("heading", name="Connectez-vous avec votre compte Université")
    ).to_be_visible()
    assert_accessible(page)
    sso_login(page, "lea")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quel est l'objet")
    user = get_user_model().objects.get(email="lea.roux@univ.example")
    assert (user.first_name, user.last_name) == ("Léa", "Roux")
    assert user.socialaccount_set.get().provider == "universite"
    assert not user.has_usable_password()  # never a password made for Help

    # Logging out of Help ends the provider's session too (it asks first).
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="Sign Out").click()
    expect(
        page.get_by_role("heading", name="Connectez-vous avec votre compte Université")
    ).to_be_visible()
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_role("button", name="Se connecter avec mon compte : Université").click()
    expect(page.get_by_label("Password")).to_be_visible()  # asked again: no session left


def test_a_verified_email_links_the_existing_local_account(page, provider):
    marc = UserFactory(username="marc.local", email="marc@univ.example", first_name="M.")
    sso_login(page, "marc")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quel est l'objet")
    marc.refresh_from_db()
    assert marc.socialaccount_set.count() == 1
    assert marc.first_name == "Marc"  # refreshed from the directory


def test_an_unverified_email_never_takes_over_an_account(page, provider):
    admin = UserFactory(username="admin", email="admin@univ.example", is_superuser=True)
    sso_login(page, "mallory")
    page.wait_for_load_state()
    assert admin.socialaccount_set.count() == 0
    page.goto("/")
    assert "/accounts/login/" in page.url  # not logged in as the admin, nor anyone
