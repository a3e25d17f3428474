from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import StoredFile
from tickets.models import Category, Solution


class Article(models.Model):
    """Shared know-how: internal to technicians, or public, when it is part of the FAQ."""

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Technicians only")
        PUBLIC = "public", _("Everyone (FAQ)")

    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL
    )
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility, default=Visibility.INTERNAL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    views = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(_("solved the problem"), default=0)
    helpful_no = models.PositiveIntegerField(_("did not solve it"), default=0)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title"]
        indexes = [
            # FAQ and back-office lists: articles by visibility and category.
            models.Index(fields=["visibility", "category"], name="article_visibility"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Revision(models.Model):
    """An article as it was before one of its changes."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=255)
    body = models.TextField()
    keywords = models.CharField(max_length=500, blank=True)
    visibility = models.CharField(max_length=10, choices=Article.Visibility)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Article page "Historique": an article's revisions, newest first.
            models.Index(fields=["article", "-created_at"], name="revision_history"),
        ]

    def __str__(self):
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(StoredFile):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def storage_folder(self) -> str:
        return f"knowledge/{self.article_id}"


class SolutionArticle(models.Model):
    """The article a technician linked to a solution, shown to the requester if public."""

    solution = models.OneToOneField(
        Solution, on_delete=models.CASCADE, related_name="knowledge_link"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="solutions")

    def __str__(self):
        return f"{self.solution_id} → {self.article_id}"
