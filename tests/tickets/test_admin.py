"""Admins configure Help in Django admin; tickets are shown there read-only."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory
from tickets.models import HelpdeskSettings, Ticket

MODELS = [
    "tickets_category",
    "tickets_location",
    "tickets_theme",
    "tickets_team",
    "tickets_routingrule",
    "tickets_helpdesksettings",
    "tickets_ticket",
    "accounts_user",
    "django_celery_beat_periodictask",
    "portal_accessibilitystatement",
]


@pytest.fixture
def admin_client(client, db):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_configuration_list_opens(admin_client, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


def test_the_location_tree_is_indented_in_path_order(admin_client):
    response = admin_client.get(reverse("admin:tickets_location_changelist"))
    html = response.content.decode()
    campus = html.index("Campus Saint-Germain")
    building = html.index("Bâtiment Jacob")
    assert campus < building
    assert "\u00a0" * 4 + "└ Bâtiment Jacob" in html
    assert "style=" not in html  # the admin's policy refuses style attributes


def test_admin_pages_are_sent_with_the_strict_content_security_policy(admin_client):
    policy = admin_client.get(reverse("admin:index"))["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy


def test_editable_cells_of_a_changelist_are_named(admin_client):
    html = admin_client.get(reverse("admin:tickets_theme_changelist")).content.decode()
    assert 'aria-label="Position' in html


def test_a_ticket_is_shown_read_only_with_its_timeline(admin_client):
    ticket = Ticket.objects.get(status=Ticket.Status.SOLVED)
    response = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "VPN" in html and "version 5.2" in html  # the solution inline
    assert 'name="_save"' not in html
    response = admin_client.post(
        reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"status": 6}
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED


def test_the_auto_close_delay_is_edited_in_admin(admin_client):
    config = HelpdeskSettings.load()
    url = reverse("admin:tickets_helpdesksettings_change", args=[config.pk])
    data = {"auto_close_days": 10, "auto_close_day_kind": "working", "default_team": ""}
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert HelpdeskSettings.load().auto_close_days == 10
    assert HelpdeskSettings.load().auto_close_day_kind == "working"
    add = admin_client.get(reverse("admin:tickets_helpdesksettings_add"))
    assert add.status_code == 403  # there is only ever one row


def test_a_team_is_onboarded_with_its_members(admin_client):
    member = UserFactory()
    response = admin_client.post(
        reverse("admin:tickets_team_add"),
        {
            "name": "UFR Lettres - Correspondants",
            "kind": "faculty",
            "email": "",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": member.pk,
            "memberships-0-is_manager": "on",
        },
    )
    assert response.status_code == 302
    assert member.team_memberships.get().is_manager


def test_a_non_staff_user_is_sent_to_the_login(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:tickets_ticket_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_theme_answers_are_shown_labelled(admin_client):
    ticket = Ticket.objects.first()
    ticket.answers = [{"question": 1, "label": "Modèle", "value": "<b>Fairphone</b>"}]
    ticket.save()
    html = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content
    assert "<dt>Modèle</dt><dd>&lt;b&gt;Fairphone&lt;/b&gt;</dd>" in html.decode()


def test_an_admin_adds_questions_to_a_theme(admin_client):
    from portal.models import ThemeQuestion
    from tickets.models import Theme

    theme = Theme.objects.get(slug="messagerie")
    url = reverse("admin:tickets_theme_change", args=[theme.pk])
    assert "questions-TOTAL_FORMS" in admin_client.get(url).content.decode()
    form = {
        "name": theme.name,
        "slug": theme.slug,
        "description": theme.description,
        "icon": theme.icon,
        "position": theme.position,
        "is_active": "on",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-label": "Sur quel appareil ?",
        "questions-0-kind": "choice",
        "questions-0-choices": "",
        "questions-0-position": "1",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 200  # refused: a choice question needs choices
    assert not ThemeQuestion.objects.exists()
    form["questions-0-choices"] = "Ordinateur\nTéléphone"
    response = admin_client.post(url, form)
    assert response.status_code == 302
    assert ThemeQuestion.objects.get().choice_list() == ["Ordinateur", "Téléphone"]
