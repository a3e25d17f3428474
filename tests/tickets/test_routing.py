import pytest

from tests.factories import (
    CategoryFactory,
    LocationFactory,
    TeamFactory,
    ThemeFactory,
    UserFactory,
    make_technician,
)
from tickets import services
from tickets.models import HelpdeskSettings, RoutingRule, Ticket


@pytest.fixture
def default_team(db):
    team = TeamFactory(name="DSIN - Support de proximité")
    settings = HelpdeskSettings.load()
    settings.default_team = team
    settings.save()
    return team


def file(**kwargs):
    return services.ticket_create(requester=UserFactory(), title="Objet", **kwargs)


def test_without_a_matching_rule_the_default_team_gets_the_ticket(default_team):
    assert file().team == default_team


def test_without_any_team_configured_the_ticket_waits_unrouted(db):
    ticket = file()
    assert ticket.team is None
    assert ticket.status == Ticket.Status.NEW


def test_a_theme_rule_matches_the_theme_and_its_sub_themes(default_team):
    network = TeamFactory(name="DSIN - Réseau")
    wifi = ThemeFactory(name="Wifi")
    vpn = ThemeFactory(name="VPN", parent=wifi)
    RoutingRule.objects.create(name="Réseau", theme=wifi, team=network)
    assert file(theme=wifi).team == network
    assert file(theme=vpn).team == network
    assert file(theme=ThemeFactory()).team == default_team


def test_the_first_rule_in_order_wins(default_team):
    first, second = TeamFactory(), TeamFactory()
    theme = ThemeFactory()
    RoutingRule.objects.create(name="B", theme=theme, team=second, position=20)
    RoutingRule.objects.create(name="A", theme=theme, team=first, position=10)
    assert file(theme=theme).team == first


def test_a_location_rule_matches_places_inside_it(default_team):
    faculty = TeamFactory(name="UFR Sciences")
    campus = LocationFactory(name="Grands Moulins")
    building = LocationFactory(name="Sophie Germain", parent=campus)
    room = LocationFactory(name="Salle 12", parent=building)
    RoutingRule.objects.create(name="Proximité", location=campus, team=faculty)
    assert file(location=room).team == faculty
    assert file(location=LocationFactory()).team == default_team
    assert file().team == default_team


def test_every_criterion_of_a_rule_must_match(default_team):
    directorate = TeamFactory(name="DFA")
    theme, category = ThemeFactory(), CategoryFactory()
    RoutingRule.objects.create(name="DFA", theme=theme, category=category, team=directorate)
    assert file(theme=theme).team == default_team
    assert file(theme=theme, category=category).team == directorate


def test_the_theme_default_category_takes_part_in_routing(default_team):
    directorate = TeamFactory(name="DRHO")
    category = CategoryFactory(name="Paie")
    theme = ThemeFactory(category=category)
    RoutingRule.objects.create(name="Paie", category=category, team=directorate)
    ticket = file(theme=theme)
    assert ticket.category == category
    assert ticket.team == directorate


def test_inactive_rules_and_teams_are_skipped(default_team):
    theme = ThemeFactory()
    RoutingRule.objects.create(name="off", theme=theme, team=TeamFactory(), is_active=False)
    RoutingRule.objects.create(name="gone", theme=theme, team=TeamFactory(is_active=False))
    assert file(theme=theme).team == default_team


def test_a_rule_can_assign_a_technician_and_add_observers(default_team):
    team = TeamFactory()
    technician = make_technician(team)
    watcher = UserFactory()
    theme = ThemeFactory()
    rule = RoutingRule.objects.create(name="x", theme=theme, team=team, assignee=technician)
    rule.observers.add(watcher)
    ticket = file(theme=theme)
    assert ticket.assignee == technician
    assert ticket.status == Ticket.Status.ASSIGNED
    assert list(ticket.observers.all()) == [watcher]


def test_a_team_chosen_in_the_back_office_skips_the_rules(default_team):
    theme, chosen = ThemeFactory(), TeamFactory()
    RoutingRule.objects.create(name="x", theme=theme, team=TeamFactory())
    assert file(theme=theme, team=chosen).team == chosen
