"""The technician's writes that the ticket domain does not hold as one step."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.errors import DomainError
from tickets import permissions, selectors
from tickets import services as ticket_services
from tickets.models import HelpdeskSettings, Team, Ticket

from . import permissions as back_office_permissions
from .models import SavedSearch


def _team_and_assignee(technician, *, theme, category, location) -> tuple[Team | None, object]:
    """Where a ticket the technician takes for themself goes: (team to force, assignee).

    The routed team is kept when the technician belongs to it, so the routing rule's
    observers apply as for any ticket (team None lets ticket_create route it). A ticket
    the technician takes although the routing sends it elsewhere goes to their own first
    team instead: a technician is given tickets of their teams only, and the team that
    would have had it must not find in its queue a ticket someone else holds.
    """
    rule = ticket_services.find_routing_rule(theme=theme, category=category, location=location)
    routed = rule.team if rule is not None else HelpdeskSettings.load().default_team
    teams = permissions.team_ids(technician)
    if routed is None or routed.pk in teams or not teams:
        # An admin outside every team still holds it, in the routed team.
        return None, technician
    first = Team.objects.filter(pk__in=teams, is_active=True).order_by("name", "pk").first()
    return first, technician


@transaction.atomic
def ticket_file(
    *,
    technician,
    requester=None,
    contact: dict | None = None,
    title: str,
    description: str,
    type: str,
    theme,
    category=None,
    urgency: int,
    location=None,
    source: str,
    take: bool = False,
    solution: str = "",
    files=(),
) -> Ticket:
    """File a ticket for a caller or a visitor, as the portal does, in one transaction.

    The requester is picked from the directory, or created from `contact` (first_name,
    last_name, email, phone). With `solution` the technician solved it at once: they
    take the ticket and propose the solution, which the requester still accepts or
    refuses. A refused file or solution undoes everything, the new contact included.
    """
    if requester is None:
        requester = account_services.contact_create(**contact)
    team, assignee = None, None
    if take or solution:
        team, assignee = _team_and_assignee(
            technician, theme=theme, category=category, location=location
        )
    ticket = ticket_services.ticket_create(
        requester=requester,
        title=title,
        description=description,
        type=type,
        theme=theme,
        category=category,
        urgency=urgency,
        location=location,
        source=source,
        team=team,
        assignee=assignee,
        filed_by=technician,
    )
    # The files are the caller's: the technician attaches them when the ticket stays
    # within their reach, else they come in the requester's name as from the portal.
    uploader = technician if permissions.can_work_ticket(technician, ticket) else requester
    ticket_services.documents_attach(ticket=ticket, author=uploader, files=files)
    if solution:
        ticket_services.solution_propose(ticket=ticket, author=technician, content=solution)
    return ticket


@transaction.atomic
def saved_search_create(
    *, owner, name: str, queue: str, query: str, team: Team | None = None
) -> SavedSearch:
    """Keep a queue's filters (a query string QueueFilterForm validated) under a name.

    Shared with `team`, every member of that team gets it as a tab; without, its owner only.
    """
    if queue not in selectors.queue_names_for(owner):
        raise DomainError(_("This queue is not one of yours."))
    if not back_office_permissions.can_share_with(owner, team):
        raise DomainError(_("A search is shared only with one of your teams."))
    return SavedSearch.objects.create(
        owner=owner, name=name.strip(), queue=queue, query=query, team=team
    )


@transaction.atomic
def saved_search_delete(*, search: SavedSearch, actor) -> None:
    """Delete a saved search: its owner only, also when the team shares it."""
    if not back_office_permissions.can_delete_saved_search(actor, search):
        raise PermissionDenied
    search.delete()
