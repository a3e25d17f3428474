import functools
from datetime import timedelta
from html import escape

from django import template
from django.middleware.csrf import get_token
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.timezone import get_current_timezone, localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.forms import error_links
from core.reversing import url_for

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


# Django's format letters that a date's ISO form holds as they are, by their place in it:
# read from there, they cost a fraction of formatting each field.
ISO_PLACES = {"d": (8, 10), "m": (5, 7), "Y": (0, 4), "H": (11, 13), "i": (14, 16), "s": (17, 19)}


@functools.cache
def _pattern_of(django_format: str) -> str | None:
    """A str.format pattern, over ISO_PLACES' letters, that writes as `django_format`
    does; None when it cannot."""
    if "\\" in django_format or any(c.isalpha() and c not in ISO_PLACES for c in django_format):
        return None
    return "".join(
        f"{{{c}}}" if c in ISO_PLACES else c.replace("{", "{{").replace("}", "}}")
        for c in django_format
    )


def _from_iso(iso: str, pattern: str) -> str:
    """A date written by a _pattern_of pattern, from its `isoformat()`."""
    return pattern.format(
        d=iso[8:10], m=iso[5:7], Y=iso[0:4], H=iso[11:13], i=iso[14:16], s=iso[17:19]
    )


def short_datetime(value) -> str:
    """A date and time in the reader's time zone, as `|date:"SHORT_DATETIME_FORMAT"` writes it.

    French's "d/m/Y H:i" goes through str.format, many times faster than Django's
    formatter, which a timeline of hundreds of items would call hundreds of times.
    """
    return _short_local(localtime(value), formats.get_format("SHORT_DATETIME_FORMAT"))


@functools.lru_cache(maxsize=4096)
def time_html(value, timezone, django_format: str) -> str:
    """A `<time>` element in `timezone`, written as short_datetime does; a queue's dates,
    the same from one page to the next, are written once."""
    value = localtime(value, timezone)
    iso = value.isoformat()
    return f'<time datetime="{iso}">{escape(_short_local(value, django_format, iso))}</time>'


# "3 days" and the like in each language, written once per process: a bounded number.
_AGE_WORDS: dict[tuple, str] = {}


class _CountedWords:
    """One of timesince's units, its words for each count translated once (_AGE_WORDS)."""

    def __init__(self, unit: str, language: str):
        self.key = (language, unit)

    def __mod__(self, values: dict) -> str:
        key = (*self.key, values["num"])
        if key not in _AGE_WORDS:
            _AGE_WORDS[key] = TIME_STRINGS[self.key[1]] % values
        return _AGE_WORDS[key]


@functools.cache
def _age_words(language: str) -> dict:
    return {unit: _CountedWords(unit, language) for unit in TIME_STRINGS}


@functools.lru_cache(maxsize=10_000)  # a queue's rows, page after page, in this minute
def _age(language: str, now, d) -> str:
    return timesince(d, now, time_strings=_age_words(language))


def ages(now):
    """`age(d)`: timesince(d, now) to the minute, for many rows; each age is worked out
    once a minute and each "3 days" translated once."""
    return functools.partial(_age, get_language(), now.replace(second=0, microsecond=0))


def _menu_link(url_name: str, label, current: bool) -> str:
    mark = ' aria-current="page"' if current else ""
    return f'<a href="{url_for(url_name)}"{mark}>{escape(str(label))}</a>'


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    """Every page's header: the brand and, for a signed-in person, the main menu.

    Written in Python: it is on every page, and as a template its dozen links cost about
    a millisecond each time.
    """
    request, user = context.get("request"), context.get("user")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    app = match.app_name if match else None
    menu = ""
    if request is not None and user is not None and user.is_authenticated:
        links = [
            ("portal:home", _("Open a ticket"), current == "home" and app == "portal"),
            ("portal:my-tickets", _("My assistance requests"), current == "my-tickets"),
            ("knowledge:faq", _("FAQ"), current in ("faq", "faq-article")),
        ]
        if context.get("show_back_office") and context["show_back_office"]():
            office = app == "backoffice" and current != "dashboard"
            links.append(("backoffice:home", _("Back office"), office))
        if context.get("show_dashboard") and context["show_dashboard"]():
            links.append(("backoffice:dashboard", _("Dashboard"), current == "dashboard"))
        links.append(("portal:profile", user.get_display_name(), current == "profile"))
        if user.is_staff:
            links.append(("admin:index", _("Administration"), False))
        # The page's own token (the csrf context processor's): masking another costs.
        token = escape(str(context.get("csrf_token") or get_token(request)))
        log_out = escape(_("Log out"))
        menu = "".join(_menu_link(*link) for link in links) + (
            f'<form method="post" action="{url_for("account_logout")}" class="inline">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            f'<button type="submit">{log_out}</button></form>'
        )
    menu_label = escape(_("Main menu"))
    return mark_safe(  # noqa: S308 - our words and the person's name, escaped
        f'<header class="site-header"><a class="brand" href="{url_for("portal:home")}">Help</a>'
        f'<nav aria-label="{menu_label}">{menu}</nav></header>'
    )


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    """Every page's footer: the accessibility statement and its conformity state."""
    conformity = context.get("accessibility_conformity")
    state = conformity() if conformity else ""
    words = _("Accessibility: %(state)s") % {"state": state}
    return mark_safe(  # noqa: S308 - escaped
        f'<footer class="site-footer"><a href="{url_for("portal:accessibility")}">'
        f"{escape(words)}</a></footer>"
    )


@register.filter
def status_badge(ticket) -> str:
    """A ticket's status in words, in its colour."""
    words = escape(ticket.get_status_display())
    return mark_safe(f'<span class="status status-{int(ticket.status)}">{words}</span>')  # noqa: S308


@register.filter
def priority_badge(ticket) -> str:
    """A ticket's priority in words, in its colour."""
    words = escape(ticket.get_priority_display())
    return mark_safe(f'<span class="priority priority-{int(ticket.priority)}">{words}</span>')  # noqa: S308


@register.filter(name="short_datetime")
def short_datetime_filter(value) -> str:
    """`|date:"SHORT_DATETIME_FORMAT"` at a fraction of its cost; nothing for no date."""
    return short_datetime(value) if value else ""


def _short_local(value, django_format: str, iso: str = "") -> str:
    # Read from the ISO form (`iso`, when the caller has it) rather than strftime, which
    # costs many times more.
    pattern = _pattern_of(django_format)
    if pattern:
        return _from_iso(iso or value.isoformat(), pattern)
    return formats.date_format(value, django_format)


def timeline_labels() -> dict:
    """The words of the timeline's meta lines, translated and escaped once for a whole
    timeline, with the reader's time zone and date format."""
    django_format = formats.get_format("SHORT_DATETIME_FORMAT")
    pattern = _pattern_of(django_format)
    words = {
        "followup": _("Message"),
        "task": _("Task"),
        "document": _("Document"),
        "solution": _("Solution"),
    }
    return {
        "timezone": get_current_timezone(),
        "datetime_format": django_format,
        # Numbers in the format's own marks, escaped here once (None: not a plain format).
        "date_pattern": pattern and escape(pattern),
        **{kind: escape(str(word)) for kind, word in words.items()},
        "private": f'<span class="private-badge">{escape(_("Private"))}</span> ',
        "public": f'<span class="public-badge">{escape(_("Public"))}</span> ',
    }


# The attribute holding each kind's state, when it has one.
_STATE_OF = {"task": "state", "solution": "status"}


def timeline_meta_html(kind: str, item, labels: dict, *, show_public: bool = False) -> str:
    """The line above a timeline item: what it is, public or private in words, who, when.

    Written with f-strings and `escape` rather than as an included template or with
    format_html: a ticket may hold hundreds of items, and this line is on each of them.
    Every value is escaped; the labels are our own words, escaped too.
    """
    # Each label and role is translated once per timeline, kept in `labels`.
    state = getattr(item, _STATE_OF[kind]) if kind in _STATE_OF else None
    label = labels.get((kind, state))
    if label is None:
        if kind == "task":
            label = f"{labels['task']} — {escape(item.get_state_display())}"
        elif kind == "solution":
            label = f"{labels['solution']} — {escape(item.get_status_display())}"
        else:
            label = labels[kind]
        labels[kind, state] = label
    if kind != "solution" and item.is_private:  # a solution is always public
        badge = labels["private"]
    else:
        badge = labels["public"] if show_public else ""
    person = item.uploaded_by if kind == "document" else item.author
    name = ""
    if person:  # each person's name escaped once per timeline
        name = labels.get(("person", person.pk))
        if name is None:
            name = labels["person", person.pk] = escape(person.get_display_name()) + " "
    role = getattr(item, "author_role", "")  # a lazy translation: read once per role
    role_html = labels.get(("role", id(role)))
    if role_html is None:
        role_html = f'<span class="timeline-role">({escape(str(role))})</span> ' if role else ""
        labels["role", id(role)] = role_html
    when = item.created_at.astimezone(labels["timezone"])  # aware, from the database
    iso, pattern = when.isoformat(), labels["date_pattern"]
    # The pattern is escaped once (timeline_labels); the other formats' words are not.
    if pattern:
        written = _from_iso(iso, pattern)
    else:
        written = escape(_short_local(when, labels["datetime_format"], iso))
    return (
        f'<p class="meta"><span class="kind">{label}</span> {badge}{name}{role_html}'
        f'— <time datetime="{iso}">{written}</time></p>'
    )


@register.simple_tag
def timeline_meta(kind: str, item) -> str:
    """The portal's meta line of one timeline item (see timeline_meta_html)."""
    return mark_safe(timeline_meta_html(kind, item, timeline_labels()))  # noqa: S308 - escaped
