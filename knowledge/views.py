"""The knowledge base: written in the back office, read there and, when public, in the FAQ."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.files import attachment_response
from core.forms import LookupForm
from tickets import permissions as ticket_permissions
from tickets.models import Solution

from . import permissions, selectors, services
from .forms import ArticleForm, DraftForm, SearchForm, SuggestionsForm, VoteForm
from .models import Article, Revision

LIST_SIZE = 50


def _writer(request):
    if not permissions.can_write(request.user):
        raise Http404


def _readable(request, pk, *, public_only=False) -> Article:
    article = get_object_or_404(Article.objects.select_related("category", "author"), pk=pk)
    if not permissions.can_read(request.user, article) or (public_only and not article.is_public):
        raise Http404
    return article


def _listing(request, articles, template, extra=None):
    form = SearchForm(request.GET)
    filters = form.values()
    if "category" in filters:
        articles = articles.filter(category=filters["category"])
    searching = bool(filters.get("q"))
    if searching:
        articles = selectors.search(articles, filters["q"])
    else:  # by category, for the headings of the FAQ
        articles = articles.order_by("category__full_name", "title")
    context = {"form": form, "articles": articles[:LIST_SIZE], "by_category": not searching}
    return render(request, template, {**context, **(extra or {})})


# Back office -------------------------------------------------------------------------


@login_required
@require_GET
def article_list(request):
    _writer(request)
    top = Article.objects.only("id", "title", "views", "helpful_yes", "helpful_no")
    extra = {
        "most_viewed": top.order_by("-views", "title")[:5],
        "most_helpful": top.filter(helpful_yes__gt=0).order_by(
            F("helpful_no") - F("helpful_yes"), "title"
        )[:5],
    }
    return _listing(
        request, Article.objects.select_related("category"), "knowledge/list.html", extra
    )


def _editor(request, article=None):
    _writer(request)
    initial = {}
    solution_id = DraftForm(request.GET).values().get("solution")
    if article is None and solution_id:
        solution = get_object_or_404(Solution.objects.select_related("ticket"), pk=solution_id)
        if not ticket_permissions.can_work_ticket(request.user, solution.ticket):
            raise Http404
        initial = services.article_draft_from_solution(solution)
        initial["body_format"] = "html"
    form = ArticleForm(
        request.POST or None, request.FILES or None, instance=article, initial=initial
    )
    if article is not None and not request.POST:
        form.initial["body_format"] = "html"
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            saved = services.article_save(
                article=article,
                author=request.user,
                files=data["files"] or [],
                **{field: data[field] for field in services.FIELDS},
            )
        except (DomainError, PermissionDenied) as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("knowledge:detail", pk=saved.pk)
    status = 400 if (form.errors or error) else 200
    context = {"form": form, "article": article, "error": error}
    return render(request, "knowledge/edit.html", context, status=status)


@login_required
def article_create(request):
    return _editor(request)


@login_required
def article_edit(request, pk):
    return _editor(request, get_object_or_404(Article, pk=pk))


@login_required
@require_GET
def article_detail(request, pk):
    _writer(request)
    article = _readable(request, pk)
    context = {
        "article": article,
        "revisions": article.revisions.select_related("author"),
        "attachments": article.attachments.all(),
    }
    return render(request, "knowledge/detail.html", context)


@login_required
@require_POST
def revision_restore(request, pk, revision_pk):
    _writer(request)
    revision = get_object_or_404(Revision, pk=revision_pk, article_id=pk)
    services.article_restore(revision=revision, author=request.user)
    messages.success(request, _("The older text is back; the replaced one is kept in the history."))
    return redirect("knowledge:detail", pk=pk)


@login_required
@require_GET
def picker(request):
    """Suggestions for the "link an article" box of a solution."""
    _writer(request)
    found = selectors.search(Article.objects.all(), LookupForm(request.GET).text())[:10]
    options = [f"{article.title} (#{article.pk})" for article in found]
    return render(request, "portal/options.html", {"options": options})


# Portal: the FAQ ---------------------------------------------------------------------


@login_required
@require_GET
def faq(request):
    articles = Article.objects.filter(visibility=Article.Visibility.PUBLIC)
    return _listing(request, articles.select_related("category"), "knowledge/faq.html")


@login_required
@require_GET
def faq_article(request, pk):
    article = _readable(request, pk, public_only=True)
    services.article_viewed(article=article)
    voted = pk in request.session.get("faq_votes", [])
    context = {"article": article, "attachments": article.attachments.all(), "voted": voted}
    return render(request, "knowledge/faq_article.html", context)


@login_required
@require_POST
def faq_vote(request, pk):
    article = _readable(request, pk, public_only=True)
    votes = request.session.get("faq_votes", [])
    if pk not in votes:  # one answer per person and article
        helpful = VoteForm(request.POST).values().get("helpful") == "yes"
        services.article_voted(article=article, helpful=helpful)
        request.session["faq_votes"] = [*votes, pk]
    messages.success(request, _("Thank you for your answer."))
    return redirect("knowledge:faq-article", pk=pk)


@login_required
@require_GET
def faq_suggestions(request):
    """Up to five FAQ articles for the subject a requester is typing (an htmx partial)."""
    articles = selectors.suggestions(SuggestionsForm(request.GET).values().get("title", ""))
    return render(request, "knowledge/_suggestions.html", {"articles": articles})


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    article = _readable(request, pk)
    return attachment_response(get_object_or_404(article.attachments, pk=attachment_pk))
