"""Who uses and who manages canned answers: the one place that decides.

- using: anyone working tickets uses the active global answers and those of their teams;
- managing: a team's answers are managed by that team's technicians, the global ones
  by supervisors and admins; admins manage every answer;
- anyone else: the answer does not exist for them (views answer 404).
"""

from django.db.models import Q

from tickets import permissions as ticket_permissions

from .models import CannedAnswer


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def usable_q(user, kind: str) -> Q:
    """A filter for the answers the user may use in a followup or a solution form."""
    if not _active(user):
        return Q(pk__in=[])
    mine = Q(team__isnull=True) | Q(team__in=ticket_permissions.team_ids(user))
    return mine & Q(is_active=True, usable_for__in=[kind, CannedAnswer.Usage.BOTH])


def can_use(user, answer: CannedAnswer, kind: str) -> bool:
    if not (_active(user) and answer.is_active and answer.fits(kind)):
        return False
    return answer.is_global() or answer.team_id in ticket_permissions.team_ids(user)


def may_manage_any(user) -> bool:
    """Open the management pages: a technician of a team, a supervisor, an admin."""
    return _active(user) and ticket_permissions.is_active_technician(user)


def may_manage_global(user) -> bool:
    return _active(user) and ticket_permissions.is_supervisor(user)


def manageable_q(user) -> Q:
    """A filter for the answers the user manages (the back office's list)."""
    if not may_manage_any(user):
        return Q(pk__in=[])
    if ticket_permissions.is_admin(user):
        return Q()
    teams = Q(team__in=ticket_permissions.team_ids(user))
    return teams | Q(team__isnull=True) if may_manage_global(user) else teams


def can_manage_for(user, team_id: int | None) -> bool:
    """Create or keep an answer for this team (None: every team)."""
    if not may_manage_any(user):
        return False
    if team_id is None:
        return may_manage_global(user)
    return ticket_permissions.is_admin(user) or team_id in ticket_permissions.team_ids(user)


def can_manage(user, answer: CannedAnswer) -> bool:
    return can_manage_for(user, answer.team_id)


def manageable_team_ids(user) -> set[int] | None:
    """The teams the user may give an answer to; None for every team (an admin)."""
    if ticket_permissions.is_admin(user):
        return None
    return ticket_permissions.team_ids(user)
