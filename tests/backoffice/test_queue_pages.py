"""Queues page by keyset: each page starts where the last one ended, in every sort."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import TeamFactory, UserFactory, make_ticket
from tests.plans import (
    assert_no_seq_scan_on_tickets,
    assert_search_reads_indexes,
    supervisor_of_ten_teams,
    ticket_plans,
)
from tickets import selectors, services
from tickets.models import Priority, Ticket


def queue_url(name="team", query=""):
    return reverse("backoffice:queue", args=[name]) + "?" + query


def numbers(response):
    return [row.pk for row in response.context["rows"]]


def walk(client, url):
    """Every page from the first, by the "Next" links; yield each page's response."""
    response = client.get(url)
    yield response
    while response.context["next_query"]:
        response = client.get(url.split("?")[0] + "?" + response.context["next_query"])
        yield response


@pytest.fixture
def tech_client(client, technician):
    client.force_login(technician)
    return client


@pytest.fixture
def tickets(team, technician):
    """Ties in every sort column: two titles, two priorities, the same minute, held or not."""
    now = timezone.now()
    made = []
    for index in range(11):
        ticket = make_ticket(team=team, title="Écran" if index % 2 else "Clavier")
        if index % 3 == 0:
            services.ticket_take(ticket=ticket, actor=technician)
        made.append(ticket.pk)
    high = Ticket.objects.filter(pk__in=made[::2])
    high.update(priority=Priority.HIGH, last_activity_at=now, created_at=now)
    return Ticket.objects.filter(pk__in=made)


@pytest.mark.parametrize("sort", list(selectors.QUEUE_ORDERS))
def test_every_sort_pages_forward_and_back_over_each_ticket_once(tickets, sort):
    order = selectors.QUEUE_ORDERS[sort]
    sign = "-" if order.descending else ""
    whole = list(
        selectors._ordered(tickets, order)
        .order_by(*(sign + column for column in order.columns))
        .values_list("id", flat=True)
    )
    pages, page = [], selectors.page_of_tickets(tickets, order, 3)
    pages.append([t.pk for t in page.rows])
    while page.after:
        page = selectors.page_of_tickets(tickets, order, 3, after=page.after)
        pages.append([t.pk for t in page.rows])
    assert sum(pages, []) == whole
    back = [pages[-1]]
    while page.before:
        page = selectors.page_of_tickets(tickets, order, 3, before=page.before)
        back.insert(0, [t.pk for t in page.rows])
    assert back == pages


@pytest.mark.parametrize("sort", ["", "sort=oldest", "sort=title", "sort=priority", "sort=status"])
def test_the_queue_pages_through_every_ticket_in_each_sort(tech_client, team, sort):
    made = {make_ticket(team=team, title=f"T{index % 7}").pk for index in range(55)}
    seen = [pk for page in walk(tech_client, queue_url(query=sort)) for pk in numbers(page)]
    assert sorted(seen) == sorted(made)


def test_each_ticket_comes_once_while_tickets_change_between_pages(
    tech_client, team, technician, requester
):
    before = {make_ticket(team=team, requester=requester).pk for _ in range(120)}
    seen = []
    for page in walk(tech_client, queue_url("team", "sort=activity")):
        seen += numbers(page)
        # Newer tickets arrive on top, and tickets already read come back to the top.
        make_ticket(team=team)
        make_ticket(team=team)
        read = Ticket.objects.get(pk=seen[0])
        services.followup_add(ticket=read, author=requester, content="Toujours en panne")
    assert sorted(pk for pk in seen if pk in before) == sorted(before)
    assert len(seen) == len(set(seen))


def test_a_jump_to_a_number_starts_the_page_at_that_ticket(tech_client, team):
    made = [make_ticket(team=team).pk for _ in range(60)]
    response = tech_client.get(queue_url(query=f"sort=number&start={made[30]}"))
    assert numbers(response) == sorted(made, reverse=True)[29:]
    assert response.context["previous_query"] and not response.context["next_query"]


def test_a_jump_to_a_ticket_outside_the_list_says_so_and_shows_the_first_page(tech_client, team):
    mine = make_ticket(team=team)
    elsewhere = make_ticket(team=TeamFactory())
    response = tech_client.get(queue_url(query=f"start={elsewhere.pk}"), follow=True)
    assert numbers(response) == [mine.pk]
    assert f"{elsewhere.pk}" in response.content.decode()


@pytest.mark.parametrize("forged", ["x", "after=1", "a" * 900, "W10:1abc:def"])
def test_a_forged_page_link_gives_the_first_page(tech_client, team, forged):
    ticket = make_ticket(team=team)
    for name in ("after", "before"):
        response = tech_client.get(queue_url(query=f"{name}={forged}"))
        assert response.status_code == 200 and numbers(response) == [ticket.pk]


def test_a_link_made_for_another_sort_gives_the_first_page(tech_client, team):
    for _ in range(55):
        make_ticket(team=team)
    first = tech_client.get(queue_url(query="sort=number"))
    link = first.context["next_query"].replace("sort=number", "sort=title")
    assert numbers(tech_client.get(queue_url(query=link))) == numbers(
        tech_client.get(queue_url(query="sort=title"))
    )


def test_the_last_page_costs_the_queries_of_the_first(tech_client, team):
    for _ in range(120):
        make_ticket(team=team)
    pages = []
    for page in walk(tech_client, queue_url(query="sort=oldest")):
        pages.append(page.context["next_query"])
    last_link = pages[-2]
    tech_client.get(queue_url(query="sort=oldest"))  # the remembered filters settle
    with CaptureQueriesContext(connection) as first:
        tech_client.get(queue_url(query="sort=oldest"))
    with CaptureQueriesContext(connection) as last:
        tech_client.get(queue_url(query=last_link))
    assert len(last) == len(first)


def test_the_saved_search_tab_pages_too(tech_client, team, technician):
    from backoffice.models import SavedSearch

    search = SavedSearch.objects.create(
        owner=technician, name="Demandes", queue="team", query="type=request"
    )
    made = {make_ticket(team=team, type="request").pk for _ in range(55)}
    make_ticket(team=team, type="incident")
    url = reverse("backoffice:saved-search", args=[search.pk]) + "?"
    seen = [pk for page in walk(tech_client, url) for pk in numbers(page)]
    assert sorted(seen) == sorted(made)


# PostgreSQL at scale: the queues read their index in order, never the whole table.


@pytest.fixture
def supervisor_of_ten(db):
    supervisor, teams = supervisor_of_ten_teams()
    for index in range(5):
        make_ticket(team=teams[index], title="Imprimante bloquée", requester=UserFactory())
    return supervisor


QUEUE_PAGES = [
    ("team", ""),  # the multi-team queue, the tickets nobody holds first
    ("team", "sort=activity"),
    ("all", ""),
    ("team", "q=imprimante"),  # five tickets: read by the full-text index, then sorted
    ("all", "q=imprimante"),
    ("team", "q=poste"),  # every ticket: the queue's first rows, their words tested
    ("all", "q=poste"),
    ("team", "q=suivi+poste"),  # a followup's word and a title's
    ("all", "q=mot12"),  # a few tickets, by their titles and followups
]


def test_a_supervisors_queues_and_search_use_indexes(client, supervisor_of_ten):
    client.force_login(supervisor_of_ten)
    for queue, query in QUEUE_PAGES:
        first = client.get(queue_url(queue, query))
        plans = ticket_plans(client, queue_url(queue, query))
        assert_no_seq_scan_on_tickets(plans)
        if query.startswith("q="):
            assert_search_reads_indexes(plans, common="poste" in query)
        if first.context["next_query"]:  # and the next page too
            following = queue_url(queue, first.context["next_query"])
            assert_no_seq_scan_on_tickets(ticket_plans(client, following))


def test_a_saved_search_tab_counts_its_matches_up_to_a_limit(
    tech_client, team, technician, monkeypatch
):
    from backoffice.models import SavedSearch
    from backoffice.views import queues

    monkeypatch.setattr(queues, "TAB_COUNT_LIMIT", 2)
    SavedSearch.objects.create(owner=technician, name="Écrans", queue="team", query="q=ecran")
    SavedSearch.objects.create(owner=technician, name="Claviers", queue="team", query="q=clavier")
    SavedSearch.objects.create(owner=technician, name="Tout", queue="team", query="")
    for title in ("Ecran noir", "Ecran bleu", "Ecran cassé", "Clavier", "Clavier"):
        make_ticket(team=team, title=title)
    tabs = {tab["search"].name: tab for tab in tech_client.get(queue_url()).context["saved_tabs"]}
    assert tabs["Écrans"]["more"] and tabs["Tout"]["more"]
    assert tabs["Claviers"]["count"] == 2 and not tabs["Claviers"]["more"]
    assert "plus de 2 tickets" in tech_client.get(queue_url()).content.decode()
