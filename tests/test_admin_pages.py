"""Every page of Django admin opens for an admin, with a row to show."""

import pytest
from django.contrib import admin
from django.urls import reverse

from backoffice.models import SavedSearch
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import services


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_list_opens(admin_client):
    team = TeamFactory()
    technician = make_technician(team)
    ticket, other = make_ticket(team=team), make_ticket(team=team)
    services.ticket_link(ticket=ticket, other=other, kind="parent_of", actor=technician)
    SavedSearch.objects.create(owner=technician, name="Urgent", query="priority=5", team=team)
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


def test_a_ticket_shows_its_links_and_a_saved_search_opens(admin_client):
    team = TeamFactory()
    technician = make_technician(team)
    ticket, other = make_ticket(team=team), make_ticket(team=team, title="Écran noir")
    services.ticket_link(ticket=ticket, other=other, kind="parent_of", actor=technician)
    html = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content
    assert "Écran noir".encode() in html
    search = SavedSearch.objects.create(owner=technician, name="Urgent", query="priority=5")
    url = reverse("admin:backoffice_savedsearch_change", args=[search.pk])
    assert admin_client.get(url).status_code == 200
