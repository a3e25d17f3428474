"""Who sees and changes the back office's own things: the saved searches."""

from django.db.models import Q

from core.sql import Compiled
from tickets import permissions

from .models import SavedSearch


def visible_saved_searches_q(user) -> Q:
    """A saved search is seen by its owner and by the members of the team it is shared with."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return _owned_or_shared_q(user.pk, list(permissions.team_ids(user)))


def _owned_or_shared_q(owner: int, teams: list[int]) -> Q:
    return Q(owner=owner) | Q(team__among=teams)


# Asked on every page of a queue, for its tabs: compiled once (core.sql.Compiled).
_VISIBLE_ON_QUEUES = Compiled(
    lambda owner, teams, queues: SavedSearch.objects.filter(
        _owned_or_shared_q(owner, teams), queue__among=queues
    )
)


def visible_saved_searches(user, queues: list[str]) -> list[SavedSearch]:
    """The saved searches the user sees (visible_saved_searches_q) on these queues."""
    if not user.is_authenticated:
        return []
    return _VISIBLE_ON_QUEUES.all(user.pk, list(permissions.team_ids(user)), queues)


def can_delete_saved_search(user, search: SavedSearch) -> bool:
    """Only its owner deletes a search, shared or not."""
    return user.is_authenticated and search.owner_id == user.pk


def can_share_with(user, team) -> bool:
    """A search is shared with one of its owner's teams only."""
    return team is None or team.pk in permissions.team_ids(user)
