from django.urls import reverse

from tests.factories import UserFactory, make_technician


def test_a_local_account_logs_in_and_lands_on_the_portal(client, db):
    UserFactory(username="claire", password="secret-pass-123")
    response = client.post(
        reverse("account_login"), {"login": "claire", "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_a_technician_lands_on_their_tickets(client, team):
    make_technician(team, username="karim", password="secret-pass-123")
    response = client.post(
        reverse("account_login"), {"login": "karim", "password": "secret-pass-123"}
    )
    assert response["Location"] == reverse("backoffice:home")


def test_a_next_page_wins_over_the_landing_page(client, team):
    make_technician(team, username="karim", password="secret-pass-123")
    wanted = reverse("knowledge:faq")
    response = client.post(
        reverse("account_login") + f"?next={wanted}",
        {"login": "karim", "password": "secret-pass-123"},
    )
    assert response["Location"] == wanted


def test_self_signup_is_closed_by_default(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@univ.example",
            "username": "new",
            "password1": "a-long-pass-42",
            "password2": "a-long-pass-42",
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="new").exists()
    assert response.status_code in (200, 403)


def test_a_deactivated_user_loses_access_at_the_next_request(client, db):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("portal:home")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("portal:home")).status_code == 302


def test_email_is_unique(db):
    import pytest
    from django.db import IntegrityError

    UserFactory(email="a@univ.example")
    with pytest.raises(IntegrityError):
        UserFactory(email="a@univ.example")


def test_the_login_page_is_labelled_and_offers_no_signup(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login">' in html
    assert '<label for="id_password">' in html
    assert reverse("account_signup") not in html


def test_a_wrong_password_is_explained_and_keeps_the_login(client, db):
    UserFactory(username="claire")
    response = client.post(reverse("account_login"), {"login": "claire", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'value="claire"' in html
