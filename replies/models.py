"""Canned answers ("réponses types"): texts a technician starts a followup or a solution from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Team


class CannedAnswer(models.Model):
    """A followup or solution text with placeholders, for one team or, without one, for all."""

    class Usage(models.TextChoices):
        FOLLOWUP = "followup", _("Followups")
        SOLUTION = "solution", _("Solutions")
        BOTH = "both", _("Followups and solutions")

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    usable_for = models.CharField(_("usable for"), max_length=10, choices=Usage, default=Usage.BOTH)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_answers",
        help_text=_("Empty: every team may use it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")
        ordering = ["-usage_count", "title"]
        indexes = [
            # The composer's picker: a team's (or the global) active answers, most used first.
            models.Index(
                fields=["team", "-usage_count"],
                condition=models.Q(is_active=True),
                name="canned_team_usage",
            ),
            # The back office's list: a team's answers by title, the inactive ones included.
            models.Index(fields=["team", "title"], name="canned_team_title"),
        ]

    def __str__(self):
        return self.title

    def is_global(self) -> bool:
        return self.team_id is None

    def fits(self, kind: str) -> bool:
        """Tell whether the answer is offered in the followup or the solution form."""
        return self.usable_for in (kind, self.Usage.BOTH)
