"""Who sees and changes the back office's own things: the saved searches."""

from django.db.models import Q

from tickets import permissions

from .models import SavedSearch


def visible_saved_searches_q(user) -> Q:
    """A saved search is seen by its owner and by the members of the team it is shared with."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(owner=user) | Q(team__in=permissions.team_ids(user))


def can_delete_saved_search(user, search: SavedSearch) -> bool:
    """Only its owner deletes a search, shared or not."""
    return user.is_authenticated and search.owner_id == user.pk


def can_share_with(user, team) -> bool:
    """A search is shared with one of its owner's teams only."""
    return team is None or team.pk in permissions.team_ids(user)
