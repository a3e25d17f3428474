"""The costly parts of the work page, written in Python: its timeline, its forms, its
composer and its side settings.

A ticket may hold hundreds of items; rendered through included templates, each cost
about a third of a millisecond, more than all the rest of the page. Here the words are
translated once per page, and each item is a few f-strings in which every value goes
through `escape` (the items' contents are HTML cleaned when they were saved). The
forms' field groups are Django's (core.forms.FormRenderer), written once and reused
where they do not change from a ticket to the next. The markup is the one the page's
templates wrote.
"""

from html import escape

from django import template
from django.template.defaultfilters import filesizeformat, striptags, truncatewords
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.forms import error_links
from core.reversing import url_for
from core.templatetags.helpdesk import short_datetime, timeline_labels, timeline_meta_html

from ..forms import BlankForm

register = template.Library()


class _Page:
    """What every item of one page shares: the ticket, its URLs, the words, the token."""

    def __init__(self, ticket, csrf_token):
        self.ticket = ticket
        self.csrf_token = escape(str(csrf_token or ""))
        self.labels = timeline_labels() | {"followup": escape(_("Followup"))}
        self.create_article_url = url_for("knowledge:create")

    def document(self, item) -> str:
        url = url_for("backoffice:document", self.ticket.pk, item.pk)
        return (
            f'<a href="{url}">{escape(item.original_name)}</a> '
            f"({escape(str(filesizeformat(item.size)))})"
        )

    def solution(self, item) -> str:
        html = ""
        link = getattr(item, "knowledge_link", None)  # a reverse one-to-one: may be absent
        if link is not None:
            url = url_for("knowledge:detail", link.article_id)
            html += (
                f"<p>{escape(_('Linked article:'))} "
                f'<a href="{url}">{escape(link.article.title)}</a></p>'
            )
        proposed = _("(proposed on %(date)s)") % {"date": short_datetime(item.created_at)}
        return html + (
            f'<p><a href="{self.create_article_url}?solution={item.pk}">'
            f"{escape(_('Create an article from this solution'))} "
            f'<span class="visually-hidden">{escape(proposed)}</span></a></p>'
        )

    def task(self, item) -> str:
        facts = []
        if item.assigned_user:
            facts.append(_("Given to %(name)s") % {"name": item.assigned_user.get_display_name()})
        if item.assigned_team:
            facts.append(_("Given to the team %(team)s") % {"team": item.assigned_team.name})
        if item.planned_start:
            facts.append(_("planned on %(start)s") % {"start": short_datetime(item.planned_start)})
        if item.done_at:
            name = item.done_by.get_display_name() if item.done_by else "—"
            facts.append(
                _("done by %(name)s on %(date)s")
                % {"name": name, "date": short_datetime(item.done_at)}
            )
        if item.duration_minutes:
            facts.append(_("%(minutes)s min") % {"minutes": item.duration_minutes})
        html = f'<p class="muted">{" — ".join(escape(fact) for fact in facts)}</p>'
        if item.state == "todo" and not self.ticket.is_closed:
            url = url_for("backoffice:task-done", self.ticket.pk, item.pk)
            label = _("Mark the task “%(task)s” as done") % {
                "task": truncatewords(striptags(item.content), 8)
            }
            html += (
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#work" '
                'hx-select="#work" hx-swap="outerHTML">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf_token}">'
                f'<button type="submit" class="secondary">{escape(label)}</button></form>'
            )
        return html

    def item(self, kind: str, item) -> str:
        if kind == "document":
            body = self.document(item)
        else:
            body = f'<div class="rich">{item.content}</div>'
        if kind == "solution":
            body += self.solution(item)
        elif kind == "task":
            body += self.task(item)
        private = " private" if kind != "solution" and item.is_private else ""
        meta = timeline_meta_html(kind, item, self.labels, show_public=True)
        return f'<li class="timeline-item timeline-{kind}{private}">{meta}{body}</li>'


@register.simple_tag(takes_context=True)
def timeline_items(context, timeline) -> str:
    """The <li> of every item of the work page's timeline, in the order given."""
    page = _Page(context["ticket"], context.get("csrf_token"))
    return mark_safe("".join(page.item(kind, item) for kind, item in timeline))  # noqa: S308


def _field_group(field) -> str:
    return (
        f'<div class="field{" has-error" if field.errors else ""}">{field.as_field_group()}</div>'
    )


# The field groups of BlankForms by form, prefix and language, and those of unbound forms
# marked `same_for_same_values` by value too: each is written once per process instead of
# on each page (the side panel's selects and pickers, the composer's twenty fields).
# A value is a choice, a category, a place or a technician: a bounded number of them.
_WRITTEN: dict[tuple, str] = {}
_WRITTEN_MAX = 10_000


def _remember(key: tuple, write) -> str:
    html = _WRITTEN.get(key)
    if html is None:
        if len(_WRITTEN) >= _WRITTEN_MAX:
            _WRITTEN.clear()
        html = _WRITTEN[key] = write()
    return html


def form_fields(form) -> str:
    """The field groups of a form of the work page, written once where they may be."""
    language = get_language()
    if isinstance(form, BlankForm):
        key = (form.form_class, form.prefix, language)
        return _remember(key, lambda: "".join(map(_field_group, form.build())))
    if form.is_bound or not getattr(form, "same_for_same_values", False):
        return "".join(map(_field_group, form))
    return "".join(
        _remember(
            (type(form), form.prefix, field.name, language, field.value()),
            lambda field=field: _field_group(field),
        )
        for field in form
    )


@register.filter
def widget(field) -> str:
    """A field's widget; while it is empty, written once per process and language, in a
    form whose fields read nothing but their value (`same_for_same_values`): a queue's
    filters and bulk actions, mostly unset, on every page of the queue."""
    form = field.form
    if field.value() not in (None, "", []) or not getattr(form, "same_for_same_values", False):
        return str(field)
    key = (type(form), form.auto_id, form.prefix, field.name, get_language(), bool(field.errors))
    return mark_safe(_remember(key, lambda: str(field)))  # noqa: S308 - written by Django


@register.simple_tag
def hx_post(url: str) -> str:
    """The attributes that post a form of the work page by htmx and swap in the new page."""
    return mark_safe(  # noqa: S308 - the URL is escaped
        f'hx-post="{escape(url)}" hx-target="#work" hx-select="#work" hx-swap="outerHTML" '
        'hx-encoding="multipart/form-data"'
    )


@register.simple_tag(takes_context=True)
def work_form(context, form, action, submit) -> str:
    """One form of the work page: its errors atop when it failed, its fields, its button."""
    summary = ""
    if context.get("failed") == form.prefix:
        links = {"links": error_links(form), "summary_id": f"{form.prefix}-errors"}
        summary = render_to_string("_error_summary.html", links)
    token = escape(str(context.get("csrf_token") or ""))
    return mark_safe(  # noqa: S308 - every value is escaped, the fields by Django
        f'<form method="post" action="{escape(action)}" enctype="multipart/form-data" '
        f'class="work-form" novalidate {hx_post(action)}>'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        f'{summary}{form_fields(form)}<button type="submit">{conditional_escape(submit)}</button>'
        "</form>"
    )


def side_form(context, form, action, *, title, summary, submit, note="") -> str:
    """A setting of the side panel, folded to its current value; open when its change failed."""
    opened = " open" if context.get("failed") == form.prefix else ""
    note = f'<p class="muted">{conditional_escape(note)}</p>' if note else ""
    return mark_safe(  # noqa: S308 - as in work_form
        f'<details class="side-setting"{opened}><summary>'
        f'<span class="side-title">{conditional_escape(title)}</span>'
        f'<span class="side-value">{conditional_escape(summary)}</span></summary>'
        f"{note}{work_form(context, form, action, submit)}</details>"
    )


@register.simple_tag(takes_context=True)
def ticket_settings(context) -> str:
    """The side panel's settings of the ticket, each folded to its current value."""
    ticket, actions, forms, urls = (context[key] for key in ("ticket", "actions", "forms", "urls"))
    summary = _("%(category)s — urgency %(urgency)s") % {
        "category": ticket.category or "—",
        "urgency": ticket.get_urgency_display(),
    }
    settings = [  # (form's name, title, current value, button, note)
        ("fields", _("Classification"), summary, _("Save"), ""),
        ("assign", _("Technician"), ticket.assignee or _("Nobody"), _("Give it"), ""),
    ]
    if "set_status" in actions:
        note = _("Technicians do not close tickets: propose a solution, the requester accepts it.")
        status = ticket.get_status_display()
        settings.append(("status", _("Status"), status, _("Change the status"), note))
    if "transfer" in actions:
        team = ticket.team.name if ticket.team else "—"
        settings.append(("transfer", _("Team"), team, _("Transfer"), ""))
    count = len(context["observers"])
    observers = ngettext("%(count)s observer", "%(count)s observers", count) % {"count": count}
    settings.append(("observers", _("Observers"), observers, _("Change the observers"), ""))
    return mark_safe(  # noqa: S308 - side_form escapes every value
        "".join(
            side_form(
                context,
                forms[name],
                urls[name],
                title=title,
                summary=value,
                submit=submit,
                note=note,
            )
            for name, title, value, submit, note in settings
        )
    )


def _canned_picker(kind: str, ticket_pk: int) -> str:
    """The composer's canned-answer picker, before a followup or solution form.

    As one types, htmx brings the matching answers; "Use" fills the form's text box
    (static/js/backoffice.js). Without JavaScript, the search opens a page whose links come
    back to the ticket page with the text already in the form.
    """
    url = url_for("backoffice:canned-picker")
    done = escape(_("The canned answer is in the text box; review it before sending."))
    return (
        f'<div class="canned-picker" data-canned-picker data-canned-target="id_{kind}-content" '
        f'data-canned-field="id_{kind}-canned" data-canned-done="{done}">'
        f'<form method="get" action="{url}" role="search" class="filters" hx-get="{url}" '
        f'hx-trigger="submit, input delay:300ms" hx-target="#canned-results-{kind}" '
        'hx-swap="innerHTML" hx-sync="this:replace">'
        f'<input type="hidden" name="ticket" value="{ticket_pk}">'
        f'<input type="hidden" name="kind" value="{kind}">'
        f'<p><label for="canned-q-{kind}">{escape(_("Search a canned answer"))}</label>'
        f'<input type="search" id="canned-q-{kind}" name="q" maxlength="200" autocomplete="off" '
        f'aria-controls="canned-results-{kind}"></p>'
        f'<button type="submit">{escape(_("Search"))}</button></form>'
        f'<div id="canned-results-{kind}" class="canned-results" aria-live="polite"></div>'
        '<p class="visually-hidden" aria-live="polite" data-canned-status></p></div>'
    )


@register.simple_tag(takes_context=True)
def composer(context) -> str:
    """One composer under the timeline: a tab per action with JavaScript, sections without.

    Each panel is a heading, what helps to fill it, and its form (work_form).
    """
    actions, forms, urls = context["actions"], context["forms"], context["urls"]
    pk = int(context["ticket"].pk)
    panels = [  # (form's name, tab, heading, what comes before the form, button)
        (
            "followup",
            _("Followup"),
            _("Add a followup"),
            _canned_picker("followup", pk),
            _("Add the followup"),
        ),
    ]
    if "task" in actions:
        note = _(
            "To escalate to an expert, or to wait for an order: give the task to a person or a "
            "team."
        )
        panels.append(
            (
                "task",
                _("Task"),
                _("Add a task"),
                f'<p class="muted">{escape(note)}</p>',
                _("Add the task"),
            )
        )
    if "document" in actions:
        panels.append(("document", _("Document"), _("Add a document"), "", _("Add the document")))
    if "solve" in actions:
        panels.append(
            (
                "solution",
                _("Solution"),
                _("Propose a solution"),
                _canned_picker("solution", pk),
                _("Send the solution"),
            )
        )
    url_names = {"document": "document_add"}
    tabs = "".join(
        f'<button type="button" data-panel="{name}">{escape(tab)}</button>'
        for name, tab, _heading, _before, _submit in panels
    )
    sections = "".join(
        f'<section class="composer-panel" id="panel-{name}" aria-labelledby="add-{name}">'
        f'<h3 id="add-{name}">{escape(heading)}</h3>{before}'
        f"{work_form(context, forms[name], urls[url_names.get(name, name)], submit)}</section>"
        for name, _tab, heading, before, submit in panels
    )
    title = escape(_("Add to the ticket"))
    return mark_safe(  # noqa: S308 - our words escaped, the forms written by work_form
        f'<section class="composer" aria-labelledby="composer-title" '
        f'data-open="{escape(context.get("failed") or "followup")}">'
        f'<h2 id="composer-title">{title}</h2><div class="composer-tabs" hidden>{tabs}</div>'
        f"{sections}</section>"
    )
