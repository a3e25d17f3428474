"""Every change to a ticket: one transaction each, each written to the history.

Callers check that the user may *see* the ticket (and answer 404 when not); the
services re-check what the user may *do* and raise PermissionDenied, and raise
TicketError with a translated message when the workflow forbids the change.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.files import files_removed_on_error
from core.html import clean_html, has_text
from core.sql import insert_select

from . import delays, events, fulltext, links, permissions, stats, workflow
from .errors import TicketError
from .models import (
    Category,
    Document,
    Followup,
    HelpdeskSettings,
    History,
    Location,
    RoutingRule,
    Solution,
    Task,
    Team,
    Theme,
    Ticket,
    TicketLink,
    TicketSeen,
    compute_priority,
)

Status = workflow.Status


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so two changes never interleave."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _display(value) -> str:
    """A field's value as History keeps it: its raw value as text (a status's number)."""
    return "" if value is None else str(value)[:255]


def _record(ticket: Ticket, actor, field: str, old, new, *, at=None) -> None:
    History.objects.create(
        ticket=ticket,
        actor=actor,
        field=field,
        old_value=_display(old),
        new_value=_display(new),
        created_at=at or timezone.now(),
    )


def _followup_create(*, ticket: Ticket, **fields) -> Followup:
    """Write a followup, and the words its ticket is searched by (tickets.fulltext)."""
    followup = Followup.objects.create(ticket=ticket, **fields)
    fulltext.refresh([ticket.pk])
    return followup


def _change(ticket: Ticket, actor, **changes) -> None:
    """Set fields on a locked ticket, write one history entry per real change, save."""
    now = timezone.now()
    before = stats.snapshot(ticket)
    changed = ["last_activity_at"]
    done = {}
    for field, new in changes.items():
        old = getattr(ticket, field)
        if old == new:
            continue
        setattr(ticket, field, new)
        changed.append(field)
        done[field] = (old, new)
        if not field.endswith("_at"):
            _record(ticket, actor, field, old, new, at=now)
    ticket.last_activity_at = now
    ticket.save(update_fields=changed)
    stats.ticket_changed(ticket, before, at=now)
    if done:
        events.announce("ticket_changed", ticket=ticket, actor=actor, changes=done, at=now)


def find_routing_rule(
    *, theme: Theme | None, category: Category | None, location: Location | None
) -> RoutingRule | None:
    """Return the first active rule that matches (a rule's tree nodes match their subtrees)."""

    def matches(field, node):
        if node is None:
            return Q(**{f"{field}__isnull": True})
        return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": node.ancestor_ids()})

    return (
        RoutingRule.objects.filter(is_active=True, team__is_active=True)
        .filter(matches("theme", theme), matches("category", category))
        .filter(matches("location", location))
        .select_related("team", "assignee")
        .order_by("position", "id")
        .first()
    )


@transaction.atomic
def ticket_create(
    *,
    requester,
    title: str,
    description: str = "",
    type: str = Ticket.Type.INCIDENT,
    theme: Theme | None = None,
    category: Category | None = None,
    urgency: int = 3,
    impact: int = 3,
    beneficiary=None,
    location_mode: str = Ticket.LocationMode.ON_SITE,
    location: Location | None = None,
    source: str = Ticket.Source.PORTAL,
    answers: list | None = None,
    observers=(),
    team: Team | None = None,
    assignee=None,
    filed_by=None,
    follows: Ticket | None = None,
) -> Ticket:
    """File a ticket; `filed_by` is the technician who typed it in for the requester.

    `follows` is the closed ticket this one takes up (ticket_follow_up_closed): the two
    are linked before the ticket is announced, so its confirmation can name the old one.
    """
    title = " ".join((title or "").split())
    if not title:
        raise TicketError(_("A ticket needs a title."))
    if category is None and theme is not None:
        category = theme.category
    observers = list(observers)
    if team is None:
        rule = find_routing_rule(theme=theme, category=category, location=location)
        if rule is not None:
            team = rule.team
            if assignee is None and permissions.is_active_technician(rule.assignee):
                assignee = rule.assignee
            observers += list(rule.observers.all())
        else:
            team = HelpdeskSettings.load().default_team
    now = timezone.now()
    ticket = Ticket.objects.create(
        type=type,
        title=title[:255],
        description=clean_html(description),
        status=Status.ASSIGNED if assignee else Status.NEW,
        urgency=urgency,
        impact=impact,
        priority=compute_priority(urgency, impact),
        theme=theme,
        category=category,
        requester=requester,
        beneficiary=beneficiary or requester,
        location_mode=location_mode,
        location=location,
        team=team,
        assignee=assignee,
        source=source,
        filed_by=filed_by,
        answers=answers or [],
        created_at=now,
        taken_at=now if assignee else None,
        last_activity_at=now,
    )
    fulltext.refresh([ticket.pk])
    if observers:
        ticket.observers.add(*observers)
    # The history names who typed the ticket in: the requester, or the technician for them.
    _record(ticket, filed_by or requester, "status", None, ticket.status)
    stats.ticket_added(ticket)
    if follows is not None:
        link = TicketLink.objects.create(
            from_ticket=ticket, to_ticket=follows, kind=links.RELATED, created_by=requester
        )
        _record_link(link, requester)
    events.announce("ticket_created", ticket=ticket, follows=follows)
    return ticket


@transaction.atomic
def ticket_update(*, ticket: Ticket, actor, **changes) -> Ticket:
    """Change the ticket's descriptive fields; urgency and impact recompute the priority."""
    allowed = {"title", "type", "category", "urgency", "impact", "priority"}
    allowed |= {"location_mode", "location"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"ticket_update cannot change {sorted(unknown)}")
    ticket = _lock(ticket)
    workflow.move("edit", ticket, user=actor)
    if ("urgency" in changes or "impact" in changes) and "priority" not in changes:
        changes["priority"] = compute_priority(
            changes.get("urgency", ticket.urgency), changes.get("impact", ticket.impact)
        )
    _change(ticket, actor, **changes)
    if "title" in changes:
        fulltext.refresh([ticket.pk])
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, assignee) -> Ticket:
    """Give the ticket to a technician (or to nobody, with assignee=None)."""
    ticket = _lock(ticket)
    action = "unassign" if assignee is None else "assign"
    changes = {"status": workflow.move(action, ticket, user=actor), "assignee": assignee}
    if assignee is not None and not permissions.is_active_technician(assignee):
        raise TicketError(_("Only an active technician can be given a ticket."))
    if assignee is not None and ticket.taken_at is None:
        changes["taken_at"] = timezone.now()
    _change(ticket, actor, **changes)
    if "taken_at" in changes:
        events.announce("ticket_taken", ticket=ticket)
    return ticket


@transaction.atomic
def ticket_observers_change(*, ticket: Ticket, actor, add=(), remove=()) -> Ticket:
    """Add or remove people who follow the ticket without filing or working it."""
    ticket = _lock(ticket)
    workflow.move("edit", ticket, user=actor)
    current = set(ticket.observers.all())
    for person in set(add) - current:
        ticket.observers.add(person)
        _record(ticket, actor, "observers", None, person)
    for person in set(remove) & current:
        ticket.observers.remove(person)
        _record(ticket, actor, "observers", person, None)
    _change(ticket, actor)
    return ticket


def ticket_take(*, ticket: Ticket, actor) -> Ticket:
    """Take the ticket for oneself ("Prendre en charge")."""
    return ticket_assign(ticket=ticket, actor=actor, assignee=actor)


@transaction.atomic
def ticket_transfer(*, ticket: Ticket, actor, team: Team, comment: str) -> Ticket:
    """Hand the ticket to another team, which receives it as new; the reason is kept."""
    ticket = _lock(ticket)
    status = workflow.move("transfer", ticket, user=actor)
    comment = clean_html(comment)
    if not has_text(comment):
        raise TicketError(_("Say why you transfer the ticket."))
    if not team.is_active:
        raise TicketError(_("This team is not active."))
    if team.pk == ticket.team_id:
        raise TicketError(_("The ticket is already with this team."))
    _followup_create(ticket=ticket, author=actor, content=comment, is_private=True)
    _change(ticket, actor, team=team, assignee=None, status=status)
    events.announce("ticket_transferred", ticket=ticket)
    return ticket


@transaction.atomic
def ticket_set_status(*, ticket: Ticket, actor, status: int) -> Ticket:
    """Move an open ticket between new, in progress and pending.

    Solving goes through solution_propose, planning through a planned task, and
    closing through the requester's acceptance or the auto-close: never from here.
    """
    ticket = _lock(ticket)
    workflow.move("set_status", ticket, user=actor)  # from where the ticket is
    if status in (Status.SOLVED, Status.CLOSED):
        raise TicketError(
            _("A technician does not close a ticket: propose a solution to the requester.")
        )
    if status == Status.PLANNED:
        raise TicketError(_("A ticket becomes planned when you add a task with a planned date."))
    status = workflow.move("set_status", ticket, target=status)
    if status == Status.ASSIGNED and not ticket.assignee_id:
        raise TicketError(_("Give the ticket to a technician first."))
    if status == Status.NEW and ticket.assignee_id:
        raise TicketError(_("A ticket given to a technician cannot be new."))
    was_pending = ticket.status == Status.PENDING
    _change(ticket, actor, status=status)
    if status == Status.PENDING and not was_pending:
        question = ticket.followups.filter(is_private=False).order_by("-created_at").first()
        events.announce("ticket_pending", ticket=ticket, question=question)
    return ticket


@transaction.atomic
def followup_add(*, ticket: Ticket, author, content: str, is_private: bool = False) -> Followup:
    ticket = _lock(ticket)
    workflow.move("followup", ticket, user=author)
    content = clean_html(content)
    if not has_text(content):
        raise TicketError(_("The followup is empty."))
    works_on_it = permissions.can_work_ticket(author, ticket)
    # Only technicians write private notes; the flag is ignored from anyone else.
    followup = _followup_create(
        ticket=ticket, author=author, content=content, is_private=is_private and works_on_it
    )
    _record(ticket, author, "followup", None, followup.pk)
    if workflow.followup_refuses(author, ticket):
        # Writing instead of deciding: the solution does not suit them (GLPI does the same).
        _refuse(ticket, _waiting_solution(ticket), author, reason=followup)
        return followup
    changes = {} if works_on_it else {"attention_at": timezone.now()}
    if not works_on_it and workflow.allows("answer", ticket.status):
        # The requester answered what we were waiting for.
        changes["status"] = workflow.move("answer", ticket)
    _change(ticket, author, **changes)
    events.announce("followup_added", followup=followup)
    return followup


@transaction.atomic
def task_add(
    *,
    ticket: Ticket,
    author,
    content: str,
    is_private: bool = False,
    state: str = Task.State.TODO,
    duration_minutes: int = 0,
    planned_start=None,
    planned_end=None,
    assigned_user=None,
    assigned_team: Team | None = None,
) -> Task:
    """Add a task; giving it to someone outside the team makes them an expert on the ticket."""
    ticket = _lock(ticket)
    workflow.move("task", ticket, user=author)
    content = clean_html(content)
    if not has_text(content):
        raise TicketError(_("Describe the task."))
    if planned_start and planned_end and planned_end < planned_start:
        raise TicketError(_("The planned end comes before the planned start."))
    if not permissions.can_give_task(
        author, ticket, assigned_user=assigned_user, assigned_team=assigned_team
    ):
        raise PermissionDenied
    if assigned_user is not None and not assigned_user.is_active:
        raise TicketError(_("This person's account is deactivated."))
    if (
        assigned_user is not None
        and permissions.is_party(assigned_user, ticket)
        and not permissions.can_manage_ticket(assigned_user, ticket)
    ):
        # An expert sees private notes: the requester's side must not become one.
        raise TicketError(
            _("A task cannot be given to the requester, the beneficiary or an observer.")
        )
    if assigned_team is not None and not assigned_team.is_active:
        raise TicketError(_("This team is not active."))
    now = timezone.now()
    task = Task.objects.create(
        ticket=ticket,
        author=author,
        content=content,
        is_private=is_private,
        state=state,
        duration_minutes=duration_minutes,
        planned_start=planned_start,
        planned_end=planned_end,
        assigned_user=assigned_user,
        assigned_team=assigned_team,
        done_at=now if state == Task.State.DONE else None,
    )
    _record(ticket, author, "task", None, task.pk)
    changes = {}
    if state == Task.State.TODO and planned_start is not None:
        changes["status"] = workflow.move("plan", ticket)
    _change(ticket, author, **changes)
    if assigned_user is not None or assigned_team is not None:
        events.announce("task_assigned", task=task)
    if not task.is_private:
        events.announce("task_added", task=task)
    return task


@transaction.atomic
def task_complete(*, task: Task, actor) -> Task:
    ticket = _lock(task.ticket)
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.ticket = ticket
    if not permissions.can_complete_task(actor, task):
        raise PermissionDenied
    workflow.move("edit", ticket)  # refused once the ticket is closed
    if task.state == Task.State.DONE:
        raise TicketError(_("This task is already done."))
    task.state = Task.State.DONE
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["state", "done_at", "done_by"])
    _record(ticket, actor, "task", Task.State.TODO, Task.State.DONE)
    changes = {} if actor.pk == ticket.assignee_id else {"attention_at": task.done_at}
    still_planned = ticket.tasks.filter(state=Task.State.TODO, planned_start__isnull=False)
    if workflow.allows("unplan", ticket.status) and not still_planned.exists():
        changes["status"] = workflow.move("unplan", ticket)
    _change(ticket, actor, **changes)
    events.announce("task_done", task=task)
    return task


@transaction.atomic
def document_add(
    *,
    ticket: Ticket,
    author,
    file,
    is_private: bool = False,
    followup: Followup | None = None,
    task: Task | None = None,
    solution: Solution | None = None,
) -> Document:
    ticket = _lock(ticket)
    workflow.move("document", ticket, user=author)
    if any(item is not None and item.ticket_id != ticket.pk for item in (followup, task, solution)):
        raise ValueError("document_add: the item belongs to another ticket")
    works_on_it = permissions.can_work_ticket(author, ticket)
    parent_private = any(item is not None and item.is_private for item in (followup, task))
    is_private = (is_private or parent_private) and works_on_it
    document = Document(
        ticket=ticket,
        is_private=is_private,
        uploaded_by=author,
        followup=followup,
        task=task,
        solution=solution,
    )
    with files_removed_on_error() as stored:
        document.store(file)
        stored.append(document)
        document.save()
        _record(ticket, author, "document", None, document.original_name)
        changes = {} if works_on_it else {"attention_at": timezone.now()}
        if not works_on_it and workflow.allows("answer", ticket.status):
            # The requester sent what we were waiting for, as a file.
            changes["status"] = workflow.move("answer", ticket)
        _change(ticket, author, **changes)
    if works_on_it and not is_private and not any((followup, task, solution)):
        # The requester hears of a file we add; a file on an item travels with its message.
        events.announce("document_added", document=document)
    return document


@transaction.atomic
def documents_attach(*, ticket: Ticket, author, files, followup=None) -> list[Document]:
    """Attach several files; if one is refused or anything fails, none stays stored."""
    with files_removed_on_error() as documents:
        for upload in files:
            documents.append(
                document_add(ticket=ticket, author=author, file=upload, followup=followup)
            )
    return documents


@transaction.atomic
def followup_with_files(
    *, ticket: Ticket, author, content: str, is_private: bool = False, files=()
) -> Followup | None:
    """A followup and its files; files alone need no empty message."""
    followup = None
    if has_text(content) or not files:
        followup = followup_add(
            ticket=ticket, author=author, content=content, is_private=is_private
        )
    documents_attach(ticket=ticket, author=author, files=files, followup=followup)
    return followup


@transaction.atomic
def inline_marks_replace(*, ticket: Ticket, followup: Followup | None = None, links: dict) -> None:
    """Put links where a new description or followup marks its inline files.

    A message shows its images inline; Help stores them as documents, served only by
    the view that checks the ticket, so the text links there once they have their ids.
    `links` maps each mark, as the cleaned text holds it, to the HTML replacing it.
    """
    item, field = (followup, "content") if followup is not None else (ticket, "description")
    text = getattr(item, field)
    for mark, html in links.items():
        text = text.replace(mark, html)
    setattr(item, field, clean_html(text))
    item.save(update_fields=[field])
    fulltext.refresh([ticket.pk])


@transaction.atomic
def solution_propose(*, ticket: Ticket, author, content: str) -> Solution:
    ticket = _lock(ticket)
    status = workflow.move("solve", ticket, user=author)
    content = clean_html(content)
    if not has_text(content):
        raise TicketError(_("Describe the solution."))
    now = timezone.now()
    solution = Solution.objects.create(ticket=ticket, author=author, content=content)
    changes = {
        "status": status,
        "solved_at": now,
        "auto_close_at": delays.auto_close_at(ticket, now),
    }
    if ticket.taken_at is None:
        changes["taken_at"] = now
    _change(ticket, author, **changes)
    events.announce("solution_proposed", solution=solution)
    return solution


def _waiting_solution(ticket: Ticket) -> Solution:
    solution = ticket.solutions.select_for_update().filter(status=Solution.Status.WAITING).first()
    if solution is None:
        raise TicketError(_("No solution is waiting for an answer on this ticket."))
    return solution


def _decide(solution: Solution, actor, status: str, at=None) -> Solution:
    solution.status = status
    solution.decided_by = actor
    solution.decided_at = at or timezone.now()
    solution.save(update_fields=["status", "decided_by", "decided_at"])
    return solution


@transaction.atomic
def solution_accept(*, ticket: Ticket, actor) -> Solution:
    """The requester approves the solution: the ticket is closed."""
    ticket = _lock(ticket)
    status = workflow.move("accept", ticket, user=actor)
    solution = _decide(_waiting_solution(ticket), actor, Solution.Status.ACCEPTED)
    _change(ticket, actor, status=status, closed_at=solution.decided_at)
    events.announce("ticket_closed", ticket=ticket, automatic=False)
    return solution


@transaction.atomic
def solution_refuse(*, ticket: Ticket, actor, reason: str) -> Solution:
    """The requester rejects the solution; the reason is kept and the work goes on."""
    ticket = _lock(ticket)
    workflow.move("refuse", ticket, user=actor)
    solution = _waiting_solution(ticket)
    reason = clean_html(reason)
    if not has_text(reason):
        raise TicketError(_("Say why the solution does not suit you."))
    followup = _followup_create(ticket=ticket, author=actor, content=reason, is_private=False)
    return _refuse(ticket, solution, actor, reason=followup)


def _refuse(ticket: Ticket, solution: Solution, actor, *, reason: Followup) -> Solution:
    """Refuse the waiting solution of a locked ticket, the followup being the reason."""
    status = workflow.move("refuse", ticket)
    solution.refusal = reason
    solution.save(update_fields=["refusal"])
    _decide(solution, actor, Solution.Status.REFUSED, at=reason.created_at)
    _change(
        ticket,
        actor,
        status=status,
        solved_at=None,
        auto_close_at=None,
        attention_at=timezone.now(),
    )
    events.announce("solution_refused", solution=solution, reason=reason)
    return solution


def tickets_auto_close(*, now=None, batch_size: int = 10_000) -> list[int]:
    """Close the solved tickets whose solution has waited past the delay; return their ids.

    The delay was counted when the solution was proposed (`Ticket.auto_close_at`, in
    calendar or working days), so the job only compares that date with now.

    Each batch claims its rows with SKIP LOCKED, then closes them set-based: one UPDATE
    for the tickets, one for their solutions, one INSERT ... SELECT for their history,
    one for the dashboard's counts and one announcement for the whole batch, so no row
    goes through Python but its id. A requester deciding at the same moment either wins
    the row lock first (the ticket is then no longer solved) or waits and finds it
    closed. Running it again finds nothing to do.
    """
    now = now or timezone.now()
    (rule,) = [t for t in workflow.TRANSITIONS if t.action == "auto_close"]
    closed: list[int] = []
    while True:
        with transaction.atomic():
            due = (
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(status__in=rule.sources, auto_close_at__lte=now)
                .order_by("auto_close_at", "id")
                .values_list("id", flat=True)[:batch_size]
            )
            ids = list(due)
            if not ids:
                return closed
            batch = Ticket.objects.filter(pk__among=ids).order_by()
            stats.tickets_closed(batch)
            Solution.objects.filter(ticket__among=ids, status=Solution.Status.WAITING).update(
                status=Solution.Status.ACCEPTED, decided_by=None, decided_at=now
            )
            batch.update(status=rule.target, closed_at=now, last_activity_at=now)
            insert_select(
                History,
                batch.values(
                    ticket_ref=F("pk"),
                    field_name=Value("status"),
                    old=Value(workflow.history_value(Status.SOLVED)),
                    new=Value(workflow.history_value(rule.target)),
                    at=Value(now, output_field=DateTimeField()),
                ),
                {
                    "ticket_id": "ticket_ref",
                    "field": "field_name",
                    "old_value": "old",
                    "new_value": "new",
                    "created_at": "at",
                },
            )
            events.announce("tickets_auto_closed", ids=ids)
            closed.extend(ids)
        if len(ids) < batch_size:
            return closed


# Links between tickets, duplicates and parents ---------------------------------------


def _not_found() -> TicketError:
    # The same words whether the number is unknown or the actor may not see that ticket.
    return TicketError(_("No ticket you can see has this number."))


def _record_link(link: TicketLink, actor, *, removed: bool = False) -> None:
    """One history entry on each end of the link, in that end's words."""
    ends = [
        (link.from_ticket, link.to_ticket_id, False),
        (link.to_ticket, link.from_ticket_id, True),
    ]
    for ticket, other_pk, incoming in ends:
        value = links.history_value(link.kind, other_pk, incoming=incoming)
        _record(ticket, actor, "link", value if removed else None, None if removed else value)


@transaction.atomic
def ticket_link(*, ticket: Ticket, other: Ticket, kind: str, actor) -> TicketLink:
    """Link the ticket to another; `kind` names one end of a kind ("parent_of", "child_of").

    The actor manages the ticket and sees the other one; a closed ticket is read-only, but
    an open one may point to a closed one ("the same as last month's").
    """
    try:
        link_kind, incoming = links.resolve(kind)
    except KeyError:
        raise TicketError(_("Choose a kind of link.")) from None
    ticket = _lock(ticket)
    if not permissions.can_view_ticket(actor, other):
        raise _not_found()
    workflow.move("edit", ticket, user=actor)
    if other.pk == ticket.pk:
        raise TicketError(_("A ticket cannot be linked to itself."))
    start, end = (other, ticket) if incoming else (ticket, other)
    pair = Q(from_ticket=start, to_ticket=end) | Q(from_ticket=end, to_ticket=start)
    if TicketLink.objects.filter(pair, kind=link_kind.name).exists():
        raise TicketError(_("These tickets are already linked this way."))
    if link_kind.name == links.PARENT_OF and end.pk in _ancestors(start):
        raise TicketError(
            _("Ticket %(child)s is already above ticket %(parent)s: it cannot be its child.")
            % {"child": end.pk, "parent": start.pk}
        )
    link = TicketLink.objects.create(
        from_ticket=start, to_ticket=end, kind=link_kind.name, created_by=actor
    )
    _record_link(link, actor)
    _change(ticket, actor)
    return link


def _ancestors(ticket: Ticket) -> set[int]:
    """The numbers of the ticket's parents, their parents, and so on: one query a level."""
    found, level = set(), {ticket.pk}
    while level:
        level = (
            set(
                TicketLink.objects.filter(kind=links.PARENT_OF, to_ticket__in=level).values_list(
                    "from_ticket", flat=True
                )
            )
            - found
        )
        found |= level
    return found


@transaction.atomic
def ticket_follow_up_closed(
    *, closed: Ticket, requester, title: str, description: str, source: str
):
    """A requester writes again about a closed ticket: a new ticket, related to the old one.

    The old ticket stays read-only; the new one starts with its theme and category and
    goes through the routing rules, and each end's history names the other.
    """
    if not permissions.can_view_ticket(requester, closed):
        raise _not_found()
    return ticket_create(
        requester=requester,
        title=title,
        description=description,
        theme=closed.theme,
        category=closed.category,
        source=source,
        follows=closed,
    )


@transaction.atomic
def ticket_unlink(*, link: TicketLink, actor) -> None:
    """Remove a link, from an end the actor manages and that is not closed."""
    link = (
        TicketLink.objects.select_for_update(of=("self",))
        .select_related("from_ticket", "to_ticket")
        .filter(pk=link.pk)
        .first()
    )
    if link is None:
        raise TicketError(_("This link no longer exists."))
    ends = [(link.from_ticket, link.to_ticket), (link.to_ticket, link.from_ticket)]
    mine = [end for end, other in ends if permissions.can_link_tickets(actor, end, other)]
    if not mine:
        raise PermissionDenied
    open_ends = [end for end in mine if not end.is_closed] or mine
    ticket = _lock(open_ends[0])
    workflow.move("edit", ticket)  # both ends it manages are closed: read-only
    _record_link(link, actor, removed=True)
    link.delete()
    _change(ticket, actor)


def _summary_entry(author, when, content: str) -> str:
    heading = _("%(name)s, %(date)s") % {
        "name": author.get_display_name() if author else _("Unknown"),
        "date": formats.date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT"),
    }
    # The content was cleaned when it was written; the whole summary is cleaned again.
    return format_html(
        "<p><strong>{}</strong></p><blockquote>{}</blockquote>",
        heading,
        mark_safe(content),  # noqa: S308
    )


def _merge_summary(ticket: Ticket, followups, *, with_description: bool) -> str:
    """One followup's text: the duplicate's items with their authors and dates."""
    intro = _("Merged from ticket %(number)s, “%(title)s”.") % {
        "number": ticket.pk,
        "title": ticket.title,
    }
    entries = []
    if with_description and has_text(ticket.description):
        entries.append(_summary_entry(ticket.requester, ticket.created_at, ticket.description))
    entries += [_summary_entry(f.author, f.created_at, f.content) for f in followups]
    body = format_html_join("", "{}", ((entry,) for entry in entries))
    return clean_html(format_html("<p>{}</p>{}", intro, body))


@transaction.atomic
def ticket_merge(*, ticket: Ticket, into: Ticket, actor) -> Ticket:
    """Close the ticket as a duplicate of `into`, which carries the request from now on.

    Its public followups (and description) become one public followup on `into`, with
    their authors and dates; its private notes, if any, one private followup; its
    documents move to `into` and keep their privacy. Its requester and beneficiary
    observe `into`, are told of it (`ticket_merged`), and find a public note on the
    duplicate naming the ticket that follows their request.
    """
    if into.pk == ticket.pk:
        raise TicketError(_("A ticket cannot be merged into itself."))
    # Both rows locked in id order, so that two opposite merges cannot deadlock.
    locked = Ticket.objects.select_for_update().filter(pk__in=[ticket.pk, into.pk])
    locked = {row.pk: row for row in locked.order_by("pk")}
    if into.pk not in locked or not permissions.can_view_ticket(actor, locked[into.pk]):
        raise _not_found()
    ticket, into = locked[ticket.pk], locked[into.pk]
    status = workflow.move("merge", ticket, user=actor)
    if not permissions.can_manage_ticket(actor, into):
        # Its requester would observe `into` and its private notes land there.
        raise PermissionDenied(
            _("Only the team of ticket %(number)s may merge into it.") % {"number": into.pk}
        )
    if into.is_closed:
        raise TicketError(
            _("Ticket %(number)s is closed: nothing can be merged into it.") % {"number": into.pk}
        )
    if TicketLink.objects.filter(
        from_ticket=into, to_ticket=ticket, kind=links.DUPLICATE_OF
    ).exists():
        raise TicketError(
            _("Ticket %(number)s is a duplicate of this one: merge it into this one instead.")
            % {"number": into.pk}
        )
    followups = list(ticket.followups.select_related("author"))
    public = [f for f in followups if not f.is_private]
    private = [f for f in followups if f.is_private]
    note = _followup_create(
        ticket=into,
        author=actor,
        content=_merge_summary(ticket, public, with_description=True),
        is_private=False,
    )
    _record(into, actor, "followup", None, note.pk)
    private_note = None
    if private:
        private_note = _followup_create(
            ticket=into,
            author=actor,
            content=_merge_summary(ticket, private, with_description=False),
            is_private=True,
        )
        _record(into, actor, "followup", None, private_note.pk)
    documents = list(ticket.documents.all())
    for document in documents:
        document.ticket = into
        document.followup = private_note if document.is_private else note
        document.task = document.solution = None
        _record(into, actor, "document", None, document.original_name)
    Document.objects.bulk_update(documents, ["ticket", "followup", "task", "solution"])
    already = {into.requester_id, into.beneficiary_id}
    already |= set(into.observers.values_list("pk", flat=True))
    for person in (ticket.requester, ticket.beneficiary):
        if person.pk not in already:
            into.observers.add(person)
            _record(into, actor, "observers", None, person)
            already.add(person.pk)
    link, created = TicketLink.objects.get_or_create(
        from_ticket=ticket, to_ticket=into, kind=links.DUPLICATE_OF, defaults={"created_by": actor}
    )
    if created:
        _record_link(link, actor)
    _record(ticket, actor, "merged_into", None, f"#{into.pk}")
    _record(into, actor, "merged_from", None, f"#{ticket.pk}")
    told = _followup_create(
        ticket=ticket,
        author=actor,
        content=format_html(
            "<p>{}</p>",
            _("This ticket is followed in ticket %(number)s.") % {"number": into.pk},
        ),
        is_private=False,
    )
    _record(ticket, actor, "followup", None, told.pk)
    _change(ticket, actor, status=status, closed_at=timezone.now())
    _change(into, actor)
    events.announce("ticket_merged", ticket=ticket, into=into)
    return into


def open_children(parent: Ticket):
    """The children of a ticket that wait for a solution: neither solved nor closed."""
    return Ticket.objects.filter(
        links_to__from_ticket=parent, links_to__kind=links.PARENT_OF
    ).exclude(status__in=[Status.SOLVED, Status.CLOSED])


@transaction.atomic
def children_solve(*, parent: Ticket, actor, content: str) -> list[Solution]:
    """Propose the same solution on every open child of the ticket: all of them, or none."""
    parent = _lock(parent)
    if not permissions.can_manage_ticket(actor, parent):
        raise PermissionDenied
    if not has_text(clean_html(content)):
        raise TicketError(_("Describe the solution."))
    children = list(open_children(parent).order_by("pk"))
    if not children:
        raise TicketError(_("No child ticket waits for a solution."))
    if not all(permissions.can_manage_ticket(actor, child) for child in children):
        raise TicketError(_("You may not propose a solution on every child ticket: none was sent."))
    solutions = []
    for child in children:
        solutions.append(solution_propose(ticket=child, author=actor, content=content))
        _record(child, actor, "parent_solution", None, f"#{parent.pk}")
    numbers = " ".join(f"#{child.pk}" for child in children)
    _record(parent, actor, "children_solution", None, numbers)
    _change(parent, actor)
    return solutions


def _descendant_ids(node) -> list[int]:
    """The ids under a node of a tree, level by level (a cycle stops the walk)."""
    model, found, level = type(node), {node.pk}, [node.pk]
    while level:
        level = [
            pk
            for pk in model.objects.filter(parent__in=level).values_list("pk", flat=True)
            if pk not in found
        ]
        found.update(level)
    return sorted(found - {node.pk})


@transaction.atomic
def tree_node_save(*, node: Category | Location) -> Category | Location:
    """Save a category or a place; when its path changes, its descendants' paths follow.

    One UPDATE rewrites the start of every descendant's full name, instead of a save
    per descendant.
    """
    model = type(node)
    old = model.objects.filter(pk=node.pk).values_list("full_name", flat=True).first()
    node.save()
    if old and old != node.full_name:
        model.objects.filter(pk__in=_descendant_ids(node)).update(
            full_name=Concat(Value(node.full_name), Substr("full_name", len(old) + 1))
        )
    return node


def ticket_seen(*, user, ticket: Ticket) -> None:
    """Note that the person opened the ticket now: its queue mark goes away.

    Only when there is a mark to clear: a ticket without news, or already seen since its
    news, is read without a write (the page is opened far more often than it changes).
    """
    news = ticket.attention_at
    if (
        news is None
        or TicketSeen.objects.filter(user=user, ticket=ticket, seen_at__gte=news).exists()
    ):
        return
    TicketSeen.objects.bulk_create(
        [TicketSeen(user=user, ticket=ticket, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["seen_at"],
    )
