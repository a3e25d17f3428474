"""Our form renderer writes the commonest widgets in Python, as Django's templates do."""

import re

import pytest
from django.forms.renderers import Jinja2
from django.urls import reverse

from backoffice.templatetags import work_tags
from core.forms import FormRenderer
from portal.models import ThemeQuestion
from portal.questions import KINDS
from tests.factories import CategoryFactory, LocationFactory, ThemeFactory
from tickets import services

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def both_ways(client, monkeypatch, method, url, data=None):
    """The page as our renderer writes it, then as Django's Jinja2 templates alone do."""
    send = getattr(client, method)
    # Neither page takes a field the other wrote (work_tags keeps them per process).
    monkeypatch.setattr(work_tags, "_WRITTEN", {})
    ours = send(url, data).content.decode()
    monkeypatch.setattr(FormRenderer, "render", Jinja2.render)
    monkeypatch.setattr(work_tags, "_WRITTEN", {})
    theirs = send(url, data).content.decode()
    monkeypatch.undo()
    return TOKEN.sub("", ours), TOKEN.sub("", theirs)


@pytest.fixture
def theme(db):
    theme = ThemeFactory(name="Impression <&>")
    CategoryFactory(name='Imprimante "laser"')
    LocationFactory(name="Bâtiment A")
    for position, kind in enumerate(KINDS):
        ThemeQuestion.objects.create(
            theme=theme,
            label=f"{kind.name} <b>?</b>",
            kind=kind.name,
            choices="Un\nDeux & trois\n<i>Quatre</i>",
            required=position % 2 == 0,
            help_text="Aide « précise »",
            position=position,
        )
    return theme


def test_the_portal_form_reads_the_same_empty_and_with_errors(
    client, requester, theme, monkeypatch
):
    client.force_login(requester)
    url = reverse("portal:theme-form", args=[theme.slug])
    ours, theirs = both_ways(client, monkeypatch, "get", url)
    assert "<select" in ours and "<textarea" in ours and 'type="checkbox"' in ours
    assert ours == theirs
    typed = {"title": 'Rien "ne" marche <script>', "urgency": "9"}
    ours, theirs = both_ways(client, monkeypatch, "post", url, typed)
    assert "&lt;script&gt;" in ours and 'aria-invalid="true"' in ours
    assert ours == theirs


def test_the_work_page_and_the_queue_read_the_same(client, technician, ticket, monkeypatch):
    services.ticket_observers_change(ticket=ticket, actor=technician, add=[ticket.requester])
    client.force_login(technician)
    for url in (
        reverse("backoffice:ticket", args=[ticket.pk]),
        reverse("backoffice:queue", args=["team"]) + "?status=2&priority=5&q=%3Cb%3E",
        reverse("backoffice:new-ticket"),
    ):
        ours, theirs = both_ways(client, monkeypatch, "get", url)
        assert "<select" in ours
        assert ours == theirs, url


def test_a_queue_filter_written_once_empty_never_hides_a_value_given_later(client, technician):
    client.force_login(technician)
    url = reverse("backoffice:queue", args=["team"])
    selected = '<option value="5" selected>'
    assert selected not in client.get(url + "?reset=1", follow=True).content.decode()
    assert selected in client.get(url + "?priority=5").content.decode()
    assert selected not in client.get(url + "?reset=1", follow=True).content.decode()
    assert 'value="imprimante"' in client.get(url + "?q=imprimante").content.decode()
    assert 'value="imprimante"' not in client.get(url + "?type=incident").content.decode()


def test_the_queue_s_kept_parts_follow_the_reader_s_language(client, technician):
    url = reverse("backoffice:queue", args=["team"]) + "?reset=1"
    client.force_login(technician)
    assert "Effacer les filtres" in client.get(url, follow=True).content.decode()
    technician.language = "en"
    technician.save(update_fields=["language"])
    html = client.get(url, follow=True).content.decode()
    assert "Clear the filters" in html and "Effacer les filtres" not in html
