"""Service-level figures on the dashboard and in its CSV export (issue 14, item 6)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicelevels.models import ServiceLevel, TicketClock
from servicelevels.selectors import service_level_figures
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician, make_ticket
from tests.plans import many_people, many_tickets
from tickets import services

from .conftest import paris


@pytest.fixture
def week(level, at, team, technician):
    """Four incidents filed on Monday 7 December 2026 at 9:00 (4 h to take, 8 h to solve):
    taken after 1 h and solved after 3 h; taken after 5 h (late); never taken (late by
    Monday at 14:00); filed in another team, taken after 2 h."""
    at(2026, 12, 7, 9, 0)
    theme = ThemeFactory(name="Messagerie")
    quick, slow, forgotten = (make_ticket(team=team, theme=theme) for _ in range(3))
    other_team = TeamFactory(name="Réseau")
    other = make_ticket(team=other_team)
    at(2026, 12, 7, 10, 0)
    services.ticket_take(ticket=quick, actor=technician)
    at(2026, 12, 7, 11, 0)
    services.ticket_take(ticket=other, actor=make_technician(other_team))
    at(2026, 12, 7, 12, 0)
    services.solution_propose(ticket=quick, author=technician, content="Fait")
    at(2026, 12, 7, 15, 0)  # 5 working hours: 9:00–12:30 and 13:30–15:00
    services.ticket_take(ticket=slow, actor=technician)
    at(2026, 12, 8, 8, 45)  # before the resolutions fall due, Tuesday at 9:00
    return {"quick": quick, "slow": slow, "forgotten": forgotten, "other": other}


def figures(scope=None):
    return service_level_figures(scope or Q(), paris(2026, 12, 1, 0, 0), paris(2026, 12, 9, 0, 0))


def test_the_shares_count_met_and_late_targets(week):
    total = figures()["total"]
    assert total.tickets == 4
    # Taken on time: quick and other; late: slow (after 5 h) and forgotten (still not).
    assert (total.take_met, total.take_missed, total.take_share) == (2, 2, 50)
    # Resolved: quick in 3 h; the others run until Tuesday at 9:00, not late yet.
    assert (total.resolve_met, total.resolve_missed, total.resolve_share) == (1, 0, 100)


def test_a_resolution_paused_in_time_is_not_late_while_it_waits(week, at, technician):
    services.ticket_set_status(
        ticket=week["slow"], actor=technician, status=week["slow"].Status.PENDING
    )
    at(2026, 12, 9, 16, 0)  # past Tuesday's due date, the ticket still waiting
    total = figures()["total"]
    # other and forgotten run late now; slow's clock stopped before its due date.
    assert (total.resolve_met, total.resolve_missed) == (1, 2)


def test_the_medians_are_in_working_time(week):
    total = figures()["total"]
    # Taken after 1 h, 2 h and 5 h of working time: the median is 2 h.
    assert total.take_median == timedelta(hours=2)
    assert total.resolve_median == timedelta(hours=3)
    assert total.take_median_text == "2 h 00"


def test_the_figures_are_per_team_and_per_theme(week, team):
    rows = figures()
    teams = {row.label: row for row in rows["teams"]}
    assert teams[team.name].tickets == 3 and teams[team.name].take_share == 33
    assert teams["Réseau"].take_share == 100
    themes = {row.label: row for row in rows["themes"]}
    assert themes["Messagerie"].tickets == 3 and themes[None].tickets == 1


def test_the_period_and_the_scope_bound_the_figures(week, team):
    assert figures(Q(team=team))["total"].tickets == 3
    before = service_level_figures(Q(), paris(2026, 11, 1, 0, 0), paris(2026, 12, 7, 0, 0))
    assert before["total"].tickets == 0


def test_a_refused_solution_forgets_its_working_time(week, requester):
    quick = week["quick"]
    services.solution_refuse(ticket=quick, actor=quick.requester, reason="Toujours en panne")
    assert TicketClock.objects.get(ticket=quick).resolve_seconds is None


@pytest.fixture
def supervisor(team):
    return make_technician(team, supervisor=True)


def test_the_dashboard_shows_the_figures_of_the_chosen_period(week, client, supervisor):
    client.force_login(supervisor)
    url = reverse("backoffice:dashboard") + "?start=2026-12-01&end=2026-12-08"
    page = client.get(url).content.decode()
    assert "Pris en charge dans les délais" in page
    assert "50 %" not in page  # the supervisor sees their team only: 1 of 3 on time
    assert "33 %" in page and "3 h 00" in page  # the median of 1 h and 5 h
    assert "01/12/2026" in page and "08/12/2026" in page


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-12-08&end=2026-12-01",
        "start=2020-01-01&end=2026-12-08",
        "start=hier&end=%00",
        "start=99999-01-01",
    ],
)
def test_a_bad_period_gives_the_last_30_days(week, client, supervisor, query):
    client.force_login(supervisor)
    response = client.get(reverse("backoffice:dashboard") + "?" + query)
    assert response.status_code == 200
    first, last = response.context["period"]
    assert (last - first).days == 29
    export = f"?start={first.isoformat()}&amp;end={last.isoformat()}"
    assert export in response.content.decode()  # the export asks for the period shown


def test_the_dashboard_queries_do_not_grow_with_the_tickets(level, at, client, supervisor, team):
    client.force_login(supervisor)
    technician = make_technician(team)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("backoffice:dashboard")).status_code == 200
        return len(captured)

    make_ticket(team=team)
    small = queries()
    for _ in range(20):
        services.ticket_take(ticket=make_ticket(team=team, theme=ThemeFactory()), actor=technician)
    assert queries() == small


def test_the_csv_export_carries_the_figures(week, client, supervisor):
    client.force_login(supervisor)
    url = reverse("backoffice:dashboard-export") + "?start=2026-12-01&end=2026-12-08"
    response = client.get(url)
    assert response["Content-Disposition"].endswith('2026-12-01-2026-12-08.csv"')
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Regroupement;")
    assert lines[1].split(";")[2:6] == ["3", "33", "100", "3 h 00"]


def test_an_outsider_is_refused_the_figures(week, client):
    client.force_login(UserFactory())
    assert client.get(reverse("backoffice:dashboard-export")).status_code in (302, 404)
    client.force_login(make_technician(TeamFactory()))
    assert client.get(reverse("backoffice:dashboard-export")).status_code == 404


def test_the_figures_of_a_period_read_the_clocks_index(db, supervisor, team):
    """PostgreSQL at scale: the period is found through `clock_opened`, not a scan."""
    many_tickets(20_000, people=many_people(500), teams=[team, TeamFactory()], followups=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO servicelevels_ticketclock (ticket_id, level_id, opened_at,"
            " take_due_at, take_warn_at, resolve_due_at, resolve_warn_at, paused_seconds)"
            " SELECT id, %s, created_at, created_at + interval '4 hours',"
            " created_at + interval '3 hours', created_at + interval '3 days',"
            " created_at + interval '2 days', 0 FROM tickets_ticket",
            [
                ServiceLevel.objects.create(
                    name="Incident", type="incident", priority=3, take_time=4, resolve_time=8
                ).pk
            ],
        )
        cursor.execute("ANALYZE servicelevels_ticketclock")
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        service_level_figures(Q(team=team), now - timedelta(hours=12), now)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clock_opened" in plan, plan
    assert "Seq Scan on servicelevels_ticketclock" not in plan, plan
