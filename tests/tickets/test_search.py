"""The word search: what it matches, that a ticket's stored words follow its changes, and
that a searched queue's pages hold the first matches in the queue's order.

On PostgreSQL the search reads each ticket's stored words (TicketSearch), written by the
services; on SQLite it reads the text itself. The same tests hold for both.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import needs_postgres
from tests.factories import TeamFactory, make_technician, make_ticket
from tickets import selectors, services
from tickets.models import Ticket, TicketSearch


def found(text, *, private_notes=True):
    tickets = selectors.search_tickets(Ticket.objects.all(), text, private_notes=private_notes)
    return set(tickets.values_list("pk", flat=True))


def test_words_are_found_in_the_title_the_description_and_the_followups(team, technician):
    printer = make_ticket(team=team, title="Imprimante bloquée")
    scanner = make_ticket(team=team, title="Souci", description="<p>Le scanner grésille</p>")
    toner = make_ticket(team=team, title="Autre")
    services.followup_add(ticket=toner, author=technician, content="Cartouche commandée")
    assert found("imprimante") == {printer.pk}
    assert found("scanner") == {scanner.pk}
    assert found("cartouche") == {toner.pk}
    assert found("autre cartouche") == {toner.pk}  # a title's word and a followup's
    assert found("imprimante cartouche") == set()
    assert found("vidéoprojecteur") == set()
    assert found(str(scanner.pk)) == {scanner.pk}


def test_private_followups_are_searched_only_where_private_notes_may_be_read(team, technician):
    ticket = make_ticket(team=team, title="Poste")
    services.followup_add(
        ticket=ticket, author=technician, content="Salaire confidentiel", is_private=True
    )
    services.followup_add(ticket=ticket, author=technician, content="Clavier changé")
    assert found("confidentiel") == {ticket.pk}
    assert found("confidentiel", private_notes=False) == set()
    assert found("clavier", private_notes=False) == {ticket.pk}


def test_a_ticket_is_found_by_its_words_as_they_change(team, technician):
    ticket = make_ticket(team=team, title="Clavier cassé")
    services.ticket_update(ticket=ticket, actor=technician, title="Souris cassée")
    assert found("souris") == {ticket.pk}
    assert found("clavier") == set()
    services.followup_add(ticket=ticket, author=ticket.requester, content="Pile changée")
    assert found("pile", private_notes=False) == {ticket.pk}
    services.ticket_transfer(
        ticket=ticket, actor=technician, team=TeamFactory(), comment="Câblage du bureau"
    )
    assert found("câblage") == {ticket.pk}
    assert found("câblage", private_notes=False) == set()  # a transfer's reason is private


def test_a_refusal_and_a_merge_bring_their_words(team, technician):
    ticket = make_ticket(team=team, title="Wifi")
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Borne redémarrée")
    services.solution_refuse(ticket=ticket, actor=ticket.requester, reason="Antenne muette")
    assert found("antenne", private_notes=False) == {ticket.pk}
    duplicate = make_ticket(team=team, title="Réseau", description="<p>Badge refusé</p>")
    services.ticket_merge(ticket=duplicate, into=ticket, actor=technician)
    assert found("badge", private_notes=False) == {ticket.pk, duplicate.pk}


def test_inline_files_links_keep_the_words(team, technician):
    ticket = make_ticket(team=team, title="Écran", description="<p>Voir [fichier-1]</p>")
    services.inline_marks_replace(ticket=ticket, links={"[fichier-1]": "<em>capture</em>"})
    assert found("capture") == {ticket.pk}


def test_tickets_written_around_the_services_are_found_once_rebuilt(team):
    needs_postgres()
    ticket = make_ticket(team=team, title="Téléphone")
    Ticket.objects.filter(pk=ticket.pk).update(title="Vidéoprojecteur")  # as a bulk load does
    assert found("vidéoprojecteur") == set()
    call_command("rebuild_search_words", stdout=io.StringIO())
    assert found("vidéoprojecteur") == {ticket.pk}
    assert TicketSearch.objects.count() == Ticket.objects.count()


def test_only_postgresql_stores_words(team):
    ticket = make_ticket(team=team)
    stored = list(TicketSearch.objects.values_list("ticket_id", flat=True))
    assert stored == ([ticket.pk] if connection.vendor == "postgresql" else [])


# A searched page reads the matches one of three ways (selectors._first_ids): few
# matches, all sorted; many, the queue's first rows tested; many but not at the head of
# the queue, all sorted. Small limits here make a dozen tickets take each way.
WAYS = {"few matches": (100, 100), "the queue's first rows": (2, 100), "past them": (2, 3)}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("sort", ["number", "activity", "unheld"])
def test_a_searched_queue_pages_through_its_matches_in_order(monkeypatch, team, way, sort):
    few, head = WAYS[way]
    monkeypatch.setattr(selectors, "FEW_MATCHES", few)
    monkeypatch.setattr(selectors, "HEAD_ROWS", head)
    technician = make_technician(team)
    for index in range(12):
        ticket = make_ticket(team=team, title="Imprimante" if index % 4 == 3 else "Écran")
        if index % 2:
            services.ticket_take(ticket=ticket, actor=technician)
    make_ticket(team=TeamFactory(), title="Imprimante")  # another team's
    queue = selectors.filter_tickets(selectors.queue_tickets(technician, "team"), {})
    order = selectors.QUEUE_ORDERS[sort]
    sign = "-" if order.descending else ""
    expected = list(
        selectors._ordered(selectors.search_tickets(queue, "imprimante"), order)
        .order_by(*(sign + column for column in order.columns))
        .values_list("id", flat=True)
    )
    assert len(expected) == 3
    pages, page = [], selectors.page_of_tickets(queue, order, 2, words="imprimante")
    pages.append([t.pk for t in page.rows])
    while page.after:
        page = selectors.page_of_tickets(queue, order, 2, after=page.after, words="imprimante")
        pages.append([t.pk for t in page.rows])
    assert sum(pages, []) == expected
    page = selectors.page_of_tickets(queue, order, 2, before=page.before, words="imprimante")
    assert [t.pk for t in page.rows] == pages[0]
