import pytest
from django.urls import reverse

from notifications.models import Event
from tests.factories import LocationFactory, UserFactory

URL = reverse("portal:profile")


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def logged(client, user):
    client.force_login(user)
    return client


def test_it_needs_a_login(client, db):
    assert client.get(URL).status_code == 302


def test_the_menu_marks_the_profile_as_the_current_page(logged, user):
    html = logged.get(URL).content.decode()
    assert f'aria-current="page">{user.get_display_name()}</a>' in html
    assert (
        f'aria-current="page">{user.get_display_name()}</a>'
        not in logged.get(reverse("portal:my-tickets")).content.decode()
    )


def test_a_person_sets_name_phone_language_place_and_messages(logged, user):
    office = LocationFactory(name="Bureau 204", parent=LocationFactory(name="Campus"))
    response = logged.post(
        URL,
        {
            "display_name": "Claire M.",
            "phone": "01 23 45 67 89",
            "language": "en",
            "default_location": office.full_name,
            "wanted": [Event.TICKET_CREATED, Event.TICKET_CLOSED],
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.phone, user.language) == ("Claire M.", "01 23 45 67 89", "en")
    assert user.default_location == office
    assert Event.FOLLOWUP_ADDED in user.muted_notifications
    assert Event.TICKET_CREATED not in user.muted_notifications
    html = logged.get(URL).content.decode()
    assert 'lang="en"' in html  # the interface follows the chosen language


def test_messages_that_ask_to_act_cannot_be_turned_off(logged, user):
    logged.post(URL, {"language": "fr", "wanted": [], "muted": [Event.SOLUTION_PROPOSED]})
    user.refresh_from_db()
    assert Event.SOLUTION_PROPOSED not in user.muted_notifications
    html = logged.get(URL).content.decode()
    assert f'value="{Event.SOLUTION_PROPOSED.value}"' not in html


def test_an_unknown_place_is_explained_and_nothing_typed_is_lost(logged, user):
    response = logged.post(
        URL, {"display_name": "Nouveau nom", "language": "fr", "default_location": "Nulle part"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and "Nouveau nom" in html
    user.refresh_from_db()
    assert user.display_name != "Nouveau nom"


def test_the_email_and_rights_cannot_be_changed_here(logged, user):
    logged.post(
        URL,
        {"language": "fr", "email": "x@evil.example", "is_superuser": "on", "is_staff": "on"},
    )
    user.refresh_from_db()
    assert user.email != "x@evil.example" and not user.is_superuser and not user.is_staff
