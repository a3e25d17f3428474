"""Reads of tickets that views and tasks share."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleGreaterThanOrEqual,
    TupleLessThan,
    TupleLessThanOrEqual,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.ids import parse_id
from core.people import display_name, find_person, person_label
from core.sql import Compiled

from . import fulltext, links, permissions
from .models import (
    DUE_OR_NEVER,
    PATH_SEPARATOR,
    UNHELD,
    Category,
    Document,
    Followup,
    History,
    Level,
    Location,
    Priority,
    Solution,
    Task,
    Team,
    Ticket,
    TicketLink,
    TicketSearch,
    TicketSeen,
)


def tickets_visible_to(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(permissions.visible_tickets_q(user))


def followups_visible_to(user, ticket: Ticket) -> QuerySet[Followup]:
    followups = ticket.followups.select_related("author")
    if permissions.can_see_private(user, ticket):
        return followups
    return followups.filter(is_private=False)


def tasks_visible_to(user, ticket: Ticket) -> QuerySet[Task]:
    tasks = ticket.tasks.select_related("author", "assigned_user", "assigned_team")
    if permissions.can_see_private(user, ticket):
        return tasks
    return tasks.filter(is_private=False)


def documents_visible_to(user, ticket: Ticket):
    documents = ticket.documents.select_related("uploaded_by")
    if permissions.can_see_private(user, ticket):
        return documents
    return documents.filter(is_private=False)


def auto_close_date(ticket: Ticket):
    """When a solved ticket closes by itself if nobody answers its solution (else None)."""
    if ticket.status != Ticket.Status.SOLVED:
        return None
    return ticket.auto_close_at


def refused_a_solution(followup: Followup) -> bool:
    """Tell whether this message was the reason a solution was refused."""
    return Solution.objects.filter(refusal=followup).exists()


def find_place(text: str):
    """The active place a picker's text names (its full path), or None."""
    text = (text or "").strip()
    return Location.objects.filter(is_active=True, full_name__iexact=text).first() if text else None


def _matching(rows: QuerySet, fields: list[str], text: str) -> QuerySet:
    """The rows where every word typed appears in one of the fields."""
    for word in (text or "").split()[:6]:
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        rows = rows.filter(match)
    return rows


def technicians() -> QuerySet:
    """Active people of an active team: those a ticket can be given to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, team_memberships__team__is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


PERSON_FIELDS = ["first_name", "last_name", "display_name", "email"]

# What each back-office picker searches: its rows, the fields a word may match, the
# text it shows and sends back, and how that text finds the row again.
LOOKUPS = {
    "technicians": (technicians, PERSON_FIELDS, person_label),
    "teams": (lambda: Team.objects.filter(is_active=True), ["name"], str),
    "categories": (lambda: Category.objects.filter(is_active=True), ["full_name"], str),
    "places": (lambda: Location.objects.filter(is_active=True), ["full_name"], str),
}


def lookup_labels(kind: str, text: str, limit: int = 20) -> list[str]:
    """What a picker proposes for the text typed so far."""
    rows, fields, label = LOOKUPS[kind]
    return [label(row) for row in _matching(rows(), fields, text)[:limit]]


def _named(rows: QuerySet, field: str, text: str):
    """The row a picker's text names, or that a link names by its number."""
    text = (text or "").strip()
    if not text:
        return None
    number = parse_id(text) if text.isdigit() else None
    if number is not None:
        return rows.filter(pk=number).first()
    return rows.filter(**{f"{field}__iexact": text}).first()


def find_technician(text: str):
    person = _named(technicians(), "email", text) if (text or "").strip().isdigit() else None
    person = person or find_person(text)
    return person if person is not None and permissions.is_active_technician(person) else None


def find_team(text: str):
    return _named(Team.objects.filter(is_active=True), "name", text)


def find_category(text: str):
    return _named(Category.objects.filter(is_active=True), "full_name", text)


def find_location(text: str):
    return _named(Location.objects.filter(is_active=True), "full_name", text)


def place_names(limit: int = 100) -> list[str]:
    """The places a picker proposes before anything is typed."""
    places = Location.objects.filter(is_active=True).values_list("full_name", flat=True)
    return list(places[:limit])


# Back office ------------------------------------------------------------------------


def queue_names_for(user) -> list[str]:
    names = ["mine", "team", "tasks"]
    if permissions.is_supervisor(user):
        names.append("all")
    return names


def queue_tickets(user, queue: str) -> QuerySet[Ticket]:
    """The tickets of one of the back office's queues, before filters."""
    if queue == "mine":
        return Ticket.objects.filter(assignee=user)
    if queue == "team":
        return Ticket.objects.filter(team__in=permissions.team_ids(user))
    if queue == "tasks":
        held = permissions.held_tasks(user)
        return Ticket.objects.filter(pk__in=held.values("ticket_id"))
    return tickets_visible_to(user)


# A search that matches at most this many tickets reads them from the full-text index
# first and sorts them in the queue's order; their ids are given to the planner, which
# then knows how few they are (it prices a word it has no statistics for, a rare word
# or a typo, as one ticket in 200, and would read a whole queue to find it).
FEW_MATCHES = 2000
# A search that matches more reads the queue's first rows in its order, this many,
# and keeps those whose stored words match: a word in one ticket in eight fills a
# page within a few hundred rows.
HEAD_ROWS = 1000


def _stored_words(text: str, private_notes: bool) -> QuerySet:
    """The ids of the tickets whose stored words (TicketSearch) match, on PostgreSQL."""
    query = SearchQuery(text, config=fulltext.CONFIG, search_type="websearch")
    words = Q(document=query)
    if private_notes:
        words |= Q(private_document=query)
    return TicketSearch.objects.filter(words).values_list("ticket_id", flat=True)


def _few(found: QuerySet) -> list[int] | None:
    """All the matching ids if they are few, else None: a first GIN index lookup asks
    for the match past the limit only, so that many are not carried into Python."""
    if list(found[FEW_MATCHES : FEW_MATCHES + 1]):
        return None
    return list(found)


def search_tickets(
    tickets: QuerySet[Ticket], text: str, *, private_notes: bool = True
) -> QuerySet[Ticket]:
    """Match a ticket number, or words in the title, description and followups.

    PostgreSQL searches each ticket's stored words (TicketSearch, kept by
    tickets.fulltext) in French; private_notes=False leaves private followups out.
    Other databases fall back to a plain word-by-word match. A queue's page searches
    through page_of_tickets(words=...), which reads no more rows than it needs.
    """
    text = text.strip()
    if not text:
        return tickets
    number = parse_id(text)
    if number is not None:
        return tickets.filter(pk=number)
    if connection.vendor == "postgresql":
        found = _stored_words(text, private_notes)
        few = _few(found)
        return tickets.filter(pk__in=found) if few is None else tickets.filter(pk__among=few)
    for word in text.split()[:8]:
        in_followups = Followup.objects.filter(content__icontains=word)
        if not private_notes:
            in_followups = in_followups.filter(is_private=False)
        in_followups = in_followups.values("ticket_id")
        tickets = tickets.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(pk__in=in_followups)
        )
    return tickets


def filter_tickets(tickets: QuerySet[Ticket], filters: dict) -> QuerySet[Ticket]:
    """Apply a queue's validated filters (see QueueFilterForm.values) but its words ("q"),
    which a page searches itself (page_of_tickets, count_tickets)."""
    if "status" in filters:
        tickets = tickets.filter(status__in=filters["status"])
    else:
        tickets = tickets.exclude(status=Ticket.Status.CLOSED)
    for field in ("team", "priority", "type"):
        if field in filters:
            tickets = tickets.filter(**{field: filters[field]})
    if "category" in filters:
        tickets = tickets.filter(category__in=_subtree(filters["category"]))
    if "location" in filters:
        tickets = tickets.filter(location__in=_subtree(filters["location"]))
    if "created_from" in filters:
        tickets = tickets.filter(created_at__date__gte=filters["created_from"])
    if "created_to" in filters:
        tickets = tickets.filter(created_at__date__lte=filters["created_to"])
    if "due_state" in filters:
        tickets = tickets.filter(due_state_q(filters["due_state"], timezone.now()))
    return tickets


def due_state_q(state: str, now) -> Q:
    """The tickets whose running due date is in this state (servicelevels.selectors.State)
    at `now`: late past it, at risk past its warning, else on time."""
    return {
        "late": Q(due_at__lt=now),
        "at-risk": Q(due_warn_at__lte=now, due_at__gte=now),
        "on-time": Q(due_warn_at__gt=now),
    }[state]


def _subtree(node):
    """A node and everything below it, found by its stored path."""
    model = type(node)
    prefix = f"{node.full_name}{PATH_SEPARATOR}"
    return model.objects.filter(Q(pk=node.pk) | Q(full_name__startswith=prefix))


@dataclass(frozen=True)
class QueueOrder:
    """A queue's order: its columns all one way and the ticket number last.

    One direction lets a page start where the previous one ended with a single row
    comparison, `(columns) < (the last row's values)`, that an index in the same order
    serves (keyset pagination): the last page costs what the first does.
    """

    columns: tuple[str, ...]
    descending: bool
    label: str = ""


# The sorts a technician may ask for (the URL names a key, never a column), and the team
# queue's own order when none is asked: the tickets nobody holds yet first.
QUEUE_ORDERS = {
    "activity": QueueOrder(("last_activity_at", "id"), True, gettext_lazy("Latest activity first")),
    "oldest": QueueOrder(("created_at", "id"), False, gettext_lazy("Oldest first")),
    "newest": QueueOrder(("created_at", "id"), True, gettext_lazy("Newest first")),
    "priority": QueueOrder(("priority", "id"), True, gettext_lazy("Highest priority first")),
    "number": QueueOrder(("id",), True, gettext_lazy("Number")),
    "title": QueueOrder(("title", "id"), False, gettext_lazy("Title")),
    "status": QueueOrder(("status", "id"), False, gettext_lazy("Status")),
    "due": QueueOrder(("due", "id"), False, gettext_lazy("Due date, soonest first")),
    "unheld": QueueOrder(("unheld", "last_activity_at", "id"), True),
}
SORTS = {key: order for key, order in QUEUE_ORDERS.items() if order.label}
_ORDER_ANNOTATIONS = {"unheld": UNHELD, "due": DUE_OR_NEVER}


@dataclass(frozen=True)
class QueuePage:
    rows: list
    # Each end's sort values, for the links to the next and previous pages (or None).
    after: list | None
    before: list | None


def _ordered(tickets: QuerySet[Ticket], order: QueueOrder) -> QuerySet[Ticket]:
    wanted = {
        name: _ORDER_ANNOTATIONS[name] for name in order.columns if name in _ORDER_ANNOTATIONS
    }
    return tickets.annotate(**wanted) if wanted else tickets


def _beyond(order: QueueOrder, values: list, *, backwards=False, inclusive=False):
    """The rows after these values in this order (before them, backwards)."""
    later = order.descending != backwards  # further down a descending order: smaller
    lookup = {
        (True, False): TupleLessThan,
        (True, True): TupleLessThanOrEqual,
        (False, False): TupleGreaterThan,
        (False, True): TupleGreaterThanOrEqual,
    }[later, inclusive]
    return lookup(Tuple(*(F(name) for name in order.columns)), list(values))


def sort_values(row: "QueueRow", order: QueueOrder) -> list:
    return [row.sort[name] for name in order.columns]


def page_of_tickets(
    tickets: QuerySet[Ticket],
    order: QueueOrder,
    size: int,
    *,
    after: list | None = None,
    before: list | None = None,
    start: int | None = None,
    seen_by=None,
    words: str = "",
    private_notes: bool = True,
) -> QueuePage:
    """One page of a queue, in two narrow queries, as cheap deep down as on top.

    The page starts after the sort values `after` (the previous page's last row), ends
    before `before` (the next page's first row), or starts at the ticket numbered `start`;
    none of them: the first page. An id-only query finds the page's tickets through the
    index of its order; only those rows are then read whole, with everything the table
    shows joined in, and, for `seen_by`, whether something happened since that person
    last opened each ticket (`ticket.changed`). With `words`, only the tickets they
    match (search_tickets; private_notes=False leaves private followups out).
    """
    ordered = _ordered(tickets, order)
    backwards = before is not None and after is None and start is None
    if start is not None:
        anchor = ordered.filter(pk=start).values_list(*order.columns).first()
        after = list(anchor) if anchor else None
    if after is not None:
        ordered = ordered.filter(_beyond(order, after, inclusive=start is not None))
    elif backwards:
        ordered = ordered.filter(_beyond(order, before, backwards=True))
    keys = [f"-{name}" if order.descending != backwards else name for name in order.columns]
    ids = _first_ids(ordered.order_by(*keys), size + 1, words, private_notes=private_notes)
    more = len(ids) > size
    ids = ids[:size]
    if backwards:
        ids.reverse()
    rows = _page_rows(ids, order, seen_by)
    further = more or (backwards and rows)
    earlier = (more if backwards else after is not None) and rows
    return QueuePage(
        rows=rows,
        after=sort_values(rows[-1], order) if further else None,
        before=sort_values(rows[0], order) if earlier else None,
    )


def _first_ids(in_order: QuerySet[Ticket], count: int, words: str, *, private_notes) -> list:
    """The ids of the first `count` tickets in this order that match `words` (if any)."""
    words = words.strip()
    if not words:
        return list(in_order.values_list("id", flat=True)[:count])
    if connection.vendor != "postgresql" or parse_id(words) is not None or count > HEAD_ROWS:
        found = search_tickets(in_order, words, private_notes=private_notes)
        return list(found.values_list("id", flat=True)[:count])
    found = _stored_words(words, private_notes)
    few = _few(found)
    if few is not None:
        return list(in_order.filter(pk__among=few).values_list("id", flat=True)[:count])
    # Many tickets hold the words: most often the queue's first rows do too. Those rows
    # are read apart, then their stored words tested by their primary key: two bounded
    # queries, where one would let the planner walk the queue for as long as it takes.
    head = list(in_order.values_list("id", flat=True)[:HEAD_ROWS])
    matching = set(found.filter(ticket_id__among=head))
    ids = [pk for pk in head if pk in matching][:count]
    if len(ids) == count or len(head) < HEAD_ROWS:
        return ids
    # Common words, yet rare at the head of this queue (a team that seldom gets them,
    # or an order that puts other tickets first): every match is read and sorted. The
    # LIMIT keeps the matches a subquery of their own, read once by the full-text
    # index; without it, the planner tests each queue row by row, the walk just given up.
    everywhere = found[: 2**31 - 1]
    return list(in_order.filter(pk__in=everywhere).values_list("id", flat=True)[:count])


def count_tickets(tickets: QuerySet[Ticket], limit: int, *, words="", private_notes=True) -> int:
    """How many of the tickets match `words` (all of them without), counted up to `limit`:
    a count past it would read every match, where `limit` of them say enough."""
    unordered = tickets.order_by()
    if not words.strip():
        return unordered[:limit].count()
    return len(_first_ids(unordered, limit, words, private_notes=private_notes))


def choice_labels(*fields: str) -> dict[str, dict]:
    """Each of these ticket fields' {value: label}, translated once for a list of rows
    (get_FOO_display hashes every lazy label on each call)."""
    return {
        name: {value: str(label) for value, label in Ticket._meta.get_field(name).choices}
        for name in fields
    }


@dataclass(slots=True)
class QueueRow:
    """A queue's row: what its table and its CSV line show, without model instances.

    Fifty tickets with their six related rows each are read as plain values: building
    350 model instances a page cost more than the page's SQL.
    """

    pk: int
    title: str
    type: str
    status: int
    priority: int
    created_at: datetime
    last_activity_at: datetime
    due_at: datetime | None
    due_warn_at: datetime | None
    requester: str
    beneficiary: str  # empty when the ticket is for its requester
    assignee: str
    theme: str
    category: str
    category_path: str
    location: str  # the place's whole path
    team: str
    sort: dict  # the values of the queue's order, for the links to the next pages
    changed: bool = False  # something happened since the reader last opened it


_PERSON = ("display_name", "first_name", "last_name", "username")
_ROW_COLUMNS = (
    *("id", "title", "type", "status", "priority", "created_at", "last_activity_at"),
    *("attention_at", "due_at", "due_warn_at", "requester_id", "beneficiary_id"),
    *(
        f"{person}__{field}"
        for person in ("requester", "beneficiary", "assignee")
        for field in _PERSON
    ),
    *("theme__name", "category__name", "category__full_name", "location__name"),
    *("location__full_name", "team__name"),
)


def _person(values: dict, person: str) -> str:
    if values[f"{person}__username"] is None:
        return ""
    return display_name(*(values[f"{person}__{field}"] for field in _PERSON))


def _queue_row(values: dict, order: QueueOrder) -> QueueRow:
    return QueueRow(
        pk=values["id"],
        **{
            name: values[name]
            for name in ("title", "type", "status", "priority", "created_at")
            + ("last_activity_at", "due_at", "due_warn_at")
        },
        requester=_person(values, "requester"),
        beneficiary=""
        if values["beneficiary_id"] == values["requester_id"]
        else _person(values, "beneficiary"),
        assignee=_person(values, "assignee"),
        theme=values["theme__name"] or "",
        category=values["category__name"] or "",
        category_path=values["category__full_name"] or values["category__name"] or "",
        location=values["location__full_name"] or values["location__name"] or "",
        team=values["team__name"] or "",
        sort={name: values[name] for name in order.columns},
    )


def _rows_query(order: QueueOrder) -> Compiled:
    columns = dict.fromkeys((*_ROW_COLUMNS, *order.columns))
    return Compiled(
        lambda ids: _ordered(Ticket.objects.filter(pk__among=ids), order).values(*columns)
    )


# A page's rows by their ids, with each order's sort values, compiled once each (keyed
# by the order's columns: a label's hash changes with the language).
_ROWS = {(order.columns, order.descending): _rows_query(order) for order in QUEUE_ORDERS.values()}


def _page_rows(ids: list[int], order: QueueOrder, seen_by) -> list[QueueRow]:
    found = _ROWS[order.columns, order.descending].all(ids) if ids else []
    rows, news = {}, {}
    for values in found:
        rows[values["id"]] = _queue_row(values, order)
        if values["attention_at"]:
            news[values["id"]] = values["attention_at"]
    # When the person last opened the tickets with news; most have none, and then the
    # page asks nothing more.
    if seen_by is not None and news:
        seen = dict(
            TicketSeen.objects.filter(user=seen_by, ticket__in=news).values_list(
                "ticket_id", "seen_at"
            )
        )
        for pk, attention_at in news.items():
            rows[pk].changed = pk not in seen or attention_at > seen[pk]
    return [rows[pk] for pk in ids if pk in rows]


def _held(model, *foreign_keys: str) -> str:
    """SQL that tells whether a ticket (the query's own ticket table) has rows of `model`."""
    quote = connection.ops.quote_name
    ticket = f"{quote(Ticket._meta.db_table)}.{quote('id')}"
    columns = [quote(model._meta.get_field(name).column) for name in foreign_keys]
    test = " OR ".join(f"{column} = {ticket}" for column in columns)
    return f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} WHERE {test})"  # noqa: S608 - our tables


# What a ticket may hold, each tested by a plain EXISTS (_held): built by the ORM, these
# five subqueries cost more to compile than to run.
HELD = {
    "observers": (Ticket.observers.through, "ticket"),
    "tasks": (Task, "ticket"),
    "documents": (Document, "ticket"),
    "solutions": (Solution, "ticket"),
    "links": (TicketLink, "from_ticket", "to_ticket"),
}


def holding_what(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The tickets, each saying whether it holds tasks, documents, solutions, links and
    observers (`holds_tasks`...), asked in their own query: a page then asks nothing of
    what a ticket holds none of, and most tickets hold no task, document, link or
    observer. For a query of the ticket table itself, not as a subquery."""
    return tickets.annotate(
        **{
            # Our own tables and columns, quoted; nothing comes from a request.
            f"holds_{kind}": RawSQL(_held(*held), (), output_field=BooleanField())  # noqa: S611
            for kind, held in HELD.items()
        }
    )


# What the work page shows of a ticket beside its people (read with its timeline's).
WORK_PAGE_RELATED = (
    "theme__parent",
    "category",
    "location",
    "team",
    "clock__level",
    "clock__calendar",
)
_WORK_PAGE_TICKET = Compiled(
    lambda pk: holding_what(Ticket.objects.select_related(*WORK_PAGE_RELATED)).filter(pk=pk)
)


def work_page_ticket(pk: int) -> Ticket | None:
    """The ticket of the work page, with what it holds (holding_what) and its related rows,
    in one query compiled once: its SQL costs the ORM more to write than the database to
    run."""
    found = _WORK_PAGE_TICKET.all(pk)
    return found[0] if found else None


def _holds(ticket: Ticket, what: str) -> bool:
    return getattr(ticket, f"holds_{what}", True)  # not asked (holding_what): maybe


def ticket_observers(ticket: Ticket) -> list:
    """The ticket's observers; none asked of a ticket that said it holds none."""
    return list(ticket.observers.all()) if _holds(ticket, "observers") else []


def _timeline_query(model, related: tuple, shown: dict) -> Compiled:
    # Unordered: sorted all kinds together. (select_related() without names would follow
    # every foreign key.)
    items = model.objects.select_related(*related) if related else model.objects
    return Compiled(lambda pk: items.filter(ticket=pk, **shown).order_by())


# Each kind of timeline item: its model, the related rows it shows, and whether it may be
# private (then a requester reads only the public ones).
TIMELINE_KINDS = {
    "followup": (Followup, (), True),
    "task": (Task, ("assigned_team",), True),
    "document": (Document, (), True),
    "solution": (Solution, ("knowledge_link__article",), False),
}
_TIMELINE_QUERIES = {
    (kind, public_only): _timeline_query(
        model, related, {"is_private": False} if public_only and private else {}
    )
    for kind, (model, related, private) in TIMELINE_KINDS.items()
    for public_only in (False, True)
}


def ticket_timeline(
    ticket: Ticket, *, public_only: bool = False, observers=None
) -> list[tuple[str, object]]:
    """Every item of a ticket in time order; private ones only for those who work it.

    Its followups are always asked; the other kinds only when the ticket holds some, or
    may (holding_what). `observers`: the ticket's, when the caller has read them already.
    """
    items = [
        (kind, item)
        for kind in TIMELINE_KINDS
        if kind == "followup" or _holds(ticket, f"{kind}s")
        for item in _TIMELINE_QUERIES[kind, public_only].all(ticket.pk)
    ]
    _attach_people(ticket, items)
    _mark_roles(ticket, items, ticket.observers.all() if observers is None else observers)
    return sorted(items, key=lambda item: (item[1].created_at, item[1].pk))


# The people each kind of item names; read in one query for the whole timeline, which
# costs less than joining them to each of its four queries.
TIMELINE_PEOPLE = {
    "followup": ("author",),
    "task": ("author", "assigned_user", "done_by"),
    "document": ("uploaded_by",),
    "solution": ("author", "decided_by"),
}


# The ticket's own people, read with the items' when the ticket was read without them.
TICKET_PEOPLE = ("requester", "beneficiary", "assignee")


_PEOPLE = Compiled(lambda ids: get_user_model().objects.filter(pk__among=ids).order_by())


def _attach_people(ticket: Ticket, items) -> None:
    wanted = {getattr(item, f"{name}_id") for kind, item in items for name in TIMELINE_PEOPLE[kind]}
    missing = [name for name in TICKET_PEOPLE if not Ticket._meta.get_field(name).is_cached(ticket)]
    wanted |= {getattr(ticket, f"{name}_id") for name in missing}
    ids = list(wanted - {None})
    people = {person.pk: person for person in _PEOPLE.all(ids)} if ids else {}
    for name in missing:
        setattr(ticket, name, people.get(getattr(ticket, f"{name}_id")))
    # Put in each item's cache of its related rows, as prefetching does: setting them
    # through the model's attributes checks each one again, which costs more, hundreds
    # of times on a long timeline. The ticket too, as its related managers would.
    fields = {}
    for kind, item in items:
        if kind not in fields:
            meta = type(item)._meta
            people_fields = [meta.get_field(name) for name in TIMELINE_PEOPLE[kind]]
            fields[kind] = (meta.get_field("ticket"), people_fields)
        ticket_field, people_fields = fields[kind]
        ticket_field.set_cached_value(item, ticket)
        for field in people_fields:
            person_id = getattr(item, field.attname)
            if person_id is None or person_id in people:
                field.set_cached_value(item, people.get(person_id))


AUTHOR_ROLES = {
    "requester": gettext_lazy("requester"),
    "technician": gettext_lazy("technician"),
    "expert": gettext_lazy("expert"),
}


def _mark_roles(ticket: Ticket, items, observers) -> None:
    """Tell, on each item, whether its author files, works or helps as an expert."""
    parties = {ticket.requester_id, ticket.beneficiary_id}
    parties |= {observer.pk for observer in observers}
    experts = {t.assigned_user_id for kind, t in items if kind == "task" and t.assigned_user_id}
    for kind, item in items:
        author = item.uploaded_by_id if kind == "document" else item.author_id
        if author is None:
            role = None
        elif author in parties:
            role = "requester"
        elif author in experts and author != ticket.assignee_id:
            role = "expert"
        else:
            role = "technician"
        item.author_role = AUTHOR_ROLES.get(role, "")


# What the history calls the timeline items it records (the ticket's own fields have
# their verbose names).
HISTORY_ITEM_NAMES = {
    "followup": gettext_lazy("followup"),
    "task": gettext_lazy("task"),
    "document": gettext_lazy("document"),
    "observers": gettext_lazy("observers"),
    "link": gettext_lazy("link"),
    "merged_into": gettext_lazy("merged into"),
    "merged_from": gettext_lazy("merged from"),
    "parent_solution": gettext_lazy("solution of the parent ticket"),
    "children_solution": gettext_lazy("solution proposed to the children"),
}


def _value_labels() -> dict[str, dict]:
    return {
        "status": dict(Ticket.Status.choices),
        "urgency": dict(Level.choices),
        "impact": dict(Level.choices),
        "priority": dict(Priority.choices),
        "type": dict(Ticket.Type.choices),
        "location_mode": dict(Ticket.LocationMode.choices),
        "task": dict(Task.State.choices),
    }


_HISTORY = Compiled(lambda pk: History.objects.filter(ticket=pk).select_related("actor"))


def history_rows(ticket: Ticket) -> list[dict]:
    """A ticket's history with field names and value labels in the reader's language."""
    entries = _HISTORY.all(ticket.pk)
    if not entries:
        return []  # the names and labels below cost more than the query
    names = {
        f.name: f.verbose_name for f in Ticket._meta.get_fields() if hasattr(f, "verbose_name")
    }
    names.update(HISTORY_ITEM_NAMES)
    labels = _value_labels()

    def label(field: str, raw: str):
        if field == "link" and raw:
            return links.history_label(raw)
        key = int(raw) if raw.isdigit() else raw
        return labels.get(field, {}).get(key, raw)

    return [
        {
            "entry": entry,
            "field": names.get(entry.field, entry.field),
            "old": label(entry.field, entry.old_value),
            "new": label(entry.field, entry.new_value),
        }
        for entry in entries
    ]


@dataclass(frozen=True)
class LinkRow:
    """One link as a ticket's page shows it: from this ticket's end, in its words."""

    link: TicketLink
    other: Ticket
    label: str
    incoming: bool


def ticket_links(user, ticket: Ticket) -> list[LinkRow]:
    """The ticket's links to tickets the user may see, both ways.

    The links are read first (most tickets have none); only then are the few tickets at
    their other end checked, by number, against what the user may see: never a test of
    visibility over the whole ticket table.
    """
    if not _holds(ticket, "links"):
        return []
    rows = list(
        TicketLink.objects.filter(Q(from_ticket=ticket) | Q(to_ticket=ticket)).order_by(
            "kind", "created_at", "id"
        )
    )
    ends = {
        link.from_ticket_id if link.to_ticket_id == ticket.pk else link.to_ticket_id
        for link in rows
    }
    # The tickets at the other ends, those the user may see only, in one query.
    visible = {}
    if ends:
        visible = Ticket.objects.filter(permissions.visible_tickets_q(user), pk__in=ends).in_bulk()
    result = []
    for link in rows:
        incoming = link.to_ticket_id == ticket.pk
        other = visible.get(link.from_ticket_id if incoming else link.to_ticket_id)
        if other is not None:
            label = links.label(link.kind, incoming=incoming)
            result.append(LinkRow(link, other, label, incoming))
    return result
