import threading
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Event, Notification
from tests.conftest import needs_postgres
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import services, stats
from tickets.models import HelpdeskSettings, History, Solution, Ticket
from tickets.services import TicketError

Status = Ticket.Status


def solve(ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Essayez ceci")
    ticket.refresh_from_db()
    return ticket


def closings(ticket):
    return History.objects.filter(ticket=ticket, field="status", new_value="6")


@pytest.fixture
def solved(ticket, technician):
    return solve(ticket, technician)


def test_a_solution_that_waited_6_days_23_hours_stays_solved(solved):
    assert services.tickets_auto_close(now=solved.solved_at + timedelta(days=6, hours=23)) == []
    solved.refresh_from_db()
    assert solved.status == Status.SOLVED


def test_a_solution_that_waited_7_days_closes_the_ticket(solved):
    now = solved.solved_at + timedelta(days=7)
    assert services.tickets_auto_close(now=now) == [solved.pk]
    solved.refresh_from_db()
    assert solved.status == Status.CLOSED
    assert solved.closed_at == now
    solution = solved.solutions.get()
    assert solution.status == Solution.Status.ACCEPTED
    assert solution.decided_by is None and solution.decided_at == now
    entry = closings(solved).get()
    assert entry.actor is None and entry.old_value == "5"


def test_a_second_run_changes_nothing(solved):
    now = solved.solved_at + timedelta(days=8)
    services.tickets_auto_close(now=now)
    assert services.tickets_auto_close(now=now + timedelta(hours=1)) == []
    assert closings(solved).count() == 1


def test_the_delay_comes_from_the_admin_setting(ticket, technician):
    config = HelpdeskSettings.load()
    config.auto_close_days = 3
    config.save()
    solved = solve(ticket, technician)
    assert solved.auto_close_at == solved.solved_at + timedelta(days=3)
    assert services.tickets_auto_close(now=solved.solved_at + timedelta(days=3)) == [solved.pk]


def test_a_changed_delay_keeps_the_date_a_waiting_solution_was_given(solved):
    # The requester was told the date when the solution came: it stays true.
    config = HelpdeskSettings.load()
    config.auto_close_days = 3
    config.save()
    assert services.tickets_auto_close(now=solved.solved_at + timedelta(days=3)) == []
    assert services.tickets_auto_close(now=solved.solved_at + timedelta(days=7)) == [solved.pk]


def test_a_refused_solution_forgets_its_closing_date(solved, requester):
    services.solution_refuse(ticket=solved, actor=requester, reason="Non")
    solved.refresh_from_db()
    assert solved.auto_close_at is None


def test_pending_new_and_refused_tickets_are_never_closed(requester, team, technician):
    pending = make_ticket(requester=requester, team=team)
    services.ticket_take(ticket=pending, actor=technician)
    services.ticket_set_status(ticket=pending, actor=technician, status=Status.PENDING)
    fresh = make_ticket(requester=requester, team=team)
    refused = solve(make_ticket(requester=requester, team=team), technician)
    services.solution_refuse(ticket=refused, actor=requester, reason="Non")
    later = refused.solved_at + timedelta(days=30)
    assert services.tickets_auto_close(now=later) == []
    for ticket, status in ((pending, Status.PENDING), (fresh, Status.NEW)):
        ticket.refresh_from_db()
        assert ticket.status == status
    refused.refresh_from_db()
    assert refused.status == Status.ASSIGNED


def test_it_works_in_batches(requester, team, technician):
    tickets = [solve(make_ticket(requester=requester, team=team), technician) for _ in range(5)]
    later = tickets[-1].solved_at + timedelta(days=7)
    closed = services.tickets_auto_close(now=later, batch_size=2)
    assert sorted(closed) == sorted(t.pk for t in tickets)
    assert Ticket.objects.filter(status=Status.CLOSED).count() == 5
    assert History.objects.filter(field="status", new_value="6").count() == 5


def test_the_command_runs_the_auto_close(solved):
    Ticket.objects.filter(pk=solved.pk).update(auto_close_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("autoclose_tickets", stdout=out)
    assert "1 ticket" in out.getvalue()
    solved.refresh_from_db()
    assert solved.status == Status.CLOSED


# Races on PostgreSQL: a requester deciding while the auto-close runs.


def _in_thread(target):
    errors = []

    def run():
        try:
            target()
        except Exception as error:  # noqa: BLE001 - reported to the test thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def join(thread):
    """Wait for a thread, and fail rather than leave it running against the database."""
    thread.join(20)
    assert not thread.is_alive()


@pytest.fixture
def overdue(transactional_db):
    needs_postgres()
    team = TeamFactory()
    technician = make_technician(team)
    requester = UserFactory()
    ticket = solve(make_ticket(requester=requester, team=team), technician)
    Ticket.objects.filter(pk=ticket.pk).update(auto_close_at=ticket.solved_at - timedelta(days=1))
    return ticket, requester


def closing_notices(ticket):
    """How many "ticket closed" messages the outbox holds for each address."""
    notices = Notification.objects.filter(ticket=ticket, event=Event.TICKET_CLOSED)
    return Counter(notices.values_list("email", flat=True))


def assert_one_outcome(ticket):
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert closings(ticket).count() == 1
    assert ticket.solutions.get().status == Solution.Status.ACCEPTED
    # The requester and the technician hear of the closing once, whoever closed it.
    assert closing_notices(ticket) == {ticket.requester.email: 1, ticket.assignee.email: 1}
    assert_counts_exact()


def assert_counts_exact():
    """Whoever won, the dashboard counts the ticket once, as closed."""
    figures = stats.dashboard(Q())
    open_now = Ticket.objects.exclude(status=Status.CLOSED)
    assert sum(n for _label, n in figures["by_status"]) == open_now.count()
    assert figures["waiting_count"] == open_now.filter(status=Status.SOLVED).count()


@pytest.mark.django_db(transaction=True)
def test_a_requester_holding_the_ticket_wins_over_the_auto_close(overdue):
    ticket, requester = overdue
    locked, release = threading.Event(), threading.Event()

    def accept_and_hold():
        with transaction.atomic():
            services.solution_accept(ticket=ticket, actor=requester)
            locked.set()
            release.wait(10)

    thread, errors = _in_thread(accept_and_hold)
    assert locked.wait(10)
    assert services.tickets_auto_close() == []  # the locked row is skipped, not waited for
    release.set()
    join(thread)
    assert errors == []
    assert_one_outcome(ticket)
    assert ticket.solutions.get().decided_by == requester
    assert services.tickets_auto_close() == []


@pytest.mark.django_db(transaction=True)
def test_the_auto_close_holding_the_ticket_wins_over_the_requester(overdue):
    ticket, requester = overdue
    locked, release = threading.Event(), threading.Event()

    def close_and_hold():
        with transaction.atomic():
            assert services.tickets_auto_close() == [ticket.pk]
            locked.set()
            release.wait(10)

    closer, closer_errors = _in_thread(close_and_hold)
    assert locked.wait(10)
    decider, decider_errors = _in_thread(
        lambda: services.solution_accept(ticket=ticket, actor=requester)
    )
    decider.join(0.5)
    assert decider.is_alive()  # it waits for the row lock instead of deciding on stale data
    release.set()
    join(closer)
    join(decider)
    assert closer_errors == []
    assert len(decider_errors) == 1 and isinstance(decider_errors[0], TicketError)
    assert_one_outcome(ticket)
    assert ticket.solutions.get().decided_by is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("decision", ["accept", "refuse"])
def test_racing_from_two_threads_ends_in_one_consistent_state(overdue, decision):
    ticket, requester = overdue
    start = threading.Barrier(2)

    def decide():
        close_old_connections()
        start.wait(10)
        if decision == "accept":
            services.solution_accept(ticket=ticket, actor=requester)
        else:
            services.solution_refuse(ticket=ticket, actor=requester, reason="Non")

    def auto_close():
        start.wait(10)
        services.tickets_auto_close()

    threads = [_in_thread(decide), _in_thread(auto_close)]
    for thread, _errors in threads:
        join(thread)
    decide_errors, close_errors = threads[0][1], threads[1][1]
    assert close_errors == []
    ticket.refresh_from_db()
    solution = ticket.solutions.get()
    if decide_errors:  # the auto-close came first
        assert len(decide_errors) == 1 and isinstance(decide_errors[0], TicketError)
        assert_one_outcome(ticket)
        assert solution.decided_by is None
    elif decision == "accept":
        assert_one_outcome(ticket)
        assert solution.decided_by == requester
    else:
        assert ticket.status == Status.NEW or ticket.status == Status.ASSIGNED
        assert solution.status == Solution.Status.REFUSED
        assert not closings(ticket).exists()
        assert closing_notices(ticket) == {}
        assert_counts_exact()


def test_the_celery_task_calls_the_same_service(solved):
    from tickets.tasks import auto_close_tickets

    Ticket.objects.filter(pk=solved.pk).update(auto_close_at=timezone.now() - timedelta(minutes=1))
    assert auto_close_tickets.apply().get() == 1
    assert auto_close_tickets.apply().get() == 0


def test_the_batch_writes_the_outbox_rows_one_ticket_at_a_time_would(team, technician):
    """Same addresses, languages, contexts and dedupe keys as `_ticket_closed` gives."""
    from notifications.events import EVENTS
    from notifications.services import _rows

    muted = UserFactory(muted_notifications=["ticket_closed"])
    english = UserFactory(language="en", email="Anna.Smith@Univ.example")
    same_address = UserFactory(email="anna.smith@univ.example")
    gone = make_technician(team)
    tickets = [
        solve(make_ticket(requester=english, beneficiary=same_address, team=team), technician),
        solve(make_ticket(requester=muted, team=team), technician),
        make_ticket(requester=UserFactory(), team=team),
    ]
    services.ticket_take(ticket=tickets[2], actor=gone)
    services.solution_propose(ticket=tickets[2], author=gone, content="Voilà")
    gone.is_active = False
    gone.save()
    expected = set()
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
        for message in EVENTS["ticket_closed"].messages(ticket=ticket, automatic=True):
            for row in _rows("ticket_closed", message):
                fields = (row.ticket_id, row.recipient_id, row.email, row.language)
                expected.add((*fields, str(row.context), row.dedupe_key, row.state))
    services.tickets_auto_close(now=timezone.now() + timedelta(days=8))
    written = Notification.objects.filter(event=Event.TICKET_CLOSED)
    rows = written.values_list(
        "ticket_id", "recipient_id", "email", "language", "context", "dedupe_key", "state"
    )
    assert {(*row[:4], str(row[4]), *row[5:]) for row in rows} == expected
    assert len(expected) == 4  # Anna once, the muted requester never, the technicians
