"""Who may see and do what with tickets: the one place that decides.

Roles on a ticket:
- requester, beneficiary, observer: see the ticket and its public items; the
  requester and the beneficiary accept or refuse a solution;
- technician of the ticket's team, its assignee, a supervisor of its team, an admin:
  see everything, private items included, and work the ticket;
- expert (holds a task on the ticket, in person or through a team): sees everything
  and adds followups, tasks and documents, but does not assign, transfer or solve;
- anyone else: the ticket does not exist for them (views answer 404).
"""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q

from .models import Task, TeamMembership, Ticket


def _memberships(user) -> dict[int, bool]:
    """Return {team id: is supervisor} for the user, cached on the user object."""
    cached = getattr(user, "_help_memberships", None)
    if cached is None:
        cached = dict(
            TeamMembership.objects.filter(user=user, team__is_active=True).values_list(
                "team_id", "is_manager"
            )
        )
        user._help_memberships = cached
    return cached


def team_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(_memberships(user))


def managed_team_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return {team_id for team_id, is_manager in _memberships(user).items() if is_manager}


def is_admin(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_superuser


def is_technician(user) -> bool:
    return is_admin(user) or bool(team_ids(user))


def is_active_technician(user) -> bool:
    """May take tickets and write the knowledge base: an active member of a team (or admin)."""
    return user is not None and user.is_active and is_technician(user)


def is_supervisor(user) -> bool:
    return is_admin(user) or bool(managed_team_ids(user))


def prime(*, users, tickets) -> None:
    """Answer the checks below for these users on these tickets from three queries.

    For a batch of e-mails (notifications.sending): the answers are kept on each user
    object, for these tickets only; any other ticket is still asked of the database.
    """
    users = [user for user in users if user.is_authenticated]
    user_ids = {user.pk for user in users}
    ticket_ids = {ticket.pk for ticket in tickets}
    if not user_ids or not ticket_ids:
        return
    memberships = defaultdict(dict)
    rows = TeamMembership.objects.filter(user__in=user_ids, team__is_active=True)
    for user_id, team_id, is_manager in rows.values_list("user_id", "team_id", "is_manager"):
        memberships[user_id][team_id] = is_manager
    observed = defaultdict(set)
    rows = Ticket.observers.through.objects.filter(user__in=user_ids, ticket__in=ticket_ids)
    for user_id, ticket_id in rows.values_list("user_id", "ticket_id"):
        observed[user_id].add(ticket_id)
    team_ids_held = {team_id for teams in memberships.values() for team_id in teams}
    held = defaultdict(set)  # (user or team) -> tickets where they hold a task
    tasks = Task.objects.filter(ticket__in=ticket_ids).filter(
        Q(assigned_user__in=user_ids) | Q(assigned_team__in=team_ids_held)
    )
    for ticket_id, user_id, team_id in tasks.values_list(
        "ticket_id", "assigned_user_id", "assigned_team_id"
    ):
        held["user", user_id].add(ticket_id)
        held["team", team_id].add(ticket_id)
    for user in users:
        user._help_memberships = memberships[user.pk]
        expert = set(held["user", user.pk])
        for team_id in memberships[user.pk]:
            expert |= held["team", team_id]
        user._help_ticket_roles = (ticket_ids, observed[user.pk], expert)


def _primed(user, ticket: Ticket):
    """The (observes, holds a task) answers prime() kept for this ticket, or None."""
    roles = getattr(user, "_help_ticket_roles", None)
    if roles is None or ticket.pk not in roles[0]:
        return None
    return ticket.pk in roles[1], ticket.pk in roles[2]


def is_party(user, ticket: Ticket) -> bool:
    """Tell whether the user filed the ticket, benefits from it or observes it."""
    if not user.is_authenticated:
        return False
    if user.pk in (ticket.requester_id, ticket.beneficiary_id):
        return True
    primed = _primed(user, ticket)
    if primed is not None:
        return primed[0]
    return ticket.observers.filter(pk=user.pk).exists()


def held_tasks(user):
    """The tasks given to the user, in person or through one of their teams."""
    return Task.objects.filter(Q(assigned_user=user) | Q(assigned_team__in=team_ids(user)))


def party_q(user) -> Q:
    """A filter for the tickets the user filed, benefits from or observes.

    One id list of three index lookups (ticket_requester, ticket_beneficiary, the
    observers' user index) rather than one predicate ORing them, which no index serves:
    "Mes demandes d'assistance" would read the whole ticket table.
    """
    ids = Ticket.objects.order_by().values("id")
    observed = Ticket.observers.through.objects.filter(user=user).values("ticket_id")
    parties = ids.filter(requester=user).union(ids.filter(beneficiary=user), observed, all=True)
    return Q(pk__in=parties)


def is_expert(user, ticket: Ticket) -> bool:
    """Tell whether the user holds a task on the ticket, in person or through a team."""
    if not user.is_authenticated:
        return False
    primed = _primed(user, ticket)
    if primed is not None:
        return primed[1]
    return held_tasks(user).filter(ticket=ticket).exists()


def can_manage_ticket(user, ticket: Ticket) -> bool:
    """Assign, transfer, change fields, propose a solution."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_admin(user):
        return True
    return ticket.assignee_id == user.pk or ticket.team_id in team_ids(user)


def can_give_task(user, ticket: Ticket, *, assigned_user=None, assigned_team=None) -> bool:
    """Give a task to someone: whoever manages the ticket; an expert only to themselves.

    A task makes its holder an expert who reads the private notes, so an expert must not
    be able to pass that on to anyone they like.
    """
    if can_manage_ticket(user, ticket):
        return True
    if assigned_user is not None and assigned_user.pk != user.pk:
        return False
    return assigned_team is None or assigned_team.pk in team_ids(user)


def can_work_ticket(user, ticket: Ticket) -> bool:
    """Add followups, tasks and documents, and see private items."""
    return can_manage_ticket(user, ticket) or (user.is_active and is_expert(user, ticket))


def can_see_private(user, ticket: Ticket) -> bool:
    return can_work_ticket(user, ticket)


def can_view_ticket(user, ticket: Ticket) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    # The answers that need no query first: who filed it, who it is for, who works it.
    if user.pk in (ticket.requester_id, ticket.beneficiary_id) or can_manage_ticket(user, ticket):
        return True
    return is_party(user, ticket) or can_work_ticket(user, ticket)


def can_add_followup(user, ticket: Ticket) -> bool:
    return can_view_ticket(user, ticket)


def can_decide_solution(user, ticket: Ticket) -> bool:
    """Accept or refuse a solution: the requester or the beneficiary only."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.pk in (ticket.requester_id, ticket.beneficiary_id)


def can_complete_task(user, task: Task) -> bool:
    if can_manage_ticket(user, task.ticket):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return task.assigned_user_id == user.pk or task.assigned_team_id in team_ids(user)


def visible_tickets_q(user) -> Q:
    """A filter for the tickets the user may see (see tickets_visible_to)."""
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if is_admin(user):
        return Q()
    # Tested row by row, so that a list read in the order of an index ("Tous") stops at
    # its page, and a search's few tickets are checked one by one: an id subquery here
    # would be hashed whole first, and priced again for each of those tickets.
    observed = Ticket.observers.through.objects.filter(user=user, ticket=OuterRef("pk"))
    return (
        Q(requester=user)
        | Q(beneficiary=user)
        | Q(Exists(observed))
        | Q(team__in=team_ids(user))
        | Q(assignee=user)
        | Q(Exists(held_tasks(user).filter(ticket=OuterRef("pk"))))
    )


def can_use_back_office(user) -> bool:
    """Technicians, and anyone who was given a task as an expert."""
    if is_technician(user):
        return True
    return user.is_active and Task.objects.filter(assigned_user=user).exists()


def supervised_tickets_q(user) -> Q:
    """The tickets a supervisor's dashboard counts: their teams', or every one for an admin."""
    if is_admin(user):
        return Q()
    return Q(team__in=managed_team_ids(user))


def may_search_private_notes(user, queue: str) -> bool:
    """ "Tous" may hold tickets the user only filed or observes: no search in their notes."""
    return queue != "all" or is_admin(user)


def can_link_tickets(user, ticket: Ticket, other: Ticket) -> bool:
    """Link, unlink or merge: manage the ticket being changed, and see the other one."""
    return can_manage_ticket(user, ticket) and can_view_ticket(user, other)
