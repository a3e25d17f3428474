from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from core.forms import error_links

register = template.Library()


@register.filter(name="error_links")
def error_links_filter(form) -> list:
    """The form's errors as links for templates/_error_summary.html."""
    return error_links(form) if form is not None else []


@register.filter
def duration(value: timedelta | None) -> str:
    """Write a duration the way people say it: "3 j 4 h", "2 h 05", "12 min"."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
