"""The people search behind every person picker finds a colleague, never the directory."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext, override

from core.forms import PersonField
from portal import views
from tests.factories import LocationFactory, UserFactory

PEOPLE = reverse("portal:people")
PLACES = reverse("portal:places")


@pytest.fixture
def searcher(db):
    return UserFactory(first_name="Claire", last_name="Martin", email="claire@univ.example")


@pytest.fixture
def logged(client, searcher):
    client.force_login(searcher)
    return client


def options(response) -> list[str]:
    return response.content.decode().count("<option")


def test_two_characters_answer_nothing_three_answer(logged):
    UserFactory(first_name="Li", last_name="Wu", email="li.wu@univ.example")
    assert options(logged.get(PEOPLE, {"q": "wu"})) == 0
    assert options(logged.get(PEOPLE, {"q": " w u "})) == 0
    assert options(logged.get(PEOPLE, {"q": "li wu"})) == 1
    assert options(logged.get(PEOPLE, {"q": "Wu@"})) == 1


def test_it_answers_ten_people_at_most(logged):
    for index in range(15):
        UserFactory(last_name="Zanetti", email=f"z{index}@univ.example")
    response = logged.get(PEOPLE, {"q": "zanetti"})
    assert response.status_code == 200
    assert options(response) == 10


def test_inactive_people_never_appear(logged):
    UserFactory(first_name="Paul", last_name="Zébulon", email="paul.z@univ.example")
    UserFactory(first_name="Paula", last_name="Zébulon", email="paula.z@x.example", is_active=False)
    html = logged.get(PEOPLE, {"q": "zébulon"}).content.decode()
    assert "paul.z@univ.example" in html
    assert "paula" not in html.lower()


def test_an_option_shows_name_department_and_email_only(logged):
    UserFactory(
        username="pdurand42",
        first_name="Paul",
        last_name="Durand",
        email="paul.durand@univ.example",
        department="DSIN - Réseau",
        phone="01 23 45 67 89",
    )
    UserFactory(first_name="Paul", last_name="Durand", email="p.durand@univ.example")
    html = logged.get(PEOPLE, {"q": "paul durand"}).content.decode()
    # The value is what the picker sends back; the label tells the namesakes apart.
    assert (
        '<option value="Paul Durand &lt;paul.durand@univ.example&gt;">'
        "Paul Durand — DSIN - Réseau — paul.durand@univ.example</option>"
    ) in html
    assert "Paul Durand — p.durand@univ.example</option>" in html
    assert "01 23 45 67 89" not in html and "pdurand42" not in html


def test_the_value_sent_back_finds_the_person(logged):
    paul = UserFactory(first_name="Paul", last_name="Durand", department="DFA")
    html = logged.get(PEOPLE, {"q": "durand"}).content.decode()
    value = html.split('value="')[1].split('"')[0].replace("&lt;", "<").replace("&gt;", ">")
    assert PersonField().clean(value) == paul


def test_the_61st_search_in_a_minute_answers_429_with_the_reason(logged, client):
    UserFactory(last_name="Zanetti")
    for _ in range(60):
        assert logged.get(PEOPLE, {"q": "zanetti"}).status_code == 200
    response = logged.get(PEOPLE, {"q": "zanetti"})
    assert response.status_code == 429
    with override("fr"):
        reason = gettext("Too many searches in a short time: wait a minute, then type again.")
    html = response.content.decode()
    assert reason in html and "data-message" in html
    assert "Zanetti" not in html
    # Each person has their own count.
    client.force_login(UserFactory())
    assert client.get(PEOPLE, {"q": "zanetti"}).status_code == 200


def test_without_its_cache_the_search_still_answers(logged, settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "helpdesk.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    monkeypatch.setattr(views, "PEOPLE_SEARCHES_PER_MINUTE", 1)
    UserFactory(last_name="Zanetti")
    for _ in range(3):
        response = logged.get(PEOPLE, {"q": "zanetti"})
        assert response.status_code == 200 and options(response) == 1


def test_a_day_of_searches_has_its_own_limit(logged, monkeypatch):
    monkeypatch.setattr(views, "PEOPLE_SEARCHES_PER_DAY", 2)
    UserFactory(last_name="Zanetti")
    answers = [logged.get(PEOPLE, {"q": "zanetti"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "aujourd" in answers[2].content.decode()
    assert "Zanetti" not in answers[2].content.decode()


def test_places_answer_from_one_character_twenty_at_most(logged):
    campus = LocationFactory(name="Campus Nord")
    for index in range(25):
        LocationFactory(name=f"Salle {index}", parent=campus)
    assert options(logged.get(PLACES, {"q": ""})) == 0
    assert options(logged.get(PLACES, {"q": "n"})) == 20
    assert options(logged.get(PLACES, {"q": "salle 12"})) == 1


def test_both_need_a_login(client, db):
    for url in (PEOPLE, PLACES):
        assert client.get(url, {"q": "abc"}).status_code == 302
