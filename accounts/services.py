"""Every change to a person's account that Help makes (the profile, the university login)."""

from django.db import transaction

from . import sso
from .models import User


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    phone: str,
    language: str,
    default_location,
    muted_notifications: list[str],
) -> User:
    """Save what a person may change about themself; names and e-mail come from the SSO."""
    user.display_name = display_name
    user.phone = phone
    user.language = language
    user.default_location = default_location
    user.muted_notifications = muted_notifications
    user.save(
        update_fields=[
            "display_name",
            "phone",
            "language",
            "default_location",
            "muted_notifications",
        ]
    )
    return user


@transaction.atomic
def account_refresh_from_sso(*, user: User, attributes: dict, email_trusted: bool) -> list[str]:
    """Refresh an existing account from the university login's attributes; the changed fields.

    When the address changes, the former address records go, so that whoever gets that
    address later cannot reach this account through it.
    """
    from allauth.account.models import EmailAddress

    changed = sso.apply(user, attributes, email_trusted=email_trusted)
    if "email" in changed:
        EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    if changed:
        user.save(update_fields=changed)
    return changed


def timeline_order_set(*, user: User, newest_first: bool) -> User:
    """Remember in which order the person reads a ticket's timeline."""
    user.newest_first = newest_first
    user.save(update_fields=["newest_first"])
    return user
