"""From a university login's attributes to the account: mapping, refresh, no takeover."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialLogin

from accounts import sso
from accounts.adapter import SocialAccountAdapter
from tests.factories import LocationFactory, UserFactory

OIDC = {
    "userinfo": {
        "sub": "42",
        "email": "lea.roux@univ.example",
        "given_name": "Léa",
        "family_name": "Roux",
        "supannEntiteAffectation": "DSIN",
        "eduPersonAffiliation": ["staff", "member"],
    },
    "id_token": {"sub": "42", "email": "old@univ.example"},
}
SAML = {
    "urn:oid:0.9.2342.19200300.100.1.3": ["paul.durand@univ.example"],
    "urn:oid:2.5.4.42": ["Paul"],
    "urn:oid:2.5.4.4": ["Durand"],
    "urn:oid:1.3.6.1.4.1.7135.1.2.1.14": ["UFR-SCI"],
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["faculty"],
}


def test_openid_connect_claims_are_mapped_userinfo_first():
    assert sso.mapped(OIDC) == {
        "email": "lea.roux@univ.example",
        "first_name": "Léa",
        "last_name": "Roux",
        "department": "DSIN",
        "affiliation": "staff, member",
    }


def test_saml_attributes_by_oid_are_mapped():
    values = sso.mapped(SAML)
    assert values["email"] == "paul.durand@univ.example"
    assert (values["first_name"], values["last_name"]) == ("Paul", "Durand")
    assert values["department"] == "UFR-SCI"


def test_missing_attributes_are_left_out():
    assert sso.mapped({"userinfo": {"sub": "1"}}) == {}
    assert sso.mapped({}) == {}


def test_the_map_is_configurable(settings):
    settings.SSO_ATTRIBUTE_MAP = {"department": "ou", "first_name": ["prenom"]}
    values = sso.mapped({"ou": ["DRHO"], "prenom": "Anne", "given_name": "ignored"})
    assert values == {"department": "DRHO", "first_name": "Anne"}


def test_the_department_proposes_a_default_location(db):
    office = LocationFactory(name="Bureau 12", entity_codes="UFR-SCI, UFR-MATH")
    LocationFactory(name="Autre", entity_codes="UFR-SCIENCES-HUMAINES")
    user = UserFactory()
    sso.apply(user, SAML)
    assert user.default_location == office


def test_a_chosen_location_is_kept(db):
    mine = LocationFactory()
    LocationFactory(entity_codes="UFR-SCI")
    user = UserFactory(default_location=mine)
    sso.apply(user, SAML)
    assert user.default_location == mine


def test_an_address_of_another_account_is_never_taken(db):
    UserFactory(email="paul.durand@univ.example")
    user = UserFactory(email="p.durand@univ.example")
    changed = sso.apply(user, SAML)
    assert user.email == "p.durand@univ.example" and "email" not in changed


def _login_of(user, extra_data, uid="42", vouched=()):
    from allauth.account.models import EmailAddress

    account = SocialAccount(user=user, provider="universite", uid=uid, extra_data=extra_data)
    addresses = [EmailAddress(email=email, verified=True) for email in vouched]
    return SocialLogin(user=user, account=account, email_addresses=addresses)


def test_a_repeat_login_refreshes_names_and_email_when_the_address_changes(db, rf):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="lea.martin@univ.example", first_name="Léa", last_name="Martin")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    SocialAccount.objects.create(user=user, provider="universite", uid="42")
    login = _login_of(user, OIDC, vouched=["lea.roux@univ.example"])
    request = rf.get("/")
    request.session = {}
    SocialAccountAdapter().pre_social_login(request, login)
    assert request.session["sso_provider"] == "universite"  # for the provider's logout
    user.refresh_from_db()
    assert (user.email, user.last_name) == ("lea.roux@univ.example", "Roux")
    assert user.department == "DSIN" and user.affiliation == "staff, member"
    assert SocialAccount.objects.get(uid="42").user == user  # same person, same account
    # Whoever gets the old address later cannot reach this account through it.
    assert not EmailAddress.objects.filter(email="lea.martin@univ.example").exists()


def test_an_address_the_provider_does_not_vouch_for_is_not_taken(db, rf):
    user = UserFactory(email="lea.martin@univ.example")
    SocialAccount.objects.create(user=user, provider="universite", uid="42")
    request = rf.get("/")
    request.session = {}
    SocialAccountAdapter().pre_social_login(request, _login_of(user, OIDC))
    user.refresh_from_db()
    assert user.email == "lea.martin@univ.example"


def test_an_account_already_linked_is_not_joined_by_another_identity(db):
    from allauth.account.models import EmailAddress

    owner = UserFactory(email="paul.durand@univ.example")
    SocialAccount.objects.create(user=owner, provider="universite", uid="paul")
    newcomer = _login_of(UserFactory.build(), SAML, uid="someone-else")
    newcomer.email_addresses = [EmailAddress(email="paul.durand@univ.example", verified=True)]
    assert SocialAccountAdapter().authenticate_by_email(newcomer) is None


def test_a_login_without_an_email_cannot_sign_up(db, rf):
    login = _login_of(UserFactory.build(), {"userinfo": {"sub": "9"}})
    assert SocialAccountAdapter().is_open_for_signup(rf.get("/"), login) is False


def test_a_new_account_is_filled_from_the_attributes(db, rf):
    from django.contrib.auth import get_user_model

    user = get_user_model()()
    login = _login_of(user, SAML, uid="paul@univ.example")
    filled = SocialAccountAdapter().populate_user(rf.get("/"), login, {})
    assert (filled.first_name, filled.last_name) == ("Paul", "Durand")
    assert filled.email == "paul.durand@univ.example"
    assert filled.username == "paul.durand@univ.example"


@pytest.mark.parametrize("missing", [{}, {"userinfo": {"sub": "9"}}])
def test_a_login_without_attributes_still_gets_a_username(db, rf, missing):
    from django.contrib.auth import get_user_model

    login = _login_of(get_user_model()(), missing, uid="uid-9")
    assert SocialAccountAdapter().populate_user(rf.get("/"), login, {}).username == "uid-9"
