from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import LocationFactory
from tickets import services
from tickets.models import Category, HelpdeskSettings, Location


def _building_with_rooms(count, campus="Campus Nord"):
    campus = LocationFactory(name=campus, parent=None)
    building = LocationFactory(name="Bâtiment A", parent=campus)
    for number in range(count):
        LocationFactory(name=f"Salle {number}", parent=building)
    return campus


def test_renaming_a_place_renames_every_place_inside_it(db):
    campus = _building_with_rooms(3)
    campus.name = "Campus Sud"
    services.tree_node_save(node=campus)
    names = sorted(Location.objects.values_list("full_name", flat=True))
    assert names == [
        "Campus Sud",
        "Campus Sud > Bâtiment A",
        "Campus Sud > Bâtiment A > Salle 0",
        "Campus Sud > Bâtiment A > Salle 1",
        "Campus Sud > Bâtiment A > Salle 2",
    ]


def test_a_rename_costs_the_same_queries_for_2_or_40_descendants(db):
    counts = []
    for rooms, name in ((1, "Campus Est"), (39, "Campus Ouest")):
        campus = _building_with_rooms(rooms, campus=f"Ancien {name}")
        campus.name = name
        with CaptureQueriesContext(connection) as queries:
            services.tree_node_save(node=campus)
        counts.append(len(queries))
        assert Location.objects.filter(full_name__startswith=f"{name} > ").count() == rooms + 1
    assert counts[0] == counts[1]


def test_a_namesake_elsewhere_keeps_its_name(db):
    first = Category.objects.create(name="Logiciels")
    Category.objects.create(name="Bureautique", parent=first)
    second = Category.objects.create(name="Logiciels")
    twin = Category.objects.create(name="Bureautique", parent=second)
    first.name = "Applications"
    services.tree_node_save(node=first)
    twin.refresh_from_db()
    assert twin.full_name == "Logiciels > Bureautique"


def test_the_settings_are_read_once_then_from_the_cache(db, django_assert_num_queries):
    HelpdeskSettings.load()
    with django_assert_num_queries(0):
        assert HelpdeskSettings.load().auto_close_days == 7


def test_a_saved_change_of_the_settings_is_read_at_once(db):
    config = HelpdeskSettings.load()
    config.auto_close_days = 12
    config.save()
    assert HelpdeskSettings.load().auto_close_days == 12
