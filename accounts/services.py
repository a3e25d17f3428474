"""Every change to a person's account that Help makes (the profile, the university login)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import sso
from .errors import AccountError
from .models import User


def email_taken(email: str) -> bool:
    """Tell whether an account already has this address (as its e-mail or its login name)."""
    email = email.strip()
    return User.objects.filter(email__iexact=email).exists() or (
        User.objects.filter(username__iexact=email).exists()
    )


@transaction.atomic
def contact_create(*, first_name: str, last_name: str, email: str, phone: str = "") -> User:
    """Create the account of someone a technician files a ticket for, who has none yet.

    It has no password: the person logs in later through the university's login, which
    links to this account by its e-mail address once the provider vouches for it (see
    accounts.adapter.SocialAccountAdapter.authenticate_by_email).
    """
    email = email.strip()
    refusal = AccountError(
        _("An account already has the e-mail address %(email)s: choose that person instead.")
        % {"email": email}
    )
    if not email or email_taken(email):
        raise refusal
    user = User(
        username=email[:150],
        email=email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        phone=phone.strip()[:40],
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():  # someone else took the address at the same moment
            user.save()
    except IntegrityError:
        raise refusal from None
    return user


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
