from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, override

from knowledge import services as knowledge_services
from tests.factories import (
    LocationFactory,
    ThemeFactory,
    UserFactory,
    make_technician,
    make_ticket,
    pdf_bytes,
    png_bytes,
)
from tickets import services
from tickets.models import Ticket

Status = Ticket.Status


@pytest.fixture
def requester(db):
    return UserFactory(username="claire")


@pytest.fixture
def ticket(requester):
    return make_ticket(requester=requester, theme=ThemeFactory(name="Messagerie", slug="mail"))


@pytest.fixture
def technician(ticket):
    return make_technician(ticket.team, first_name="Karim", last_name="Moreau")


@pytest.fixture
def logged(client, requester):
    client.force_login(requester)
    return client


def page(ticket):
    return reverse("portal:ticket-detail", args=[ticket.pk])


def action(name, ticket):
    return reverse(f"portal:{name}", args=[ticket.pk])


def solve(ticket, technician, content="Videz la corbeille"):
    services.ticket_take(ticket=ticket, actor=technician)
    return services.solution_propose(ticket=ticket, author=technician, content=content)


class TestOutsiders:
    """Another person's ticket, file or action does not exist for you."""

    @pytest.fixture
    def outsider(self, client, db):
        client.force_login(UserFactory())
        return client

    def test_the_page_answers_404(self, outsider, ticket):
        assert outsider.get(page(ticket)).status_code == 404

    @pytest.mark.parametrize("name", ["ticket-followup", "solution-accept", "solution-refuse"])
    def test_actions_answer_404_and_change_nothing(self, outsider, ticket, technician, name):
        solve(ticket, technician)
        response = outsider.post(action(name, ticket), {"content": "x", "reason": "x"})
        assert response.status_code == 404
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert ticket.followups.count() == 0

    def test_a_file_answers_404(self, outsider, ticket, requester):
        document = services.document_add(
            ticket=ticket, author=requester, file=SimpleUploadedFile("a.txt", b"secret")
        )
        url = reverse("portal:document", args=[ticket.pk, document.pk])
        assert outsider.get(url).status_code == 404

    def test_a_file_of_another_ticket_answers_404_through_my_ticket(
        self, logged, ticket, requester
    ):
        theirs = make_ticket()
        document = services.document_add(
            ticket=theirs, author=theirs.requester, file=SimpleUploadedFile("b.txt", b"x")
        )
        url = reverse("portal:document", args=[ticket.pk, document.pk])
        assert logged.get(url).status_code == 404

    def test_the_confirmation_page_answers_404(self, outsider, ticket):
        assert outsider.get(action("ticket-sent", ticket)).status_code == 404

    def test_anonymous_visitors_are_sent_to_the_login(self, client, ticket):
        assert client.get(page(ticket)).status_code == 302


def test_the_page_shows_the_public_timeline_only(logged, ticket, technician):
    services.followup_add(ticket=ticket, author=technician, content="Pouvez-vous redémarrer ?")
    services.followup_add(
        ticket=ticket, author=technician, content="Note interne secrète", is_private=True
    )
    services.task_add(ticket=ticket, author=technician, content="Tâche cachée", is_private=True)
    services.task_add(ticket=ticket, author=technician, content="Commande du câble")
    services.document_add(
        ticket=ticket,
        author=technician,
        file=SimpleUploadedFile("journal.txt", b"log"),
        is_private=True,
    )
    html = logged.get(page(ticket)).content.decode()
    assert "Pouvez-vous redémarrer ?" in html
    assert "Commande du câble" in html
    assert "secrète" not in html and "Tâche cachée" not in html and "journal.txt" not in html
    assert html.index("Pouvez-vous") < html.index("Commande du câble")


def test_the_page_shows_the_theme_answers(logged, ticket):
    ticket.answers = [{"question": 1, "label": "Appareil", "value": "Téléphone"}]
    ticket.save()
    html = logged.get(page(ticket)).content.decode()
    assert "<dt>Appareil</dt>" in html and "Téléphone" in html


def test_the_page_says_who_handles_it_and_what_the_status_means(logged, ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    html = logged.get(page(ticket)).content.decode()
    assert "Karim Moreau" in html
    assert "Un technicien travaille sur votre ticket" in html


def test_a_followup_with_a_file_is_added(logged, ticket, requester):
    response = logged.post(
        action("ticket-followup", ticket),
        {"content": "Voici la capture", "files": SimpleUploadedFile("c.png", png_bytes())},
    )
    assert response.status_code == 302
    followup = ticket.followups.get()
    assert followup.author == requester and "Voici la capture" in followup.content
    assert followup.documents.get().original_name == "c.png"


def test_a_file_alone_is_added_without_an_empty_message(logged, ticket):
    logged.post(
        action("ticket-followup", ticket),
        {"content": "", "files": SimpleUploadedFile("c.png", png_bytes())},
    )
    assert ticket.followups.count() == 0
    assert ticket.documents.get().original_name == "c.png"


def test_an_empty_followup_is_explained(logged, ticket):
    response = logged.post(action("ticket-followup", ticket), {"content": "  "})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()


def test_a_long_message_from_the_editor_is_added_whole(logged, ticket):
    text = "<p>" + "Journal de la panne. " * 8000 + "</p>"  # about 170,000 characters
    response = logged.post(
        action("ticket-followup", ticket), {"content": text, "content_format": "html"}
    )
    assert response.status_code == 302
    assert len(ticket.followups.get().content) > 160_000


def test_a_refused_file_is_named_and_the_message_kept(logged, ticket):
    response = logged.post(
        action("ticket-followup", ticket),
        {"content": "Mon message", "files": SimpleUploadedFile("x.exe", b"MZ")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "x.exe" in html and "Mon message" in html
    assert ticket.followups.count() == 0


def test_a_requester_followup_on_a_pending_ticket_resumes_it(logged, ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
    logged.post(action("ticket-followup", ticket), {"content": "Voici le numéro"})
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


class TestSolution:
    def test_the_waiting_solution_shows_the_buttons_and_the_closing_date(
        self, logged, ticket, technician
    ):
        solve(ticket, technician)
        ticket.refresh_from_db()
        html = logged.get(page(ticket)).content.decode()
        assert "Videz la corbeille" in html
        assert action("solution-accept", ticket) in html
        assert action("solution-refuse", ticket) in html
        # The page's date is Paris's: near midnight, it is not the UTC one.
        closing = timezone.localtime(ticket.solved_at + timedelta(days=7))
        assert formats.date_format(closing, "DATE_FORMAT") in html

    def test_an_observer_sees_the_solution_but_no_buttons(self, client, ticket, technician):
        observer = UserFactory()
        ticket.observers.add(observer)
        solve(ticket, technician)
        client.force_login(observer)
        html = client.get(page(ticket)).content.decode()
        assert action("solution-accept", ticket) not in html
        assert client.post(action("solution-accept", ticket)).status_code == 404

    def test_accepting_closes_the_ticket(self, logged, ticket, technician):
        solve(ticket, technician)
        response = logged.post(action("solution-accept", ticket))
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED

    def test_accepting_needs_a_post(self, logged, ticket, technician):
        solve(ticket, technician)
        assert logged.get(action("solution-accept", ticket)).status_code == 405

    def test_refusing_keeps_the_reason(self, logged, ticket, technician):
        solve(ticket, technician)
        logged.post(action("solution-refuse", ticket), {"reason": "Toujours bloqué"})
        ticket.refresh_from_db()
        assert ticket.status == Status.ASSIGNED
        assert "Toujours bloqué" in ticket.followups.get().content

    def test_refusing_without_a_reason_is_explained(self, logged, ticket, technician):
        solve(ticket, technician)
        response = logged.post(action("solution-refuse", ticket), {"reason": ""})
        assert response.status_code == 400
        assert 'href="#id_reason"' in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED

    def test_deciding_twice_is_explained_not_crashed(self, logged, ticket, technician):
        solve(ticket, technician)
        logged.post(action("solution-accept", ticket))
        response = logged.post(action("solution-accept", ticket), follow=True)
        assert response.status_code == 200
        assert "déjà clos" in response.content.decode()


class TestClosed:
    @pytest.fixture
    def closed(self, ticket, technician, requester):
        solve(ticket, technician)
        services.solution_accept(ticket=ticket, actor=requester)
        return ticket

    def test_it_is_read_only_and_offers_a_new_request(self, logged, closed):
        html = logged.get(page(closed)).content.decode()
        assert action("ticket-followup", closed) not in html
        new_request = reverse("portal:theme-form", args=["mail"]) + f"?suite={closed.pk}"
        assert new_request in html
        form = logged.get(new_request).content.decode()
        assert f"Suite du ticket {closed.pk}" in form

    def test_a_followup_is_refused(self, logged, closed):
        response = logged.post(action("ticket-followup", closed), {"content": "Encore"})
        assert response.status_code == 400
        assert closed.followups.count() == 0


def test_a_document_is_served_as_an_attachment(logged, ticket, requester):
    document = services.document_add(
        ticket=ticket,
        author=requester,
        file=SimpleUploadedFile("rapport final.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    response = logged.get(reverse("portal:document", args=[ticket.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "rapport" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_file_alone_from_the_requester_resumes_a_pending_ticket(logged, ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
    logged.post(
        action("ticket-followup", ticket),
        {"content": "", "files": SimpleUploadedFile("facture.pdf", pdf_bytes())},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


def test_refusing_a_solution_decided_meanwhile_explains_it(logged, ticket, technician, requester):
    solve(ticket, technician)
    services.solution_accept(ticket=ticket, actor=requester)  # e.g. from another tab
    response = logged.post(action("solution-refuse", ticket), {"reason": "Non"}, follow=True)
    assert "déjà clos" in response.content.decode()


def test_an_empty_refusal_keeps_nothing_lost(logged, ticket, technician):
    solve(ticket, technician)
    response = logged.post(action("solution-refuse", ticket), {"reason": "   "})
    assert response.status_code == 400


def fr(text):
    """The page's words, in French once the catalogue has them."""
    with override("fr"):
        return gettext(text)


WARNING = (
    "A solution is waiting for your answer: sending a message refuses it, and your message "
    "becomes the reason for the refusal."
)


class TestAMessageWhileASolutionWaits:
    def test_the_message_box_warns_in_words_that_it_refuses_the_solution(
        self, logged, ticket, technician
    ):
        solve(ticket, technician)
        html = logged.get(page(ticket)).content.decode()
        assert action("ticket-followup", ticket) in html
        assert '<p class="refuses-warning" id="content-refuses">\n' in html
        assert fr(WARNING) in html
        assert 'aria-describedby="content-refuses"' in html
        assert "data-confirm=" in html  # the script asks again; the words are there without it

    def test_no_warning_when_no_solution_waits(self, logged, ticket):
        html = logged.get(page(ticket)).content.decode()
        assert action("ticket-followup", ticket) in html
        assert fr(WARNING) not in html and "data-confirm=" not in html

    def test_an_observer_is_not_warned_for_their_message_refuses_nothing(
        self, client, ticket, technician
    ):
        observer = UserFactory()
        ticket.observers.add(observer)
        solve(ticket, technician)
        client.force_login(observer)
        html = client.get(page(ticket)).content.decode()
        assert action("ticket-followup", ticket) in html
        assert fr(WARNING) not in html

    def test_sending_it_refuses_the_solution_and_says_so(self, logged, ticket, technician):
        solution = solve(ticket, technician)
        response = logged.post(
            action("ticket-followup", ticket),
            {
                "content": "Toujours aucun courriel",
                "files": SimpleUploadedFile("c.png", png_bytes()),
            },
            follow=True,
        )
        solution.refresh_from_db()
        ticket.refresh_from_db()
        assert solution.status == solution.Status.REFUSED
        assert ticket.status == Status.ASSIGNED
        followup = ticket.followups.get()
        assert followup.documents.get().original_name == "c.png"
        html = response.content.decode()
        assert (
            fr(
                "Your message has been added and the solution refused: the technician has your "
                "reason and goes on."
            )
            in html
        )
        assert fr("Your message has been added to the ticket.") not in html

    def test_a_file_alone_leaves_the_solution_waiting(self, logged, ticket, technician):
        solve(ticket, technician)
        response = logged.post(
            action("ticket-followup", ticket),
            {"content": "", "files": SimpleUploadedFile("c.png", png_bytes())},
            follow=True,
        )
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert fr("Your message has been added to the ticket.") in response.content.decode()


def test_a_refused_solution_shows_its_reason_as_the_reason(logged, ticket, technician, requester):
    solve(ticket, technician, content="Videz la corbeille")
    services.solution_refuse(ticket=ticket, actor=requester, reason="<p>Corbeille déjà vide</p>")
    solve_again = services.solution_propose(ticket=ticket, author=technician, content="Autre")
    services.followup_add(ticket=ticket, author=requester, content="Toujours pas")
    response = logged.get(page(ticket))
    kinds = [(kind, item.content) for kind, item in response.context["timeline"]]
    # The reasons are not messages of their own: each goes with the solution it refused.
    assert [kind for kind, _ in kinds] == ["solution", "solution"]
    first, second = (item for _, item in response.context["timeline"])
    assert "Corbeille déjà vide" in first.refusal_reason.content
    assert second == solve_again and second.refusal_reason.content == "Toujours pas"
    items = response.content.decode().split('<li class="timeline-item')[1:]
    assert "Videz la corbeille" in items[0] and "Corbeille déjà vide" in items[0]
    assert fr("Reason for refusal:") in items[0]
    assert "Autre" in items[1] and "Toujours pas" in items[1]


def test_a_message_after_a_refusal_stays_a_message(logged, ticket, technician, requester):
    solve(ticket, technician)
    services.solution_refuse(ticket=ticket, actor=requester, reason="Non")
    services.followup_add(ticket=ticket, author=requester, content="Et aussi ceci")
    kinds = [kind for kind, _ in logged.get(page(ticket)).context["timeline"]]
    assert kinds == ["solution", "followup"]


class TestSummary:
    def test_it_shows_the_beneficiary_when_filed_for_someone_else(self, client, requester):
        paul = UserFactory(first_name="Paul", last_name="Durand")
        ticket = make_ticket(requester=requester, beneficiary=paul, urgency=5)
        client.force_login(paul)
        html = client.get(page(ticket)).content.decode()
        assert f"<dt>{fr('Beneficiary')}</dt>" in html and "Paul Durand" in html
        assert f"<dt>{fr('Requester')}</dt>" in html and requester.get_display_name() in html

    def test_no_beneficiary_line_for_oneself(self, logged, ticket):
        html = logged.get(page(ticket)).content.decode()
        assert f"<dt>{fr('Beneficiary')}</dt>" not in html

    def test_it_shows_the_urgency_and_the_place(self, logged, requester):
        office = LocationFactory(name="Bureau 204")
        ticket = make_ticket(
            requester=requester,
            urgency=4,
            location_mode=Ticket.LocationMode.REMOTE,
            location=office,
        )
        html = logged.get(page(ticket)).content.decode()
        with override("fr"):
            urgency, mode = ticket.get_urgency_display(), ticket.get_location_mode_display()
        assert f"<dt>{fr('Urgency')}</dt>" in html
        assert f"{urgency}\n" in html and mode in html
        assert f"<dt>{fr('Location type')}</dt>" in html and str(office) in html


def test_odd_digits_in_numbers_are_ignored_not_crashed(logged, ticket):
    response = logged.get(reverse("portal:my-tickets"), {"q": "²"})
    assert response.status_code == 200
    response = logged.get(reverse("portal:theme-form", args=["mail"]), {"suite": "١٢"})
    assert response.status_code == 200
    assert logged.get(reverse("portal:my-tickets"), {"q": "9" * 40}).status_code == 200


def test_uploaded_files_have_no_public_address(client, ticket, requester, settings):
    settings.DEBUG = True
    document = services.document_add(
        ticket=ticket, author=requester, file=SimpleUploadedFile("a.txt", b"secret")
    )
    assert client.get("/" + document.file.name).status_code == 404
    assert client.get("/media/" + document.file.name).status_code == 404


class TestQueryCount:
    """The page costs as many queries for 50 public items as for one."""

    def count(self, client, ticket, shown):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page(ticket))
        assert len(response.context["timeline"]) == shown
        return len(queries)

    def add_items(self, ticket, requester, technicians, article):
        """Add 48 public items: 12 messages, 12 files, 12 solutions each refused with a reason.

        The reasons go with their solutions, so the timeline shows 36 of them.
        """
        for index in range(12):
            author = technicians[index % len(technicians)]
            services.followup_add(ticket=ticket, author=author, content=f"Message {index}")
            services.document_add(
                ticket=ticket, author=requester, file=SimpleUploadedFile(f"{index}.txt", b"log")
            )
            solution = services.solution_propose(ticket=ticket, author=author, content="Essayez")
            knowledge_services.solution_link_article(
                solution=solution, article=article, author=author
            )
            services.solution_refuse(ticket=ticket, actor=requester, reason="Toujours en panne")

    def test_it_shows_1_item_or_50_in_as_many_queries(self, logged, ticket, requester, technician):
        technicians = [technician, make_technician(ticket.team), make_technician(ticket.team)]
        article = knowledge_services.article_create(
            author=technician, title="Vider le cache", body="<p>Texte</p>", visibility="public"
        )
        services.ticket_take(ticket=ticket, actor=technician)
        services.followup_add(ticket=ticket, author=technician, content="Pouvez-vous redémarrer ?")
        one = self.count(logged, ticket, 1)
        self.add_items(ticket, requester, technicians, article)
        services.followup_add(ticket=ticket, author=requester, content="Toujours rien")
        # Session, user, the ticket, one query per kind of item and one for their people,
        # its observers (the authors' roles), teams, held tasks and the links; the session
        # is not written again.
        assert (one, self.count(logged, ticket, 38)) == (12, 12)
