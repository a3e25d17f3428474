"""What the back office keeps of its own: the technicians' saved searches."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Team


class SavedSearch(models.Model):
    """A named set of a queue's filters: a tab of its owner's, or of a whole team's, queues.

    The filters are kept as the query string the queue's page sent; they go through
    QueueFilterForm again on every use, so a team or a category gone since is dropped.
    """

    class Queue(models.TextChoices):
        MINE = "mine", _("My tickets")
        TEAM = "team", _("My team")
        TASKS = "tasks", _("My tasks")
        ALL = "all", _("All")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_searches",
    )
    name = models.CharField(_("name"), max_length=80)
    queue = models.CharField(_("queue"), max_length=10, choices=Queue, default=Queue.TEAM)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("shared with the team"),
        null=True,
        blank=True,
        # A team gone: the search stays its owner's only.
        on_delete=models.SET_NULL,
        related_name="saved_searches",
        help_text=_("Empty: only its owner sees it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["created_at", "pk"]
        indexes = [
            # The queue's tabs: one's own searches, oldest first.
            models.Index(fields=["owner", "created_at"], name="savedsearch_owner"),
            # The queue's tabs: the searches shared with one's teams.
            models.Index(
                fields=["team", "created_at"],
                condition=models.Q(team__isnull=False),
                name="savedsearch_team",
            ),
        ]

    def __str__(self):
        return self.name
