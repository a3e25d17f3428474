"""From a university login's attributes to a Help account.

OpenID Connect gives claims (single values); SAML gives attributes (lists of values,
often named by their OID). SSO_ATTRIBUTE_MAP replaces, field by field, the names tried
below, in order.
"""

from django.conf import settings
from django.contrib.auth import get_user_model

from tickets.models import Location

DEFAULT_MAP = {
    "email": ["email", "mail", "urn:oid:0.9.2342.19200300.100.1.3"],
    "first_name": ["given_name", "givenName", "urn:oid:2.5.4.42"],
    "last_name": ["family_name", "sn", "urn:oid:2.5.4.4"],
    "department": ["supannEntiteAffectation", "urn:oid:1.3.6.1.4.1.7135.1.2.1.14"],
    "affiliation": ["eduPersonAffiliation", "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"],
}
FIELD_LENGTHS = {"email": 254, "first_name": 150, "last_name": 150}


def attribute_map() -> dict[str, list[str]]:
    custom = {
        k: [v] if isinstance(v, str) else list(v) for k, v in settings.SSO_ATTRIBUTE_MAP.items()
    }
    return {**DEFAULT_MAP, **custom}


def _first(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if v)
    return "" if value is None else str(value)


def attributes_of(extra_data: dict) -> dict:
    """What a login says of the person: OpenID Connect keeps its claims under "userinfo"
    and "id_token" (userinfo wins); SAML gives its attributes as they are."""
    if "userinfo" in extra_data or "id_token" in extra_data:
        return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}
    return extra_data


def mapped(attributes: dict) -> dict[str, str]:
    """The fields found in the attributes; a missing attribute is simply left out."""
    attributes = attributes_of(attributes)
    found = {}
    for field, names in attribute_map().items():
        for name in names:
            value = _first(attributes.get(name)).strip()
            if value:
                found[field] = value[: FIELD_LENGTHS.get(field, 255)]
                break
    return found


def location_for_department(codes: str):
    """The place an admin tied to one of these department codes, if any."""
    for code in (c.strip() for c in codes.split(",") if c.strip()):
        for location in Location.objects.filter(is_active=True, entity_codes__icontains=code):
            if code in [c.strip() for c in location.entity_codes.split(",")]:
                return location
    return None


def _address_taken(email: str, user) -> bool:
    from allauth.account.models import EmailAddress

    others = get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk)
    records = EmailAddress.objects.filter(email__iexact=email).exclude(user_id=user.pk)
    return others.exists() or records.exists()


def apply(user, attributes: dict, *, email_trusted: bool = True) -> list[str]:
    """Copy names, e-mail and directory fields onto the user; return the changed fields.

    An existing account takes a new address only when the provider vouches for it, and
    never one that another account holds. Nothing is saved here: see
    accounts.services.account_refresh_from_sso.
    """
    values = mapped(attributes)
    changed = []
    email = values.pop("email", "")
    if (
        email
        and email_trusted
        and email.lower() != (user.email or "").lower()
        and not _address_taken(email, user)
    ):
        user.email = email
        changed.append("email")
    for field in ("first_name", "last_name", "department", "affiliation"):
        if field in values and getattr(user, field) != values[field]:
            setattr(user, field, values[field])
            changed.append(field)
    if user.default_location_id is None and user.department:
        location = location_for_department(user.department)
        if location is not None:
            user.default_location = location
            changed.append("default_location")
    return changed


def provider_logout_url(request) -> str | None:
    """Where to end the OpenID Connect provider's session too, when it says how."""
    import requests
    from allauth.socialaccount.adapter import get_adapter
    from django.core.cache import cache
    from django.urls import reverse
    from django.utils.http import urlencode

    provider_id = request.session.get("sso_provider")
    if not provider_id:
        return None
    try:
        provider = get_adapter().get_provider(request, provider_id)
    except Exception:  # the provider was removed meanwhile: a local logout is enough
        return None
    if provider.id == "saml":
        from .saml import logout_url

        return logout_url(request, provider)
    server_url = (provider.app.settings or {}).get("server_url")
    if not server_url:
        return None
    key = f"oidc-end-session:{server_url}"
    endpoint = cache.get(key)
    if endpoint is None:
        try:
            discovery = requests.get(
                f"{server_url.rstrip('/')}/.well-known/openid-configuration", timeout=5
            ).json()
            endpoint = discovery.get("end_session_endpoint", "")
        except (requests.RequestException, ValueError):
            endpoint = ""
        cache.set(key, endpoint, 3600)
    if not endpoint:
        return None
    back = settings.SITE_URL + reverse("account_login")
    query = {"client_id": provider.app.client_id, "post_logout_redirect_uri": back}
    return f"{endpoint}?{urlencode(query)}"
