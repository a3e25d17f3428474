import html

from django import template
from django.utils.html import strip_tags

register = template.Library()


@register.filter
def plain(value: str) -> str:
    """Cleaned HTML as plain text for the text part of an e-mail: no tags, no entities."""
    return html.unescape(strip_tags(value or ""))
