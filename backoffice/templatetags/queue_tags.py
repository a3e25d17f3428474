"""Filters of the queue's table."""

from django import template

from tickets.models import PATH_SEPARATOR

register = template.Library()


@register.filter
def place_short(location) -> str:
    """The last two levels of a place's path, such as "Bâtiment A > Salle 101"."""
    if location is None:
        return ""
    return PATH_SEPARATOR.join(str(location).split(PATH_SEPARATOR)[-2:])
