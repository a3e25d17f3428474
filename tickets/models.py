from datetime import UTC, datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import StoredFile
from core.models import ReadInBulk

from . import links
from .workflow import Status

PATH_SEPARATOR = " > "
SETTINGS_CACHE_KEY = "helpdesk-settings"
# A local-memory cache is per process: a change shows everywhere after this long.
SETTINGS_CACHE_SECONDS = 60


def ancestor_ids(node) -> list[int]:
    """A node's id and its ancestors' ids (through `parent`), nearest first."""
    ids = []
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


class TreeNode(models.Model):
    """A node of a named tree that keeps its full path for display and search."""

    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    full_name = models.CharField(_("full name"), max_length=1000, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        # Save through tickets.services.tree_node_save: it carries a new name or parent
        # down to the descendants' full names, in one UPDATE.
        self.full_name = self._compute_full_name()
        super().save(*args, **kwargs)

    def _compute_full_name(self) -> str:
        if self.parent is None:
            return self.name
        return f"{self.parent.full_name}{PATH_SEPARATOR}{self.name}"

    def ancestor_ids(self) -> list[int]:
        return ancestor_ids(self)

    @property
    def depth(self) -> int:
        return self.full_name.count(PATH_SEPARATOR)


class Category(TreeNode):
    class Meta(TreeNode.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Location(TreeNode):
    class Kind(models.TextChoices):
        CAMPUS = "campus", _("Campus")
        BUILDING = "building", _("Building")
        FLOOR = "floor", _("Floor")
        ROOM = "room", _("Room")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.ROOM)
    entity_codes = models.CharField(
        _("university departments"),
        max_length=500,
        blank=True,
        help_text=_(
            "Codes of the departments (supannEntiteAffectation) whose staff work here, "
            "separated by commas: their first login proposes this place."
        ),
    )

    class Meta(TreeNode.Meta):
        verbose_name = _("location")
        verbose_name_plural = _("locations")


class Theme(models.Model):
    """A tile of the portal's catalogue; a theme may hold sub-themes."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    icon = models.CharField(
        _("icon"), max_length=50, blank=True, help_text=_("Name of an icon of the portal.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent theme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("default category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name"]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name}{PATH_SEPARATOR}{self.name}"
        return self.name

    def ancestor_ids(self) -> list[int]:
        return ancestor_ids(self)


class Team(models.Model):
    """A group of technicians: a DSIN team, a directorate, a faculty's correspondents."""

    class Kind(models.TextChoices):
        IT_DEPARTMENT = "dsin", _("IT department (DSIN)")
        DIRECTORATE = "directorate", _("Business directorate")
        FACULTY = "faculty", _("Faculty IT correspondents")

    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.IT_DEPARTMENT)
    email = models.EmailField(_("team e-mail"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TeamMembership",
        verbose_name=_("members"),
        related_name="teams",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    is_manager = models.BooleanField(
        _("supervisor"), default=False, help_text=_("Supervisors see the team's dashboards.")
    )

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_team_member"),
        ]

    def __str__(self):
        return f"{self.user} — {self.team}"


class RoutingRule(models.Model):
    """Send new tickets to a team; the rules are tried in order and the first match wins."""

    name = models.CharField(_("name"), max_length=150)
    position = models.PositiveIntegerField(_("position"), default=0)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Also matches its sub-themes. Empty: any theme."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Also matches its sub-categories. Empty: any category."),
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Also matches the places inside it. Empty: anywhere."),
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("observers"), blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class HelpdeskSettings(models.Model):
    """Settings an admin edits in Django admin; there is a single row."""

    class DayKind(models.TextChoices):
        CALENDAR = "calendar", _("calendar days")
        WORKING = "working", _("working days of the ticket's calendar")

    auto_close_days = models.PositiveIntegerField(
        _("auto-close delay (days)"),
        default=7,
        help_text=_(
            "A solved ticket whose solution the requester has not answered "
            "is closed after this many days."
        ),
    )
    auto_close_day_kind = models.CharField(
        _("auto-close delay counted in"),
        max_length=8,
        choices=DayKind,
        default=DayKind.CALENDAR,
        help_text=_(
            "Working days skip the weekends, public holidays and closures of the "
            "ticket's calendar. The delay applies to the solutions proposed from then on."
        ),
    )
    default_team = models.ForeignKey(
        Team,
        verbose_name=_("default team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Receives the new tickets that no routing rule matches."),
    )

    class Meta:
        verbose_name = _("helpdesk settings")
        verbose_name_plural = _("helpdesk settings")

    def __str__(self):
        return str(_("Helpdesk settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        # Read again from the database next time, and again once this has committed.
        cache.delete(SETTINGS_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(SETTINGS_CACHE_KEY))

    @property
    def auto_close_in_working_days(self) -> bool:
        return self.auto_close_day_kind == self.DayKind.WORKING

    @classmethod
    def load(cls) -> "HelpdeskSettings":
        """The settings, read from the cache; each web process sees a change within a minute."""
        obj = cache.get(SETTINGS_CACHE_KEY)
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
            cache.set(SETTINGS_CACHE_KEY, obj, SETTINGS_CACHE_SECONDS)
        return obj


class Level(models.IntegerChoices):
    VERY_LOW = 1, _("Very low")
    LOW = 2, _("Low")
    MEDIUM = 3, _("Medium")
    HIGH = 4, _("High")
    VERY_HIGH = 5, _("Very high")


class Priority(models.IntegerChoices):
    VERY_LOW = 1, _("Very low")
    LOW = 2, _("Low")
    MEDIUM = 3, _("Medium")
    HIGH = 4, _("High")
    VERY_HIGH = 5, _("Very high")
    MAJOR = 6, _("Major")


# PRIORITY_MATRIX[urgency][impact]: the more urgent and the wider, the higher.
PRIORITY_MATRIX = {
    1: {1: 1, 2: 1, 3: 2, 4: 2, 5: 3},
    2: {1: 1, 2: 2, 3: 2, 4: 3, 5: 3},
    3: {1: 2, 2: 2, 3: 3, 4: 3, 5: 4},
    4: {1: 2, 2: 3, 3: 4, 4: 4, 5: 5},
    5: {1: 3, 2: 4, 3: 4, 4: 5, 5: 5},
}


def compute_priority(urgency: int, impact: int) -> int:
    return PRIORITY_MATRIX[urgency][impact]


# Whether nobody holds the ticket yet: the team queue lists those first.
UNHELD = ExpressionWrapper(Q(assignee__isnull=True), output_field=models.BooleanField())
# The due date, or a date that never comes: the queue sorted by due date lists the
# tickets without one last, in the same index.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
DUE_OR_NEVER = Coalesce(F("due_at"), Value(NEVER, output_field=models.DateTimeField()))


class Ticket(models.Model):
    class Type(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        REQUEST = "request", _("Request")

    Status = Status  # declared with the workflow (tickets.workflow)

    class LocationMode(models.TextChoices):
        ON_SITE = "onsite", _("On site (or office)")
        REMOTE = "remote", _("Teleworking")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Portal")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        BACK_OFFICE = "backoffice", _("Back office")
        DESK = "desk", _("At the desk")
        OTHER = "other", _("Other")

    type = models.CharField(_("type"), max_length=10, choices=Type, default=Type.INCIDENT)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status, default=Status.NEW)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level, default=Level.MEDIUM)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level, default=Level.MEDIUM)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.MEDIUM
    )
    # The theme, category, place, team and filer have no index of their own over every
    # ticket: an index is written on every change of status, the auto-close's included,
    # and no page reads tickets by theme, nor by team past ticket_team_queue. The queue
    # filters by category and place read the open tickets (ticket_open_category and
    # ticket_open_location), a filer is found through ticket_filed_by; deleting a theme,
    # category, place or team (rare: they are deactivated) reads the table once.
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    # The requester and the beneficiary have no index of their own: "ticket_requester"
    # and "ticket_beneficiary" below start with them and serve every lookup by person,
    # and each index less is a write less on every change of a ticket.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,
    )
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="benefiting_tickets",
        db_index=False,
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("observers"),
        blank=True,
        related_name="observed_tickets",
    )
    location_mode = models.CharField(
        _("location type"), max_length=10, choices=LocationMode, default=LocationMode.ON_SITE
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    source = models.CharField(_("source"), max_length=12, choices=Source, default=Source.PORTAL)
    # The technician who typed the ticket in for its requester (a call, the desk); empty
    # when the requester filed it themself.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # [{"question": id, "label": "...", "value": "..."}] in the form's order.
    answers = models.JSONField(_("answers to the theme's questions"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    taken_at = models.DateTimeField(_("first taken"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    # Set when a solution is proposed (tickets.delays), so the auto-close and the date
    # told to the requester agree, whatever the admin changes later.
    auto_close_at = models.DateTimeField(_("closes by itself on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The running target of the ticket's service level (taking in charge, then the
    # resolution) as the servicelevels app keeps it: empty without a level, while the
    # clock is paused and once both are met. The queues sort and filter on it.
    due_at = models.DateTimeField(_("due date"), null=True, blank=True)
    due_warn_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # When the requester's side or an expert last did something the technician should
    # read: a message or file from the requester, a refused solution, a task done.
    attention_at = models.DateTimeField(_("news for the technician"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-last_activity_at"]
        indexes = [
            # Back office "Mon équipe" of one team: its open tickets, unassigned first, then
            # the latest activity (selectors.QUEUE_ORDERS["unheld"], keyset pages).
            models.Index(
                F("team"),
                UNHELD.desc(),
                F("last_activity_at").desc(),
                F("id").desc(),
                condition=~Q(status=Status.CLOSED),
                name="ticket_team_queue",
            ),
            # Back office "Mon équipe" of a supervisor of several teams: the same order read
            # once for all of them, each row kept when its team is one of theirs (an
            # index per team could not give the rows in order without a sort).
            models.Index(
                UNHELD.desc(),
                F("last_activity_at").desc(),
                F("id").desc(),
                condition=~Q(status=Status.CLOSED),
                name="ticket_unheld_queue",
            ),
            # Back office "Tous" and any queue sorted by latest activity (the default):
            # the open tickets in that order, keyset pages, no sort.
            models.Index(
                F("last_activity_at").desc(),
                F("id").desc(),
                condition=~Q(status=Status.CLOSED),
                name="ticket_open_activity",
            ),
            # Back office queues sorted by due date (selectors.QUEUE_ORDERS["due"]): the
            # open tickets, the soonest due first, those without a due date last; keyset
            # pages, no sort.
            models.Index(
                DUE_OR_NEVER, F("id"), condition=~Q(status=Status.CLOSED), name="ticket_due_queue"
            ),
            # Back office "Mes tickets": a technician's open tickets, latest activity first.
            models.Index(
                F("assignee"),
                F("last_activity_at").desc(),
                F("id").desc(),
                condition=~Q(status=Status.CLOSED),
                name="ticket_assignee_queue",
            ),
            # Portal "Mes demandes d'assistance": tickets I filed, latest first (the first
            # branch of permissions.party_q's union; the observers' user index is the third).
            models.Index(fields=["requester", "-last_activity_at"], name="ticket_requester"),
            # Portal "Mes demandes d'assistance": tickets filed for me by someone else (the
            # second branch of permissions.party_q's union).
            models.Index(fields=["beneficiary", "-last_activity_at"], name="ticket_beneficiary"),
            # Auto-close and its reminder: solved tickets whose solution waits, by the
            # date they close by themselves.
            models.Index(
                fields=["auto_close_at"],
                condition=Q(status=Status.SOLVED),
                name="ticket_auto_close",
            ),
            # Back office queues filtered on statuses (closed ones included): each status
            # by latest activity, keyset pages.
            models.Index(
                fields=["status", "-last_activity_at", "-id"], name="ticket_status_activity"
            ),
            # Back office queues filtered by category or place (selectors.filter_tickets),
            # open tickets as the queues show by default; a closed ticket has no entry, so
            # closing one writes none.
            models.Index(
                fields=["category"], condition=~Q(status=Status.CLOSED), name="ticket_open_category"
            ),
            models.Index(
                fields=["location"], condition=~Q(status=Status.CLOSED), name="ticket_open_location"
            ),
            # Deleting a person: the tickets they typed in for someone else (their filed_by
            # is set to null). Most tickets are filed by their requester and have no entry.
            models.Index(
                fields=["filed_by"], condition=Q(filed_by__isnull=False), name="ticket_filed_by"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__gte=min(Status), status__lte=max(Status)),
                name="ticket_status_range",
            ),
            models.CheckConstraint(
                condition=Q(urgency__gte=1, urgency__lte=5) & Q(impact__gte=1, impact__lte=5),
                name="ticket_levels_range",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class TicketSeen(models.Model):
    """When a person last opened a ticket in the back office: the queues mark what changed."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Queues: one row per person and ticket, read by (user, ticket).
            models.UniqueConstraint(fields=["user", "ticket"], name="ticket_seen_once"),
        ]

    def __str__(self):
        return f"#{self.ticket_id} {self.user_id} {self.seen_at:%Y-%m-%d %H:%M}"


class TicketSearch(models.Model):
    """A ticket's words, stored for the back office's and the portal's search.

    One row per ticket, beside it rather than on it: the full-text indexes stay off the
    ticket's own writes (a status change, the auto-close), and the followups' words are
    folded in per ticket, so a search is one test per ticket. PostgreSQL only: the
    services keep the row right (tickets.fulltext); other databases search the text.
    """

    # Its primary key's index serves the services' upsert of a ticket's row and the test
    # of the words of a queue's first rows (selectors._first_ids).
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The title, the description and the public followups: what a requester may search.
    document = SearchVectorField(null=True)
    # The private followups, searched only by those who may read them; empty without any.
    private_document = SearchVectorField(null=True)

    # Its GIN indexes exist on PostgreSQL only (migration 0017_ticket_search).

    def __str__(self):
        return f"#{self.ticket_id}"


class TimelineItem(ReadInBulk):
    """What followups, tasks and solutions share: a ticket, an author and a time."""

    # No index of its own: each kind's "<kind>_timeline" index (ticket, created_at) serves
    # the lookups by ticket, and one index fewer to write per item.
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content = models.TextField(_("content"))
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class Followup(TimelineItem):
    is_private = models.BooleanField(_("private"), default=False)

    class Meta(TimelineItem.Meta):
        verbose_name = _("followup")
        verbose_name_plural = _("followups")
        default_related_name = "followups"
        indexes = [
            # Ticket page timeline: a ticket's followups in order.
            models.Index(fields=["ticket", "created_at"], name="followup_timeline"),
        ]

    def __str__(self):
        return _("Followup on ticket %(ticket)s") % {"ticket": self.ticket_id}


class Task(TimelineItem):
    class State(models.TextChoices):
        TODO = "todo", _("To do")
        DONE = "done", _("Done")

    is_private = models.BooleanField(_("private"), default=False)
    state = models.CharField(_("state"), max_length=5, choices=State, default=State.TODO)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=0)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given to (person)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    assigned_team = models.ForeignKey(
        Team,
        verbose_name=_("given to (team)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(TimelineItem.Meta):
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        default_related_name = "tasks"
        indexes = [
            # Ticket page timeline: a ticket's tasks in order.
            models.Index(fields=["ticket", "created_at"], name="task_timeline"),
            # Back office "Mes tâches" and expert access: tasks given to a person.
            models.Index(fields=["assigned_user", "state"], name="task_expert_user"),
            # Expert access: tasks given to a team.
            models.Index(fields=["assigned_team", "state"], name="task_expert_team"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="task_planned_order",
            ),
        ]

    def __str__(self):
        return _("Task on ticket %(ticket)s") % {"ticket": self.ticket_id}


class Solution(TimelineItem):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for approval")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the ticket was closed automatically."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal = models.OneToOneField(
        "Followup",
        verbose_name=_("reason for refusal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refused_solution",
        help_text=_("The requester's message that refused this solution."),
    )

    class Meta(TimelineItem.Meta):
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        default_related_name = "solutions"
        indexes = [
            # Ticket page timeline: a ticket's solutions in order.
            models.Index(fields=["ticket", "created_at"], name="solution_timeline"),
        ]
        constraints = [
            # At most one solution waits for the requester on a ticket.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status="waiting"),
                name="one_waiting_solution_per_ticket",
            ),
        ]

    def __str__(self):
        return _("Solution on ticket %(ticket)s") % {"ticket": self.ticket_id}


class Document(StoredFile):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="documents"
    )
    is_private = models.BooleanField(_("private"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    followup = models.ForeignKey(
        Followup, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    solution = models.ForeignKey(
        Solution, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "id"]
        indexes = [
            # Ticket page timeline: a ticket's documents in order.
            models.Index(fields=["ticket", "created_at"], name="document_timeline"),
        ]

    def storage_folder(self) -> str:
        return f"tickets/{self.ticket_id}"


class History(models.Model):
    """One change of one field of a ticket: who, when, from what, to what."""

    # Looked up by ticket through "history_timeline" (ticket, created_at).
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="history",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty for an automatic change."),
    )
    field = models.CharField(_("field"), max_length=50)
    old_value = models.CharField(_("old value"), max_length=255, blank=True)
    new_value = models.CharField(_("new value"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["created_at", "id"]
        indexes = [
            # Ticket page "Historique": a ticket's changes in order.
            models.Index(fields=["ticket", "created_at"], name="history_timeline"),
        ]

    def __str__(self):
        return f"#{self.ticket_id} {self.field}: {self.old_value} → {self.new_value}"


class DashboardCount(models.Model):
    """A part of one of the dashboard's figures: the figure is the sum of its key's rows.

    A change to a ticket appends rows in its own transaction (+1 under the new key, -1
    under the old one), so writers never wait on a shared counter; the beat job folds
    each key's rows into one (`stats.dashboard_counts_fold`), and the dashboard sums a
    few thousand rows however long the history.
    """

    class Kind(models.TextChoices):
        OPEN = "open"  # tickets open now, by team, theme, priority and status
        CREATED = "created"  # tickets created on a day, by team
        SOLVED = "solved"  # solutions proposed on a day, by team
        TAKE_TIME = "take"  # tickets taken, by team; total: microseconds until taken
        SOLVE_TIME = "solve"  # tickets solved, by team; total: microseconds until solved

    kind = models.CharField(max_length=10, choices=Kind)
    # A team or theme removed leaves its tickets without one, and its counts too.
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    theme = models.ForeignKey(Theme, null=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.PositiveSmallIntegerField(null=True)
    status = models.PositiveSmallIntegerField(null=True)
    day = models.DateField(null=True)  # local date
    count = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    folded = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Dashboard: the current counts (no day) and the last weeks' (by day).
            models.Index(fields=["day"], name="dashboardcount_day"),
            # Fold job: the rows appended since its last run.
            models.Index(fields=["id"], condition=Q(folded=False), name="dashboardcount_unfolded"),
        ]

    def __str__(self):
        return f"{self.kind} {self.team_id} {self.day or ''}: {self.count}"


class TicketLink(models.Model):
    """One ticket linked to another: related to, duplicate of, parent of (tickets.links)."""

    # Both ends are served by the indexes below, not by one index per foreign key.
    from_ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("from ticket"),
        on_delete=models.CASCADE,
        related_name="links_from",
        db_index=False,
    )
    to_ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("to ticket"),
        on_delete=models.CASCADE,
        related_name="links_to",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=links.model_choices())
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        ordering = ["kind", "created_at", "id"]
        indexes = [
            # Ticket page: the links that point to the ticket ("child of", "has for
            # duplicate"); those that start from it use the unique constraint's index.
            models.Index(fields=["to_ticket", "kind"], name="ticketlink_to"),
        ]
        constraints = [
            # One link per pair and kind; also serves "the links a ticket starts" and
            # "a parent's children" (from_ticket, kind).
            models.UniqueConstraint(
                fields=["from_ticket", "kind", "to_ticket"], name="ticketlink_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_ticket=F("to_ticket")), name="ticketlink_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"#{self.from_ticket_id} {self.get_kind_display()} #{self.to_ticket_id}"
