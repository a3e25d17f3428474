"""Reads of the knowledge base: search with the best match first, suggestions."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from .models import Article

# Title and keywords weigh more than the text: what an article is about comes first.
DOCUMENT = SearchVector("title", "keywords", config="french", weight="A") + SearchVector(
    "body", config="french", weight="B"
)


def search(articles: QuerySet[Article], text: str, *, every_word=True) -> QuerySet[Article]:
    """Articles matching the words (all of them, or any), the most relevant first."""
    text = text.strip()
    if not text:
        return articles
    words = text.split()[:8]
    if connection.vendor == "postgresql":
        if every_word:
            query = SearchQuery(text, config="french", search_type="websearch")
        else:
            query = SearchQuery(words[0], config="french")
            for word in words[1:]:
                query |= SearchQuery(word, config="french")
        return (
            articles.annotate(document=DOCUMENT, rank=SearchRank(DOCUMENT, query))
            .filter(document=query)
            .order_by("-rank", "title")
        )
    if not every_word:
        words = [w for w in words if len(w) >= 3] or words
    match = Q() if every_word else Q(pk__in=[])
    for word in words:
        found = Q(title__icontains=word) | Q(keywords__icontains=word) | Q(body__icontains=word)
        match = (match & found) if every_word else (match | found)
    in_title = sum(
        (
            Case(When(title__icontains=w, then=Value(2)), default=Value(0))
            + Case(When(keywords__icontains=w, then=Value(2)), default=Value(0))
            for w in words
        ),
        Value(0),
    )
    return (
        articles.filter(match)
        .annotate(rank=Value(0, output_field=IntegerField()) + in_title)
        .order_by("-rank", "title")
    )


def suggestions(text: str, limit: int = 5) -> list[Article]:
    """FAQ articles for what a requester is typing: public ones only, at most five."""
    if len(text.strip()) < 3:
        return []
    public = Article.objects.filter(visibility=Article.Visibility.PUBLIC)
    # Any word will do: a subject is typed as a sentence, not as a search query.
    return list(search(public, text, every_word=False).only("id", "title")[:limit])


def article_named(text: str) -> Article | None:
    """The article a picker's text names: "Title (#12)"."""
    match = re.search(r"\(#(\d{1,12})\)\s*$", text)
    return Article.objects.filter(pk=int(match.group(1))).first() if match else None
