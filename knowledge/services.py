"""Every change to the knowledge base; each change keeps the previous text as a revision."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.files import files_removed_on_error
from core.html import clean_html, has_text
from tickets.models import Solution

from . import permissions
from .errors import KnowledgeError
from .models import Article, Attachment, Revision, SolutionArticle

FIELDS = ("title", "body", "keywords", "visibility", "category")


def _check(author, title: str, body: str) -> None:
    if not permissions.can_write(author):
        raise PermissionDenied
    if not title.strip():
        raise KnowledgeError(_("An article needs a title."))
    if not has_text(body):
        raise KnowledgeError(_("An article needs a text."))


@transaction.atomic
def article_create(*, author, title, body, keywords="", visibility, category=None) -> Article:
    body = clean_html(body)
    _check(author, title, body)
    return Article.objects.create(
        title=title.strip()[:255],
        body=body,
        keywords=keywords.strip()[:500],
        visibility=visibility,
        category=category,
        author=author,
    )


def _keep(article: Article, author) -> Revision:
    return Revision.objects.create(
        article=article,
        title=article.title,
        body=article.body,
        keywords=article.keywords,
        visibility=article.visibility,
        category=article.category,
        author=author,
    )


@transaction.atomic
def article_update(*, article: Article, author, **changes) -> Article:
    """Change an article; what it said before is kept as a revision."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"article_update cannot change {sorted(unknown)}")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if "body" in changes:
        changes["body"] = clean_html(changes["body"])
    _check(author, changes.get("title", article.title), changes.get("body", article.body))
    if all(getattr(article, k) == v for k, v in changes.items()):
        return article
    _keep(article, author)
    for field, value in changes.items():
        setattr(article, field, value)
    article.updated_at = timezone.now()
    article.save()
    return article


def article_restore(*, revision: Revision, author) -> Article:
    """Bring back an older text; the current one becomes a revision in its turn."""
    return article_update(
        article=revision.article,
        author=author,
        **{field: getattr(revision, field) for field in FIELDS},
    )


@transaction.atomic
def attachment_add(*, article: Article, author, file) -> Attachment:
    if not permissions.can_write(author):
        raise PermissionDenied
    attachment = Attachment(article=article, uploaded_by=author)
    attachment.store(file)
    attachment.save()
    return attachment


@transaction.atomic
def article_save(*, article: Article | None, author, files=(), **fields) -> Article:
    """Write a new article or change one, with new files; a refused file undoes it all."""
    if article is None:
        article = article_create(author=author, **fields)
    else:
        article = article_update(article=article, author=author, **fields)
    with files_removed_on_error() as attachments:
        for upload in files:
            attachments.append(attachment_add(article=article, author=author, file=upload))
    return article


def article_viewed(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def article_voted(*, article: Article, helpful: bool) -> None:
    """Count one answer to "did this article solve your problem?"."""
    field = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})


def article_draft_from_solution(solution: Solution) -> dict:
    """What a new article starts with when written from a ticket's solution."""
    ticket = solution.ticket
    return {
        "title": ticket.title,
        "body": solution.content,
        "category": ticket.category_id,
        "visibility": Article.Visibility.INTERNAL,
    }


@transaction.atomic
def solution_link_article(*, solution: Solution, article: Article, author) -> SolutionArticle:
    if not permissions.can_write(author):
        raise PermissionDenied
    link, _created = SolutionArticle.objects.update_or_create(
        solution=solution, defaults={"article": article}
    )
    return link
