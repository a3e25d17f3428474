"""The queue's table: its place filter and its rows."""

import functools
from html import escape

from django import template
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

from core.reversing import url_format
from core.templatetags.helpdesk import ages, time_html
from servicelevels.selectors import STATE_LABELS, STATE_MARKS, state_at
from tickets import selectors
from tickets.models import PATH_SEPARATOR

register = template.Library()


def place_short(path: str) -> str:
    """The last two levels of a place's path, such as "Bâtiment A > Salle 101"."""
    return PATH_SEPARATOR.join(path.split(PATH_SEPARATOR)[-2:])


@register.simple_tag(takes_context=True)
def queue_rows(context, rows) -> str:
    """The <tr> of every ticket of a queue's page.

    Written in Python, as the work page's timeline is: fifty rows of a dozen cells cost
    several times the rest of the page when each cell goes through the template engine.
    Every value goes through `escape`; the words are translated once per page.
    """
    words = {
        "number": _("No."),
        "title": _("Title"),
        "requester": _("Requester"),
        "theme": _("Theme / category"),
        "place": _("Location"),
        "status": _("Status"),
        "priority": _("Priority"),
        "team": _("Team"),
        "technician": _("Technician"),
        "due": _("Due date"),
        "activity": _("Last activity"),
        "age": _("Age"),
        "changed": _("New since your last visit"),
    }
    words.update(STATE_LABELS)
    words = {key: escape(str(value)) for key, value in words.items()}
    # What every row repeats, worked out once: the labels of the statuses and priorities.
    labels = {
        name: {value: escape(label) for value, label in choices.items()}
        for name, choices in selectors.choice_labels("status", "priority").items()
    }
    # Each cell's opening tag, with its label for the phone layout, written once.
    cells = {"number": "", "title": "cell-title", "requester": "", "theme": "", "place": ""}
    cells |= {"status": "cell-status", "priority": "cell-priority", "team": "", "technician": ""}
    cells |= {"due": "", "activity": "", "age": ""}
    page = {
        "td": {
            key: f'<td data-label="{words[key]}"' + (f' class="{css}">' if css else ">")
            for key, css in cells.items()
        },
        "words": words,
        "labels": labels,
        "now": context["now"],
        "age": ages(context["now"]),
        "time": functools.partial(
            time_html,
            timezone=get_current_timezone(),
            django_format=formats.get_format("SHORT_DATETIME_FORMAT"),
        ),
        "select": _("Select ticket %(number)s"),
        "for": _("for %(name)s"),
        "url": url_format("backoffice:ticket"),
    }
    return mark_safe("".join([_row(ticket, page) for ticket in rows]))  # noqa: S308


def _row(ticket, page: dict) -> str:
    td, words, labels = page["td"], page["words"], page["labels"]
    requester = escape(ticket.requester) or "—"
    if ticket.beneficiary:
        beneficiary = page["for"] % {"name": ticket.beneficiary}
        requester += f'<br><span class="muted">{escape(beneficiary)}</span>'
    theme = escape(ticket.theme) or "—"
    if ticket.category:
        theme += f'<br><span class="muted">{escape(ticket.category)}</span>'
    title = f'<a href="{page["url"].format(ticket.pk)}">{escape(ticket.title)}</a>'
    if ticket.changed:
        title += f' <span class="changed-badge">{words["changed"]}</span>'
    select = escape(page["select"] % {"number": ticket.pk})
    status = labels["status"].get(ticket.status, ticket.status)
    priority = labels["priority"].get(ticket.priority, ticket.priority)
    return (
        '<tr><td class="cell-select">'
        f'<input type="checkbox" name="tickets" value="{ticket.pk}" class="row-select" '
        f'aria-label="{select}"></td>'
        f"{td['number']}{ticket.pk}</td>"
        f"{td['title']}{title}</td>"
        f"{td['requester']}{requester}</td>"
        f"{td['theme']}{theme}</td>"
        f"{td['place']}{escape(place_short(ticket.location)) or '—'}</td>"
        f'{td["status"]}<span class="status status-{ticket.status}">{status}</span></td>'
        f'{td["priority"]}<span class="priority priority-{ticket.priority}">{priority}</span></td>'
        f"{td['team']}{escape(ticket.team) or '—'}</td>"
        f"{td['technician']}{escape(ticket.assignee) or '—'}</td>"
        f"{td['due']}{_due(ticket, page)}</td>"
        f"{td['activity']}{page['time'](ticket.last_activity_at)}</td>"
        f"{td['age']}{escape(page['age'](ticket.created_at))}</td></tr>"
    )


def _due(ticket, page: dict) -> str:
    """The running due date and its state in words; a dash without one."""
    if ticket.due_at is None:
        return "—"
    state = state_at(page["now"], ticket.due_warn_at or ticket.due_at, ticket.due_at)
    return (
        f'<span class="due due-{state}"><span aria-hidden="true" class="due-mark">'
        f"{STATE_MARKS[state]}</span> {page['words'][state]}</span><br>"
        f"{page['time'](ticket.due_at)}"
    )
