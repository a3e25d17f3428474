import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice.models import SavedSearch
from tests.conftest import needs_postgres
from tests.factories import (
    CategoryFactory,
    LocationFactory,
    TeamFactory,
    ThemeFactory,
    UserFactory,
    make_technician,
    make_ticket,
)
from tickets import services
from tickets.models import History, Ticket

Status = Ticket.Status


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def technician(team):
    return make_technician(team, username="karim", first_name="Karim", last_name="Moreau")


@pytest.fixture
def ticket(team):
    return make_ticket(team=team, title="Courriel bloqué")


@pytest.fixture
def tech_client(client, technician):
    client.force_login(technician)
    return client


def queue_url(name="team", **params):
    url = reverse("backoffice:queue", args=[name])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params, doseq=True)
    return url


def titles(response):
    return [row.title for row in response.context["rows"]]


TICKET_ACTIONS = [
    "take",
    "fields",
    "assign",
    "status",
    "observers",
    "transfer",
    "followup",
    "task",
    "document-add",
    "solution",
]


class TestAccess:
    def test_a_requester_gets_404_everywhere_in_the_back_office(self, client, ticket):
        client.force_login(ticket.requester)
        for url in [
            reverse("backoffice:home"),
            queue_url("mine"),
            reverse("backoffice:export", args=["team"]),
            reverse("backoffice:dashboard"),
            reverse("backoffice:ticket", args=[ticket.pk]),
        ]:
            assert client.get(url).status_code == 404, url
        for name in TICKET_ACTIONS:
            url = reverse(f"backoffice:{name}", args=[ticket.pk])
            assert client.post(url, {"solution-content": "x"}).status_code == 404, name
        assert client.post(reverse("backoffice:bulk", args=["team"])).status_code == 404
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

    def test_anonymous_visitors_are_sent_to_the_login(self, client, ticket):
        response = client.get(reverse("backoffice:ticket", args=[ticket.pk]))
        assert response.status_code == 302

    def test_a_technician_of_another_team_gets_404_on_page_actions_and_files(self, client, ticket):
        stranger = make_technician(TeamFactory(name="DSIN - Réseau"))
        document = services.document_add(
            ticket=ticket, author=ticket.requester, file=SimpleUploadedFile("a.txt", b"x")
        )
        client.force_login(stranger)
        assert client.get(reverse("backoffice:ticket", args=[ticket.pk])).status_code == 404
        url = reverse("backoffice:document", args=[ticket.pk, document.pk])
        assert client.get(url).status_code == 404
        for name in TICKET_ACTIONS:
            response = client.post(reverse(f"backoffice:{name}", args=[ticket.pk]))
            assert response.status_code == 404, name

    def test_all_is_for_supervisors_and_admins(self, tech_client, team):
        assert tech_client.get(queue_url("all")).status_code == 404
        supervisor = make_technician(team, supervisor=True)
        tech_client.force_login(supervisor)
        assert tech_client.get(queue_url("all")).status_code == 200

    def test_an_unknown_queue_is_404(self, tech_client):
        assert tech_client.get(queue_url("secret")).status_code == 404


class TestQueues:
    def test_my_team_lists_unassigned_tickets_first(self, tech_client, team, technician):
        taken = make_ticket(team=team, title="Pris")
        services.ticket_take(ticket=taken, actor=technician)
        make_ticket(team=team, title="Libre")
        make_ticket(team=TeamFactory(), title="Ailleurs")
        assert titles(tech_client.get(queue_url("team"))) == ["Libre", "Pris"]

    def test_a_row_shows_people_theme_category_place_and_labels(
        self, tech_client, team, technician
    ):
        building = LocationFactory(name="Bâtiment A", parent=LocationFactory(name="Campus"))
        room = LocationFactory(name="Salle 101", parent=building)
        category = CategoryFactory(name="Imprimantes", parent=CategoryFactory(name="Matériel"))
        requester = UserFactory(first_name="Anne", last_name="Durand", display_name="")
        beneficiary = UserFactory(display_name="Bob <i>Martin</i>")
        ticket = make_ticket(
            team=team, requester=requester, beneficiary=beneficiary, category=category
        )
        Ticket.objects.filter(pk=ticket.pk).update(location=room)
        services.ticket_take(ticket=ticket, actor=technician)
        row = tech_client.get(queue_url("team")).content.decode()
        row = row[row.index(f'name="tickets" value="{ticket.pk}"') :]
        row = row[: row.index("</tr>")]
        for shown in (
            "Anne Durand",
            "pour Bob &lt;i&gt;Martin&lt;/i&gt;",
            ticket.theme.name if ticket.theme else "—",
            "Imprimantes",
            "Bâtiment A &gt; Salle 101",
            team.name,
            technician.get_display_name(),
            "En cours (attribué)",
        ):
            assert shown in row, shown
        assert "Campus" not in row

    def test_the_page_gives_each_id_once(self, tech_client, team):
        make_ticket(team=team)
        page = tech_client.get(queue_url("team", q="imprimante")).content.decode()
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert ids and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

    def test_my_tickets_lists_what_i_hold(self, tech_client, team, technician):
        mine = make_ticket(team=team, title="À moi")
        services.ticket_take(ticket=mine, actor=technician)
        make_ticket(team=team, title="Pas à moi")
        assert titles(tech_client.get(queue_url("mine"))) == ["À moi"]

    def test_closed_tickets_show_only_when_asked(self, tech_client, team, technician):
        done = make_ticket(team=team, title="Fini")
        services.solution_propose(ticket=done, author=technician, content="ok")
        services.solution_accept(ticket=done, actor=done.requester)
        make_ticket(team=team, title="En cours")
        assert titles(tech_client.get(queue_url())) == ["En cours"]
        assert titles(tech_client.get(queue_url(status=[6]))) == ["Fini"]

    def test_filters_combine(self, tech_client, team):
        theme = ThemeFactory()
        make_ticket(team=team, title="Urgent", urgency=5, impact=5, theme=theme)
        make_ticket(team=team, title="Demande", type="request")
        assert titles(tech_client.get(queue_url(priority=5))) == ["Urgent"]
        assert titles(tech_client.get(queue_url(type="request"))) == ["Demande"]
        today = timezone.localdate().isoformat()
        assert len(titles(tech_client.get(queue_url(created_from=today)))) == 2
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        assert titles(tech_client.get(queue_url(created_from=tomorrow))) == []

    def test_forged_sort_and_filters_are_ignored(self, tech_client, team):
        make_ticket(team=team, title="Un")
        response = tech_client.get(
            queue_url(sort="requester__password", status=["99", "x"], team="abc", priority="; --")
        )
        assert response.status_code == 200
        assert titles(response) == ["Un"]

    def test_search_finds_a_number_or_words_in_followups(self, tech_client, team, technician):
        printer = make_ticket(team=team, title="Imprimante")
        other = make_ticket(team=team, title="Autre")
        services.followup_add(ticket=other, author=technician, content="Toner commandé")
        assert titles(tech_client.get(queue_url(q=str(printer.pk)))) == ["Imprimante"]
        assert titles(tech_client.get(queue_url(q="toner"))) == ["Autre"]

    def test_the_last_filters_are_remembered_per_queue(self, tech_client, team):
        make_ticket(team=team, title="Demande", type="request")
        tech_client.get(queue_url("team", type="request"))
        response = tech_client.get(queue_url("team"))
        assert response.status_code == 302
        assert "type=request" in response["Location"]
        response = tech_client.get(queue_url("team", reset=1))
        assert response.status_code == 302
        assert tech_client.get(queue_url("team")).status_code == 200

    def test_pages_go_forward_and_back(self, tech_client, team, settings):
        for index in range(55):
            make_ticket(team=team, title=f"T{index}")
        first = tech_client.get(queue_url())
        assert len(titles(first)) == 50 and first.context["next_query"]
        second = tech_client.get(queue_url() + "?" + first.context["next_query"])
        assert len(titles(second)) == 5 and not second.context["next_query"]
        assert not set(titles(first)) & set(titles(second))
        back = tech_client.get(queue_url() + "?" + second.context["previous_query"])
        assert titles(back) == titles(first) and not back.context["previous_query"]


@pytest.mark.parametrize("news", [False, True])
@pytest.mark.parametrize("count", [1, 50])
def test_the_queue_query_count_does_not_grow_with_rows(tech_client, team, technician, count, news):
    theme = ThemeFactory()
    SavedSearch.objects.create(owner=technician, name="Urgents", queue="team", query="priority=5")
    SavedSearch.objects.create(
        owner=make_technician(team), name="Demandes", queue="mine", query="type=request", team=team
    )
    for index in range(count):
        ticket = make_ticket(team=team, theme=theme, beneficiary=UserFactory())
        if index % 2:
            services.ticket_take(ticket=ticket, actor=technician)
        if news:
            services.followup_add(ticket=ticket, author=ticket.requester, content="Et alors ?")
    with CaptureQueriesContext(connection) as queries:
        response = tech_client.get(queue_url(page=1))
    assert len(titles(response)) == count
    assert len(queries) == QUEUE_QUERIES + news, [q["sql"] for q in queries]
    assert ("Nouveau depuis votre dernière visite" in response.content.decode()) == news


# Session, user, the back-office and menu checks, the page's ids and rows: none depends
# on the rows; the filters' pickers list nothing before one types. Then the saved
# searches' tabs: one query lists them, one COUNT each (two here). When rows have news,
# one more query reads when the technician last opened those.
QUEUE_QUERIES = 8 + 1 + 2


class TestBulk:
    def post(self, client, tickets, **data):
        payload = {"tickets": [t.pk for t in tickets], **data}
        return client.post(reverse("backoffice:bulk", args=["team"]), payload)

    def test_take_assign_priority_and_transfer(self, tech_client, team, technician):
        one, two = make_ticket(team=team), make_ticket(team=team)
        self.post(tech_client, [one, two], action="take")
        assert Ticket.objects.filter(assignee=technician).count() == 2
        colleague = make_technician(team)
        self.post(tech_client, [one], action="assign", assignee=colleague.pk)
        one.refresh_from_db()
        assert one.assignee == colleague
        self.post(tech_client, [one, two], action="priority", priority=6)
        assert set(Ticket.objects.values_list("priority", flat=True)) == {6}
        network = TeamFactory(name="DSIN - Réseau")
        self.post(tech_client, [two], action="transfer", team=network.pk, comment="Câblage")
        two.refresh_from_db()
        assert two.team == network and two.status == Status.NEW

    def test_a_transfer_needs_a_comment(self, tech_client, team):
        ticket = make_ticket(team=team)
        response = self.post(tech_client, [ticket], action="transfer", team=TeamFactory().pk)
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.team == team

    def test_tickets_one_may_not_see_are_left_alone(self, tech_client, team, technician):
        elsewhere = make_ticket(team=TeamFactory())
        self.post(tech_client, [elsewhere], action="take")
        elsewhere.refresh_from_db()
        assert elsewhere.assignee is None

    def test_refusals_are_reported_per_ticket(self, tech_client, team, technician):
        solved = make_ticket(team=team)
        services.solution_propose(ticket=solved, author=technician, content="ok")
        response = self.post(
            tech_client, [solved], action="transfer", team=TeamFactory().pk, comment="x"
        )
        messages = [str(m) for m in response.wsgi_request._messages]
        assert any(f"#{solved.pk}" in m for m in messages)


class TestExport:
    def test_it_exports_the_filtered_list_with_formulas_neutralised(self, tech_client, team):
        make_ticket(team=team, title='=HYPERLINK("http://evil")')
        make_ticket(team=team, title="Normal", type="request")
        response = tech_client.get(reverse("backoffice:export", args=["team"]))
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][0] == "Numéro"
        cells = {row[1] for row in rows[1:]}
        assert cells == {'\'=HYPERLINK("http://evil")', "Normal"}
        filtered = tech_client.get(reverse("backoffice:export", args=["team"]) + "?type=request")
        assert filtered.content.decode("utf-8-sig").count("\n") == 2

    def test_each_line_names_the_people_places_and_labels(self, tech_client, team, technician):
        place = LocationFactory(name="Salle 101", parent=LocationFactory(name="Bâtiment A"))
        category = CategoryFactory(name="Imprimantes", parent=CategoryFactory(name="Matériel"))
        ticket = make_ticket(
            team=team,
            requester=UserFactory(display_name="Anne Durand"),
            category=category,
        )
        Ticket.objects.filter(pk=ticket.pk).update(location=place)
        services.ticket_take(ticket=ticket, actor=technician)
        response = tech_client.get(reverse("backoffice:export", args=["team"]))
        lines = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        header, line = list(lines)
        cells = dict(zip(header, line, strict=True))
        assert cells["Demandeur"] == cells["Bénéficiaire"] == "Anne Durand"
        assert cells["Catégorie"] == "Matériel > Imprimantes"
        assert cells["Lieu"] == "Bâtiment A > Salle 101"
        assert cells["Équipe"] == team.name
        assert cells["Technicien"] == technician.get_display_name()
        assert (cells["Statut"], cells["Type"]) == ("En cours (attribué)", "Incident")

    @pytest.mark.parametrize("count", [1, 50])
    def test_its_query_count_does_not_grow_with_rows(self, tech_client, team, count):
        theme, place = ThemeFactory(), LocationFactory()
        for _ in range(count):
            ticket = make_ticket(team=team, theme=theme, beneficiary=UserFactory())
            Ticket.objects.filter(pk=ticket.pk).update(location=place)
        with CaptureQueriesContext(connection) as queries:
            response = tech_client.get(reverse("backoffice:export", args=["team"]))
        lines = response.content.decode("utf-8-sig").splitlines()
        assert len(lines) == count + 1 and place.name in lines[1]
        # Session, user, the back-office checks, the ids and the rows: none per row.
        assert len(queries) == 5, [q["sql"] for q in queries]

    @pytest.mark.parametrize("start", ["=", "+", "-", "@"])
    def test_every_formula_start_is_neutralised(self, start):
        from backoffice.exports import csv_cell

        assert csv_cell(f"{start}1+1") == f"'{start}1+1"
        assert csv_cell("ok") == "ok"


class TestWorkPage:
    def url(self, name, ticket, *args):
        return reverse(f"backoffice:{name}", args=[ticket.pk, *args])

    def test_it_shows_private_items_marked_and_the_theme_answers(
        self, tech_client, ticket, technician
    ):
        ticket.answers = [{"question": 1, "label": "Appareil", "value": "Portable"}]
        ticket.save()
        services.followup_add(
            ticket=ticket, author=technician, content="Note interne", is_private=True
        )
        html = tech_client.get(self.url("ticket", ticket)).content.decode()
        assert "Note interne" in html and "private-badge" in html
        assert "Appareil" in html and "Portable" in html

    def test_take_followups_task_document_and_solution(self, tech_client, ticket, technician):
        assert tech_client.post(self.url("take", ticket)).status_code == 302
        tech_client.post(
            self.url("followup", ticket),
            {"followup-content": "Interne", "followup-is_private": "on"},
        )
        tech_client.post(self.url("followup", ticket), {"followup-content": "Bonjour"})
        tech_client.post(
            self.url("task", ticket),
            {"task-content": "Commander", "task-state": "todo", "task-duration_minutes": "15"},
        )
        tech_client.post(
            self.url("document-add", ticket),
            {"document-file": SimpleUploadedFile("log.txt", b"log"), "document-is_private": "on"},
        )
        response = tech_client.post(self.url("solution", ticket), {"solution-content": "Fait"})
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED and ticket.assignee == technician
        privacy = dict(ticket.followups.values_list("content", "is_private"))
        assert privacy == {"Interne": True, "Bonjour": False}
        assert ticket.tasks.get().duration_minutes == 15
        assert ticket.documents.get().is_private

    def test_followups_tasks_and_documents_are_public_unless_made_private(
        self, tech_client, ticket
    ):
        html = tech_client.get(self.url("ticket", ticket)).content.decode()
        for form in ("followup", "task", "document"):
            box = re.search(rf'<input[^>]*name="{form}-is_private"[^>]*>', html).group(0)
            assert "checked" not in box, form
        assert "Privé\u00a0: seuls les techniciens le voient" in html  # the choice in plain words

    def test_fields_update_writes_history_and_priority(self, tech_client, ticket):
        response = tech_client.post(
            self.url("fields", ticket),
            {
                "fields-type": "request",
                "fields-urgency": "5",
                "fields-impact": "5",
                "fields-priority": str(ticket.priority),
                "fields-location_mode": "remote",
            },
        )
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.type == "request" and ticket.priority == 5
        assert History.objects.filter(ticket=ticket, field="urgency").exists()

    def test_an_illegal_transition_gets_a_clear_message(self, tech_client, ticket, technician):
        services.solution_propose(ticket=ticket, author=technician, content="ok")
        response = tech_client.post(self.url("solution", ticket), {"solution-content": "Encore"})
        assert response.status_code == 400
        assert "attend déjà" in response.content.decode()

    def test_a_status_sent_from_a_page_older_than_the_solution_gets_its_reason(
        self, tech_client, ticket, technician
    ):
        services.solution_propose(ticket=ticket, author=technician, content="ok")
        response = tech_client.post(self.url("status", ticket), {"status-status": "4"})
        assert response.status_code == 400
        assert "Une solution attend la réponse du demandeur" in response.content.decode()

    def test_closing_is_not_a_status_choice(self, tech_client, ticket):
        response = tech_client.post(self.url("status", ticket), {"status-status": "6"})
        assert response.status_code == 400
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

    def test_a_failed_form_comes_back_with_its_text_and_the_next_page_blank(
        self, tech_client, ticket, team
    ):
        # The blank forms' fields are written once and reused: a failed one must not be.
        failed = tech_client.post(self.url("transfer", ticket), {"transfer-comment": "Réseau"})
        html = failed.content.decode()
        assert failed.status_code == 400
        assert "transfer-errors-title" in html and ">\nRéseau</textarea>" in html
        other = make_ticket(team=team)
        for shown in (ticket, other):
            page = tech_client.get(reverse("backoffice:ticket", args=[shown.pk])).content.decode()
            assert "Réseau" not in page and "transfer-errors-title" not in page
            assert 'name="transfer-comment"' in page and 'name="task-content"' in page

    def test_the_side_panel_shows_each_tickets_own_values(self, tech_client, team, technician):
        # Its field groups are written once per value and reused: each ticket gets its own.
        calm = make_ticket(team=team, urgency=1)
        urgent = make_ticket(team=team, urgency=5, assignee=technician)
        for ticket, urgency, assignee in ((calm, 1, False), (urgent, 5, True), (calm, 1, False)):
            html = tech_client.get(reverse("backoffice:ticket", args=[ticket.pk])).content.decode()
            urgencies = html.split('name="fields-urgency"')[1].split("</select>")[0]
            assert re.findall(r'<option value="(\d)" selected>', urgencies) == [str(urgency)]
            assign = re.search(r'<input type="text" name="assign-assignee"[^>]*>', html)[0]
            assert (technician.email in assign) is assignee

    def test_a_renamed_technician_or_category_shows_its_new_name(
        self, tech_client, ticket, technician
    ):
        category = CategoryFactory(name="Imprimantes")
        Ticket.objects.filter(pk=ticket.pk).update(category=category, assignee=technician)
        url = reverse("backoffice:ticket", args=[ticket.pk])
        assert "Imprimantes" in tech_client.get(url).content.decode()
        category.name = "Copieurs"
        category.save()
        technician.display_name = "Julien Nouveau"
        technician.save()
        html = tech_client.get(url).content.decode()
        assign = re.search(r'<input type="text" name="assign-assignee"[^>]*>', html)[0]
        assert "Julien Nouveau" in assign
        picker = re.search(r'<input type="text" name="fields-category"[^>]*>', html)[0]
        assert "Copieurs" in picker and "Imprimantes" not in picker

    def test_a_transfer_needs_its_comment(self, tech_client, ticket):
        response = tech_client.post(
            self.url("transfer", ticket), {"transfer-team": TeamFactory().pk}
        )
        assert response.status_code == 400

    def test_observers_are_added_by_picker_and_removed(self, tech_client, ticket):
        watcher = UserFactory(email="anne@univ.example")
        tech_client.post(self.url("observers", ticket), {"observers-add": "anne@univ.example"})
        assert list(ticket.observers.all()) == [watcher]
        page = tech_client.get(reverse("backoffice:ticket", args=[ticket.pk])).content.decode()
        assert f'name="observers-remove" value="{watcher.pk}"' in page
        stranger = UserFactory()
        tech_client.post(self.url("observers", ticket), {"observers-remove": [stranger.pk]})
        assert list(ticket.observers.all()) == [watcher]  # not an observer: nothing removed
        tech_client.post(self.url("observers", ticket), {"observers-remove": [watcher.pk]})
        assert not ticket.observers.exists()

    def test_a_task_for_an_expert_elsewhere_opens_the_ticket_to_them(
        self, tech_client, client, ticket
    ):
        expert = make_technician(TeamFactory(name="DFA"), email="nadia@univ.example")
        tech_client.post(
            self.url("task", ticket),
            {
                "task-content": "Vérifier SIFAC",
                "task-state": "todo",
                "task-duration_minutes": "0",
                "task-assigned_user": "Nadia <nadia@univ.example>",
            },
        )
        client.force_login(expert)
        assert [t.pk for t in client.get(queue_url("tasks")).context["rows"]] == [ticket.pk]
        assert client.get(queue_url("team")).context["rows"] == []
        task = ticket.tasks.get()
        assert client.post(self.url("task-done", ticket, task.pk)).status_code == 302
        task.refresh_from_db()
        assert task.state == "done"
        response = client.post(self.url("solution", ticket), {"solution-content": "x"})
        assert response.status_code == 400  # an expert does not solve the ticket

    def test_the_document_is_served_as_an_attachment(self, tech_client, ticket, technician):
        document = services.document_add(
            ticket=ticket,
            author=technician,
            file=SimpleUploadedFile("p.txt", b"x"),
            is_private=True,
        )
        response = tech_client.get(self.url("document", ticket, document.pk))
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_htmx_gets_the_same_page(self, tech_client, ticket):
        response = tech_client.post(
            self.url("followup", ticket),
            {"followup-content": "Via htmx"},
            HTTP_HX_REQUEST="true",
            follow=True,
        )
        assert 'id="work"' in response.content.decode()


# A followup only, then followups, tasks, documents and observers: a query more for each.
@pytest.mark.parametrize("items, kinds_held", [(1, 0), (4, 3), (200, 3)])
def test_the_ticket_page_query_count_does_not_grow_with_the_timeline(
    tech_client, ticket, technician, items, kinds_held
):
    expert = UserFactory()
    for index in range(items):
        kind = index % 4
        if kind == 0:
            services.followup_add(ticket=ticket, author=technician, content=f"Suivi {index}")
        elif kind == 1:
            services.task_add(
                ticket=ticket, author=technician, content=f"Tâche {index}", assigned_user=expert
            )
        elif kind == 2:
            services.document_add(
                ticket=ticket, author=technician, file=SimpleUploadedFile(f"{index}.txt", b"x")
            )
        else:
            services.ticket_observers_change(ticket=ticket, actor=technician, add=[UserFactory()])
    with CaptureQueriesContext(connection) as queries:
        response = tech_client.get(reverse("backoffice:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    assert len(queries) == TICKET_PAGE_QUERIES + kinds_held, [q["sql"] for q in queries]


def test_the_timeline_escapes_what_people_typed_and_named(tech_client, ticket, technician):
    expert = UserFactory(display_name="<b>Expert</b>")
    services.task_add(
        ticket=ticket, author=technician, content="<p>Voir « <i>ça</i> »</p>", assigned_user=expert
    )
    services.document_add(
        ticket=ticket, author=technician, file=SimpleUploadedFile("<img src=x>.txt", b"x")
    )
    html = tech_client.get(reverse("backoffice:ticket", args=[ticket.pk])).content.decode()
    assert "<b>Expert</b>" not in html and "&lt;b&gt;Expert&lt;/b&gt;" in html
    assert "<img src=x>" not in html
    assert "<i>ça</i>" in html  # the content is cleaned HTML, shown as such
    assert re.search(r"<button[^>]*>Marquer la tâche[^<]*Voir « ça »[^<]*comme faite<", html)


def test_the_queue_escapes_titles_and_names(tech_client, team):
    requester = UserFactory(display_name="<b>Claire</b>")
    make_ticket(team=team, requester=requester, title="<script>alert(1)</script>")
    html = tech_client.get(queue_url("team")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Claire</b>" not in html and "&lt;b&gt;Claire&lt;/b&gt;" in html


# No session or seen-mark write, pickers list nothing; the ticket with its clock and what
# it holds, its followups and everybody they and the ticket name, history. Its tasks,
# documents, solutions, links and observers cost a query each, when it holds some.
TICKET_PAGE_QUERIES = 7


class TestDashboard:
    @pytest.fixture
    def supervisor(self, team):
        return make_technician(team, supervisor=True)

    def test_it_shows_the_supervised_teams_figures(self, client, supervisor, team, technician):
        make_ticket(team=team, urgency=5, impact=5)
        solved = make_ticket(team=team)
        services.ticket_take(ticket=solved, actor=technician)
        services.solution_propose(ticket=solved, author=technician, content="ok")
        make_ticket(team=TeamFactory(name="Autre équipe"))
        client.force_login(supervisor)
        response = client.get(reverse("backoffice:dashboard"))
        figures = response.context["figures"]
        assert dict(figures["by_team"]) == {"DSIN - Messagerie": 2}
        assert figures["waiting_count"] == 1
        assert sum(created for _week, created, _solved in figures["backlog"]) == 2
        assert sum(solved for _week, _created, solved in figures["backlog"]) == 1
        assert figures["mean_take"] is not None
        html = response.content.decode()
        assert "<svg" in html and "<table" in html

    def test_a_plain_technician_gets_404(self, tech_client):
        assert tech_client.get(reverse("backoffice:dashboard")).status_code == 404

    def test_its_query_count_does_not_grow_with_teams_or_tickets(self, client, db):
        admin = UserFactory(is_superuser=True, is_staff=True)
        client.force_login(admin)

        def add_teams(count):
            for index in range(count):
                team = TeamFactory()
                technician = make_technician(team)
                ticket = make_ticket(team=team, theme=ThemeFactory())
                services.ticket_take(ticket=ticket, actor=technician)
                if index % 2 == 0:
                    services.solution_propose(ticket=ticket, author=technician, content="ok")

        def queries():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("backoffice:dashboard")).status_code == 200
            return len(captured)

        add_teams(1)
        small = queries()
        add_teams(15)
        assert queries() == small <= 18


def test_the_average_time_counts_every_ticket_once(db, team, technician):
    from tickets.stats import dashboard, dashboard_counts_rebuild

    now = timezone.now()
    for hours in (1, 2, 10):
        ticket = make_ticket(team=team)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=now - timedelta(hours=hours), taken_at=now
        )
    dashboard_counts_rebuild()  # the dates were changed behind the services' back
    assert dashboard(Q(), now=now)["mean_take"] == timedelta(hours=13) / 3


def test_postgres_search_uses_the_full_text_indexes(db):
    needs_postgres()
    from tickets.selectors import search_tickets

    with CaptureQueriesContext(connection) as queries:
        search_tickets(Ticket.objects.all(), "imprimante panne")
    lookup = next(q["sql"] for q in queries.captured_queries if "tickets_ticketsearch" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {lookup}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticketsearch_document" in plan and "ticketsearch_private" in plan


def test_all_does_not_search_private_notes_of_tickets_one_only_filed(client, team, technician):
    supervisor = make_technician(TeamFactory(name="Autre"), supervisor=True)
    own = make_ticket(requester=supervisor, team=team, title="Mon poste")
    services.followup_add(
        ticket=own, author=technician, content="salaire confidentiel", is_private=True
    )
    client.force_login(supervisor)
    assert titles(client.get(queue_url("all", q="confidentiel"))) == []
    assert titles(client.get(queue_url("all", q="poste"))) == ["Mon poste"]
