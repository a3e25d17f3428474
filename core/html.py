"""Rich text from users: the light formatting we offer, and nothing a browser would run."""

import nh3
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "blockquote"}


def clean_html(text: str) -> str:
    """Keep the light formatting we offer and drop everything else (scripts included)."""
    return nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def rich_text(value: str, text_format: str) -> str:
    """The editor's HTML ("html"), or a plain textarea's text, as safe HTML."""
    if text_format == "html":
        return clean_html(value)
    return clean_html(linebreaks(escape(value or "")))


def has_text(html: str) -> bool:
    """Tell whether some HTML holds any visible text."""
    return bool(nh3.clean(html, tags=set()).strip())
