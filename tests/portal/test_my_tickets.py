import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, override

from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician, make_ticket
from tickets import services
from tickets.models import Ticket

URL = reverse("portal:my-tickets")


@pytest.fixture
def requester(db):
    return UserFactory()


@pytest.fixture
def logged(client, requester):
    client.force_login(requester)
    return client


def close(ticket):
    technician = make_technician(ticket.team)
    services.solution_propose(ticket=ticket, author=technician, content="Fait")
    services.solution_accept(ticket=ticket, actor=ticket.requester)


def numbers(response):
    return [ticket.pk for ticket in response.context["page"].object_list]


def test_it_lists_tickets_as_requester_beneficiary_or_observer_only(logged, requester):
    mine = make_ticket(requester=requester)
    for_me = make_ticket(beneficiary=requester)
    watched = make_ticket()
    watched.observers.add(requester)
    make_ticket()  # someone else's
    response = logged.get(URL)
    assert sorted(numbers(response)) == sorted([mine.pk, for_me.pk, watched.pk])


def test_open_tickets_come_first(logged, requester):
    old_closed = make_ticket(requester=requester, title="Vieux")
    open_one = make_ticket(requester=requester, title="Ouvert")
    close(old_closed)  # the latest activity, yet it is closed
    assert numbers(logged.get(URL)) == [open_one.pk, old_closed.pk]


def test_tickets_waiting_for_my_answer_come_first_and_say_so(logged, requester):
    team = TeamFactory()
    technician = make_technician(team)
    closed = make_ticket(requester=requester, team=team, title="Clos")
    solved = make_ticket(requester=requester, team=team, title="Résolu")
    pending = make_ticket(requester=requester, team=team, title="En attente")
    services.solution_propose(ticket=solved, author=technician, content="Essayez ceci")
    services.ticket_take(ticket=pending, actor=technician)
    services.ticket_set_status(ticket=pending, actor=technician, status=Ticket.Status.PENDING)
    recent = make_ticket(requester=requester, team=team, title="Récent")
    close(closed)  # the latest activity of all, yet closed
    response = logged.get(URL)
    assert numbers(response) == [pending.pk, solved.pk, recent.pk, closed.pk]
    rows = response.content.decode().split("<tr>")[2:]
    with override("fr"):
        words = gettext("Waiting for your answer")
    marked = [row for row in rows if words in row]
    assert len(marked) == 2
    assert "En attente</a>" in marked[0] and "Résolu</a>" in marked[1]


def test_it_filters_open_and_closed(logged, requester):
    done = make_ticket(requester=requester)
    close(done)
    ongoing = make_ticket(requester=requester)
    assert numbers(logged.get(URL, {"state": "open"})) == [ongoing.pk]
    assert numbers(logged.get(URL, {"state": "closed"})) == [done.pk]
    assert len(numbers(logged.get(URL, {"state": "nonsense"}))) == 2


def test_it_searches_by_number_or_words(logged, requester):
    printer = make_ticket(requester=requester, title="Imprimante en panne")
    vpn = make_ticket(requester=requester, title="VPN", description="<p>Connexion coupée</p>")
    assert numbers(logged.get(URL, {"q": str(printer.pk)})) == [printer.pk]
    assert numbers(logged.get(URL, {"q": f"#{vpn.pk}"})) == [vpn.pk]
    assert numbers(logged.get(URL, {"q": "imprimante"})) == [printer.pk]
    assert numbers(logged.get(URL, {"q": "connexion coupée"})) == [vpn.pk]
    assert numbers(logged.get(URL, {"q": "rien du tout"})) == []


def test_searching_a_number_never_reveals_someone_elses_ticket(logged):
    other = make_ticket()
    assert numbers(logged.get(URL, {"q": str(other.pk)})) == []


def test_it_shows_number_title_theme_and_a_labelled_status(logged, requester):
    theme = ThemeFactory(name="Messagerie")
    ticket = make_ticket(requester=requester, theme=theme, title="<b>Courriel</b>")
    html = logged.get(URL).content.decode()
    assert f"<td>{ticket.pk}</td>" in html
    assert "&lt;b&gt;Courriel&lt;/b&gt;" in html
    assert "Messagerie" in html
    assert '<span class="status status-1">Nouveau</span>' in html


def test_it_paginates(logged, requester):
    team = TeamFactory()
    for index in range(25):
        make_ticket(requester=requester, team=team, title=f"Ticket {index}")
    first = logged.get(URL)
    assert len(numbers(first)) == 20
    assert "Page 1 sur 2" in first.content.decode()
    assert len(numbers(logged.get(URL, {"page": 2}))) == 5
    assert len(numbers(logged.get(URL, {"page": "999"}))) == 5


@pytest.mark.parametrize("count", [1, 50])
def test_the_query_count_does_not_grow_with_the_tickets(logged, requester, count):
    team = TeamFactory()
    themes = [ThemeFactory(parent=ThemeFactory()) for _ in range(3)]
    for index in range(count):
        make_ticket(requester=requester, team=team, theme=themes[index % 3])
    with CaptureQueriesContext(connection) as queries:
        response = logged.get(URL, {"page": 1})
    assert response.status_code == 200
    assert len(queries) == EXPECTED_QUERIES, [q["sql"] for q in queries]


# Session, user, the menu's two checks (teams, tasks), count and rows; the session, saved
# at login, is not written again.
EXPECTED_QUERIES = 6


def test_it_needs_a_login(client, db):
    assert client.get(URL).status_code == 302


def test_an_empty_list_invites_to_make_a_request(logged):
    html = logged.get(URL).content.decode()
    assert reverse("portal:home") in html
    assert Ticket.objects.count() == 0
