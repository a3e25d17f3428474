"""The dashboard's kept counts equal the figures computed from the tickets themselves."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import needs_postgres
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician, make_ticket
from tests.plans import SEQ_SCAN_ON_TICKETS, many_people, many_tickets
from tickets import services, stats
from tickets.models import DashboardCount, History, Priority, Ticket

Status = Ticket.Status


def live(scope: Q, now) -> dict:
    """The figures, counted one ticket at a time from the tickets and their history."""
    tickets = list(Ticket.objects.filter(scope).select_related("team", "theme"))
    open_tickets = [t for t in tickets if t.status != Status.CLOSED]
    first_week = stats._weeks(now)[0].date()

    def week(moment):
        day = timezone.localdate(moment)
        return day - timedelta(days=day.weekday())

    solved = History.objects.filter(
        ticket__in=tickets, field="status", new_value=str(Status.SOLVED.value)
    )

    def mean(end):
        durations = [getattr(t, end) - t.created_at for t in tickets if getattr(t, end)]
        return sum(durations, timedelta()) / len(durations) if durations else None

    return {
        "by_status": Counter(Status(t.status).label for t in open_tickets),
        "by_team": Counter(t.team.name if t.team else None for t in open_tickets),
        "by_theme": Counter(t.theme.name if t.theme else None for t in open_tickets),
        "by_priority": Counter(Priority(t.priority).label for t in open_tickets),
        "waiting_count": sum(t.status == Status.SOLVED for t in tickets),
        "created": Counter(w for t in tickets if (w := week(t.created_at)) >= first_week),
        "solved": Counter(w for h in solved if (w := week(h.created_at)) >= first_week),
        "mean_take": mean("taken_at"),
        "mean_solve": mean("solved_at"),
    }


def kept(scope: Q, now) -> dict:
    figures = stats.dashboard(scope, now=now)
    backlog = figures["backlog"]
    return {
        **{name: Counter(dict(figures[name])) for name in ("by_status", "by_team", "by_theme")},
        "by_priority": Counter(dict(figures["by_priority"])),
        "waiting_count": figures["waiting_count"],
        "created": Counter({w: n for w, n, _s in backlog if n}),
        "solved": Counter({w: n for w, _c, n in backlog if n}),
        "mean_take": figures["mean_take"],
        "mean_solve": figures["mean_solve"],
    }


def assert_exact(scopes, now=None):
    now = now or timezone.now()
    for scope in scopes:
        assert kept(scope, now) == live(scope, now)
    stats.dashboard_counts_fold()
    assert not DashboardCount.objects.filter(folded=False).exists()
    for scope in scopes:
        assert kept(scope, now) == live(scope, now)
    stats.dashboard_counts_rebuild()
    for scope in scopes:
        assert kept(scope, now) == live(scope, now)


@pytest.fixture
def desk(db):
    needs_postgres()
    teams = [TeamFactory(name="DSIN - Réseau"), TeamFactory(name="DSIN - Proximité")]
    technicians = [make_technician(team) for team in teams]
    return teams, technicians, [ThemeFactory(), ThemeFactory()]


def test_the_counts_follow_creations_transitions_reopenings_and_the_auto_close(desk):
    (network, desk_team), (tech, other_tech), (wifi, printing) = desk
    requester = UserFactory()
    scopes = [Q(), Q(team__in=[network.pk]), Q(team__in=[desk_team.pk])]
    tickets = [
        make_ticket(requester=requester, team=network, theme=wifi, urgency=5, impact=5),
        make_ticket(requester=requester, team=network, theme=printing),
        make_ticket(requester=requester, team=desk_team, assignee=other_tech),
        make_ticket(requester=requester, team=network),
        make_ticket(requester=requester, team=network, theme=wifi),
    ]
    assert_exact(scopes)
    first, second, third, fourth, fifth = tickets
    services.ticket_take(ticket=first, actor=tech)
    services.ticket_update(ticket=first, actor=tech, urgency=1, impact=1)
    services.ticket_set_status(ticket=first, actor=tech, status=Status.PENDING)
    services.followup_add(ticket=first, author=requester, content="Voici")  # back to work
    services.solution_propose(ticket=first, author=tech, content="Redémarrez")
    services.solution_refuse(ticket=first, actor=requester, reason="Non")
    assert_exact(scopes)
    services.solution_propose(ticket=first, author=tech, content="Changez le câble")
    services.ticket_transfer(ticket=second, actor=tech, team=desk_team, comment="Pour vous")
    services.solution_propose(ticket=third, author=other_tech, content="Fait")
    services.solution_accept(ticket=third, actor=requester)
    services.ticket_take(ticket=fourth, actor=tech)
    services.ticket_merge(ticket=fifth, into=fourth, actor=tech)
    services.solution_propose(ticket=fourth, author=tech, content="Fait")
    assert_exact(scopes)
    # A solved ticket moved to another team takes its solutions' days along.
    services.solution_refuse(ticket=fourth, actor=requester, reason="Non")
    services.ticket_transfer(ticket=fourth, actor=tech, team=desk_team, comment="À vous")
    assert_exact(scopes)
    later = timezone.now() + timedelta(days=8)
    assert services.tickets_auto_close(now=later) == [first.pk]
    assert services.tickets_auto_close(now=later) == []
    assert_exact(scopes, now=later)


def test_a_removed_team_leaves_its_counts_without_a_team(desk):
    (network, _desk_team), (tech, _other), _themes = desk
    ticket = make_ticket(team=network)
    services.ticket_take(ticket=ticket, actor=tech)
    network.delete()
    assert_exact([Q()])


def test_the_fold_leaves_one_row_per_key_and_the_same_figures(db):
    """On either database: SQLite runs the same fold."""
    team = TeamFactory()
    technician = make_technician(team)
    for _ in range(3):
        services.ticket_take(ticket=make_ticket(team=team), actor=technician)
    before = stats.dashboard(Q())
    assert stats.dashboard_counts_fold() > 0
    keys = DashboardCount.objects.values_list(*stats.KEY)
    assert len(keys) == len(set(keys))
    after = stats.dashboard(Q())
    assert before.pop("waiting_count") == after.pop("waiting_count") == 0
    assert {k: v for k, v in before.items() if k != "waiting"} == {
        k: v for k, v in after.items() if k != "waiting"
    }
    assert after["by_status"] == [(Status.ASSIGNED.label, 3)]
    assert stats.dashboard_counts_fold() == 0


def test_the_solutions_waiting_longest_are_read_through_the_auto_close_index(db, team):
    """PostgreSQL at scale: the dashboard's ten waiting solutions, not a sort of them all."""
    many_tickets(20_000, people=many_people(500), teams=[team, TeamFactory()], followups=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticket SET status = 5, auto_close_at = created_at + interval '7 days'"
            " WHERE id % 5 = 0"
        )
        cursor.execute("ANALYZE tickets_ticket")
    figures = stats.dashboard(Q(team=team))
    with CaptureQueriesContext(connection) as queries:
        waiting = list(figures["waiting"])
    assert len(waiting) == 10
    assert [t.auto_close_at for t in waiting] == sorted(t.auto_close_at for t in waiting)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using ticket_auto_close" in plan, plan
    assert "Sort" not in plan and not SEQ_SCAN_ON_TICKETS.search(plan), plan
