"""The ticket workflow: its statuses, and which action moves a ticket from what to what.

The services consult `move` before they change anything; the back office's buttons and
its status form read `actions_for` and `status_choices`. A new status or action is
declared here (and performed by its service, which may add conditions of its own, such
as "a ticket given to a technician cannot be new").

History keeps a status as its number, GLPI's numbering ("1" for new ... "6" for
closed), as it keeps every field's raw value; `selectors.history_rows` shows its label.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import TicketError


class Status(models.IntegerChoices):
    NEW = 1, gettext_lazy("New")
    ASSIGNED = 2, gettext_lazy("In progress (assigned)")
    PLANNED = 3, gettext_lazy("In progress (planned)")
    PENDING = 4, gettext_lazy("Pending")
    SOLVED = 5, gettext_lazy("Solved")
    CLOSED = 6, gettext_lazy("Closed")


# Being worked: neither waiting for the requester's decision nor closed.
WORKING = frozenset({Status.NEW, Status.ASSIGNED, Status.PLANNED, Status.PENDING})
NOT_CLOSED = WORKING | {Status.SOLVED}
# Waiting for the requester's side: a solution to decide, or what the technician asked for.
WAITING_FOR_REQUESTER = frozenset({Status.SOLVED, Status.PENDING})

# Where an action leads, besides a status of its own.
STAY = "stay"  # the status does not change
BACK_TO_WORK = "back to work"  # assigned when a technician holds the ticket, else new

# Who may act, as the name of the rule in tickets.permissions that decides it.
MANAGER = "can_manage_ticket"  # its team, technician and supervisors, admins
WORKER = "can_work_ticket"  # the same, and the experts who hold one of its tasks
VIEWER = "can_add_followup"  # anyone who sees the ticket, its requester included
DECIDER = "can_decide_solution"  # its requester and beneficiary
SYSTEM = ""  # a job, never a person


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: Status | str
    who: str


TRANSITIONS = [
    Transition("assign", frozenset({Status.NEW}), Status.ASSIGNED, MANAGER),
    Transition("assign", NOT_CLOSED - {Status.NEW}, STAY, MANAGER),
    Transition("unassign", frozenset({Status.ASSIGNED}), Status.NEW, MANAGER),
    Transition("unassign", NOT_CLOSED - {Status.ASSIGNED}, STAY, MANAGER),
    Transition("edit", NOT_CLOSED, STAY, MANAGER),
    Transition("set_status", WORKING, Status.NEW, MANAGER),
    Transition("set_status", WORKING, Status.ASSIGNED, MANAGER),
    Transition("set_status", WORKING, Status.PENDING, MANAGER),
    Transition("transfer", WORKING, Status.NEW, MANAGER),
    Transition("followup", NOT_CLOSED, STAY, VIEWER),
    Transition("document", NOT_CLOSED, STAY, VIEWER),
    # The requester's side sends what the technician was waiting for.
    Transition("answer", frozenset({Status.PENDING}), BACK_TO_WORK, VIEWER),
    Transition("task", WORKING, STAY, WORKER),
    Transition("plan", WORKING, Status.PLANNED, WORKER),
    # The last planned task is done.
    Transition("unplan", frozenset({Status.PLANNED}), BACK_TO_WORK, WORKER),
    Transition("solve", WORKING, Status.SOLVED, MANAGER),
    Transition("accept", frozenset({Status.SOLVED}), Status.CLOSED, DECIDER),
    Transition("refuse", frozenset({Status.SOLVED}), BACK_TO_WORK, DECIDER),
    Transition("auto_close", frozenset({Status.SOLVED}), Status.CLOSED, SYSTEM),
    # A duplicate goes into the ticket that carries the request (ticket_merge).
    Transition("merge", NOT_CLOSED, Status.CLOSED, MANAGER),
]
ACTIONS = sorted({t.action for t in TRANSITIONS})


def _refusal(action: str, status: int) -> str:
    """Why the action cannot be done while the ticket has this status."""
    if action in ("accept", "refuse", "auto_close"):
        if status == Status.CLOSED:
            return _("This ticket is already closed.")
        return _("No solution is waiting for an answer on this ticket.")
    if status == Status.CLOSED:
        return _("This ticket is closed: it can no longer be changed.")
    if action == "solve":
        return _("A solution is already waiting for the requester's answer.")
    if status == Status.SOLVED:
        return _("A solution is waiting for the requester's answer: wait for it or add a followup.")
    return _("This ticket cannot do that now.")


def _rows(action: str, status: int, target=None) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS
        if t.action == action and status in t.sources and target in (None, t.target)
    ]


def allows(action: str, status: int, target=None) -> bool:
    """Tell whether the action (towards this target, if given) is open from this status."""
    return bool(_rows(action, status, target))


def may(user, action: str, ticket) -> bool:
    """Tell whether the user is one of those who may do the action on the ticket."""
    from . import permissions

    who = {t.who for t in TRANSITIONS if t.action == action}
    return any(rule and getattr(permissions, rule)(user, ticket) for rule in who)


def move(action: str, ticket, *, user=None, target=None) -> int:
    """The ticket's status after the action; refuse who may not, and what cannot be done.

    Raise PermissionDenied when `user` may not do the action, and TicketError with the
    reason when the ticket's status does not allow it. `target` chooses among the rows
    of an action that lead to several statuses (set_status).
    """
    if user is not None and not may(user, action, ticket):
        raise PermissionDenied
    rows = _rows(action, ticket.status, target)
    if not rows:
        raise TicketError(_refusal(action, ticket.status))
    to = rows[0].target
    if to == STAY:
        return ticket.status
    if to == BACK_TO_WORK:
        return Status.ASSIGNED if ticket.assignee_id else Status.NEW
    return to


def followup_refuses(user, ticket) -> bool:
    """Tell whether a message from the user refuses the waiting solution, as in GLPI.

    The requester or the beneficiary who writes while a solution waits says it does not
    suit them: the message is the reason. Someone who works the ticket, or an observer,
    only adds a message.
    """
    from . import permissions

    return (
        allows("refuse", ticket.status)
        and may(user, "refuse", ticket)
        and not permissions.can_work_ticket(user, ticket)
    )


def actions_for(user, ticket) -> set[str]:
    """The actions the user may do on the ticket now, for the page's buttons and forms."""
    from . import permissions

    open_now = [t for t in TRANSITIONS if ticket.status in t.sources and t.who]
    rules = {rule: getattr(permissions, rule)(user, ticket) for rule in {t.who for t in open_now}}
    return {t.action for t in open_now if rules[t.who]}


def history_value(status: int) -> str:
    """A status as History keeps it: its number as text."""
    return str(int(status))


def status_choices() -> list[tuple[int, str]]:
    """The statuses a technician may set by hand (from a status that allows it)."""
    targets = {t.target for t in TRANSITIONS if t.action == "set_status"}
    return [(s.value, s.label) for s in Status if s in targets]
