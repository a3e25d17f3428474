"""A canned answer's text filled for a ticket: each placeholder, unknown ones, HTML."""

from html.parser import HTMLParser

import pytest
from django.test import override_settings
from django.urls import reverse

from replies.placeholders import render
from tests.factories import ThemeFactory, UserFactory, make_technician, make_ticket


@pytest.fixture
def ticket(db):
    requester = UserFactory(first_name="Claire", last_name="Martin")
    theme = ThemeFactory(name="Messagerie")
    return make_ticket(requester=requester, theme=theme, title="Boîte pleine")


@pytest.fixture
def technician(ticket):
    return make_technician(ticket.team, first_name="Karim", last_name="Moreau")


def fill(body, ticket, technician):
    return render(body, ticket=ticket, user=technician)


@pytest.mark.parametrize(
    ("french", "english"),
    [("demandeur", "requester"), ("numero", "number"), ("theme", "theme"),
     ("technicien", "technician"), ("lien", "link")],
)  # fmt: skip
def test_each_placeholder_has_its_french_name_and_its_english_alias(
    ticket, technician, french, english
):
    expected = {
        "demandeur": "Claire Martin",
        "numero": str(ticket.pk),
        "theme": "Messagerie",
        "technicien": "Karim Moreau",
        "lien": f"http://help.univ.example/demandes/{ticket.pk}/",
    }[french]
    with override_settings(SITE_URL="http://help.univ.example"):
        assert fill(f"<p>{{{french}}}</p>", ticket, technician) == f"<p>{expected}</p>"
        assert fill(f"<p>{{{english}}}</p>", ticket, technician) == f"<p>{expected}</p>"


def test_the_link_opens_the_ticket_in_the_portal(ticket, technician, client, settings):
    link = fill("{lien}", ticket, technician)
    assert link == settings.SITE_URL + reverse("portal:ticket-detail", args=[ticket.pk])
    client.force_login(ticket.requester)
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200


def test_a_ticket_without_a_theme_gives_an_empty_theme(db, technician):
    ticket = make_ticket(team=technician.teams.first())
    assert fill("<p>Thème : [{theme}]</p>", ticket, technician) == "<p>Thème : []</p>"


def test_an_unknown_placeholder_is_kept_as_typed(ticket, technician):
    body = "<p>{inconnu} {demandeur } { numero} {} {{demandeur}}</p>"
    assert (
        fill(body, ticket, technician)
        == "<p>{inconnu} {demandeur } { numero} {} {Claire Martin}</p>"
    )


def test_placeholders_ignore_case(ticket, technician):
    assert fill("<p>{Demandeur}, {NUMERO}</p>", ticket, technician) == (
        f"<p>Claire Martin, {ticket.pk}</p>"
    )


def test_the_text_is_sanitised_like_any_rich_text(ticket, technician):
    body = '<p onclick="x()">Bonjour <script>alert(1)</script><a href="javascript:x()">ici</a></p>'
    html = fill(body, ticket, technician)
    assert "script" not in html
    assert "onclick" not in html
    assert "javascript" not in html
    assert html.startswith("<p>Bonjour ")


def test_values_are_escaped(db):
    requester = UserFactory(first_name='<img src=x onerror="alert(1)">', last_name="&Co")
    ticket = make_ticket(requester=requester, title="<b>titre</b>")
    technician = make_technician(ticket.team, first_name="<script>", last_name="x")
    html = fill("<p>{demandeur} / {technicien}</p>", ticket, technician)
    assert "<img" not in html
    assert "<script" not in html
    assert "&lt;img" in html
    assert "&amp;Co" in html


@override_settings(SITE_URL="https://help.univ.example")
def test_a_link_to_the_ticket_can_be_written_around_a_text(ticket, technician):
    html = fill('<p><a href="{lien}">votre demande</a></p>', ticket, technician)
    assert f'href="https://help.univ.example/demandes/{ticket.pk}/"' in html


def test_a_value_cannot_break_out_of_an_attribute(db):
    theme = ThemeFactory(name='x" onmouseover="alert(1)')
    ticket = make_ticket(theme=theme)
    technician = make_technician(ticket.team)
    html = fill('<p><a href="https://wiki.univ.example/{theme}">wiki</a></p>', ticket, technician)
    links = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            links.append((tag, dict(attrs)))

    Links().feed(html)
    # The quote stays inside the address: the link holds no other attribute.
    assert [(tag, set(attrs)) for tag, attrs in links] == [("p", set()), ("a", {"href", "rel"})]
    assert links[1][1]["href"].startswith("https://wiki.univ.example/x")
