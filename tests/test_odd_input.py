"""Odd input in any query parameter or form field: an ignored value or a 400, never a 500.

On PostgreSQL a NUL byte that reaches a query fails the request; every parameter goes
through a form field first, which refuses it.
"""

import pytest
from django.urls import reverse

from tests.factories import ThemeFactory, make_technician

ODD = ["\x00", "%00", "x" * 5000, "-1", "1e9", "[]", "#", "99999999999999999999", "é\x00é"]


@pytest.fixture
def tech_client(client, team):
    client.force_login(make_technician(team, username="odile"))
    return client


def _pages(ticket):
    yield reverse("portal:my-tickets"), ["q", "state", "page"]
    yield reverse("portal:people"), ["q"]
    yield reverse("portal:places"), ["q"]
    yield reverse("portal:theme-form", args=[ThemeFactory().slug]), ["suite"]
    yield reverse("knowledge:faq"), ["q", "category"]
    yield reverse("knowledge:suggestions"), ["title"]
    yield reverse("backoffice:queue", args=["team"]), ["q", "status", "team", "sort"]
    yield reverse("backoffice:queue", args=["mine"]), ["after", "before", "start"]
    yield reverse("backoffice:export", args=["team"]), ["q", "priority", "created_from"]
    yield reverse("knowledge:list"), ["q", "category"]
    yield reverse("knowledge:create"), ["solution"]
    yield reverse("knowledge:picker"), ["q"]


@pytest.mark.parametrize("value", ODD)
def test_odd_query_parameters_never_fail_a_page(tech_client, ticket, value):
    for url, names in _pages(ticket):
        for name in names:
            response = tech_client.get(url, {name: value})
            assert response.status_code < 500, (url, name, value)


@pytest.mark.parametrize("value", ["\x00", "x" * 200_000])
def test_odd_form_fields_never_fail_a_post(client, requester, ticket, value):
    client.force_login(requester)
    for url, name in [
        (reverse("portal:ticket-followup", args=[ticket.pk]), "content"),
        (reverse("portal:ticket-followup", args=[ticket.pk]), "pending"),
        (reverse("portal:solution-refuse", args=[ticket.pk]), "reason"),
    ]:
        response = client.post(url, {name: value})
        assert response.status_code < 500, (url, name)
