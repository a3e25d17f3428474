from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.files import StoredFile
from tickets.models import Theme

from .questions import BY_NAME, Kind, QuestionKind


class ThemeQuestion(models.Model):
    """A question of its own that a theme's form asks, defined in admin."""

    Kind = Kind  # declared with the kinds of answer (portal.questions)

    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=255)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=Kind, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For single and multiple choice: one per line.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    show_if_question = models.ForeignKey(
        "self",
        verbose_name=_("show only when the question"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
    )
    show_if_value = models.CharField(
        _("has the answer"),
        max_length=255,
        blank=True,
        help_text=_("For a yes/no question, write “yes” or “no”."),
    )

    class Meta:
        verbose_name = _("theme question")
        verbose_name_plural = _("theme questions")
        ordering = ["theme", "position", "id"]

    def __str__(self):
        return self.label

    def clean(self):
        if self.kind_of_answer.needs_choices and not self.choice_list():
            raise ValidationError({"choices": _("Give at least one choice, one per line.")})
        condition = self.show_if_question
        if condition is not None:
            if condition.theme_id != self.theme_id or self.pk in condition.condition_chain():
                raise ValidationError(
                    {"show_if_question": _("Choose another question of the same theme.")}
                )
            if not self.show_if_value.strip():
                raise ValidationError({"show_if_value": _("Give the answer that shows it.")})

    def condition_chain(self) -> list[int]:
        """This question's id and those it depends on, stopping at a loop."""
        chain, question = [], self
        while question is not None and question.pk not in chain:
            chain.append(question.pk)
            question = question.show_if_question
        return chain

    @property
    def kind_of_answer(self) -> QuestionKind:
        return BY_NAME.get(self.kind, BY_NAME[Kind.TEXT])

    @property
    def field_name(self) -> str:
        return f"q_{self.pk}"

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class PendingUpload(StoredFile):
    """A file sent with a form that had errors, kept so the requester need not send it again."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_uploads"
    )

    class Meta:
        indexes = [
            # Clean-up of forgotten uploads: the oldest first.
            models.Index(fields=["created_at"], name="pending_upload_age"),
        ]

    def storage_folder(self) -> str:
        return "pending"
