import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge import selectors, services
from knowledge.models import Article, SolutionArticle
from tests.factories import (
    CategoryFactory,
    TeamFactory,
    UserFactory,
    make_technician,
    make_ticket,
    pdf_bytes,
    png_bytes,
)
from tickets import services as ticket_services

PUBLIC, INTERNAL = Article.Visibility.PUBLIC, Article.Visibility.INTERNAL


@pytest.fixture
def technician(db):
    return make_technician(TeamFactory(name="DSIN - Réseau"))


@pytest.fixture
def other_team_technician(db):
    return make_technician(TeamFactory(name="UFR Sciences"))


@pytest.fixture
def requester(db):
    return UserFactory()


def write(author, title, body="<p>Texte</p>", visibility=PUBLIC, keywords="", category=None):
    return services.article_create(
        author=author,
        title=title,
        body=body,
        visibility=visibility,
        keywords=keywords,
        category=category,
    )


@pytest.fixture
def articles(technician):
    return {
        "vpn": write(
            technician,
            "Configurer le VPN",
            "<p>Installez le client</p>",
            PUBLIC,
            "vpn, télétravail",
        ),
        "printer": write(
            technician, "Ajouter une imprimante", "<p>Pilote</p>", PUBLIC, "imprimante"
        ),
        "internal": write(
            technician, "Procédure VPN interne", "<p>Console du pare-feu</p>", INTERNAL, "vpn"
        ),
    }


class TestVisibility:
    def test_a_requester_never_sees_an_internal_article(self, client, requester, articles):
        client.force_login(requester)
        internal = articles["internal"]
        assert client.get(reverse("knowledge:faq-article", args=[internal.pk])).status_code == 404
        assert (
            "Procédure VPN interne"
            not in client.get(reverse("knowledge:faq"), {"q": "vpn"}).content.decode()
        )
        html = client.get(reverse("knowledge:suggestions"), {"title": "vpn"}).content.decode()
        assert "Configurer le VPN" in html and "interne" not in html
        attachment = services.attachment_add(
            article=internal,
            author=internal.author,
            file=SimpleUploadedFile("plan.pdf", pdf_bytes()),
        )
        url = reverse("knowledge:attachment", args=[internal.pk, attachment.pk])
        assert client.get(url).status_code == 404
        assert client.get(reverse("knowledge:list")).status_code == 404
        assert client.get(reverse("knowledge:detail", args=[internal.pk])).status_code == 404

    def test_every_technician_of_every_team_reads_internal_articles(
        self, client, other_team_technician, articles
    ):
        client.force_login(other_team_technician)
        html = client.get(reverse("knowledge:list"), {"q": "vpn"}).content.decode()
        assert "Procédure VPN interne" in html
        assert (
            client.get(reverse("knowledge:detail", args=[articles["internal"].pk])).status_code
            == 200
        )

    def test_only_technicians_write(self, client, requester, articles):
        client.force_login(requester)
        assert client.get(reverse("knowledge:create")).status_code == 404
        response = client.post(
            reverse("knowledge:edit", args=[articles["vpn"].pk]),
            {"title": "Piraté", "body": "x", "visibility": PUBLIC},
        )
        assert response.status_code == 404
        with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
            write(requester, "Non")

    def test_a_public_attachment_is_served_as_a_download(self, client, requester, articles):
        attachment = services.attachment_add(
            article=articles["vpn"],
            author=articles["vpn"].author,
            file=SimpleUploadedFile("guide.pdf", pdf_bytes()),
        )
        client.force_login(requester)
        response = client.get(
            reverse("knowledge:attachment", args=[articles["vpn"].pk, attachment.pk])
        )
        assert response["Content-Disposition"].startswith("attachment")


class TestRevisions:
    def test_each_change_keeps_the_previous_text_and_one_can_restore_it(self, technician, articles):
        vpn = articles["vpn"]
        colleague = make_technician(TeamFactory())
        services.article_update(article=vpn, author=colleague, body="<p>Nouvelle version</p>")
        vpn.refresh_from_db()
        assert vpn.body == "<p>Nouvelle version</p>"
        revision = vpn.revisions.get()
        assert revision.body == "<p>Installez le client</p>" and revision.author == colleague
        services.article_restore(revision=revision, author=technician)
        vpn.refresh_from_db()
        assert vpn.body == "<p>Installez le client</p>"
        assert vpn.revisions.count() == 2  # the replaced text is kept too

    def test_an_unchanged_save_keeps_no_revision(self, technician, articles):
        services.article_update(
            article=articles["vpn"], author=technician, title="Configurer le VPN"
        )
        assert not articles["vpn"].revisions.exists()

    def test_the_text_is_sanitised(self, technician):
        article = write(technician, "XSS", '<p onclick="x">ok</p><script>alert(1)</script>')
        assert article.body == "<p>ok</p>"

    def test_restore_through_the_page(self, client, technician, articles):
        services.article_update(article=articles["vpn"], author=technician, title="Autre titre")
        revision = articles["vpn"].revisions.get()
        client.force_login(technician)
        response = client.post(reverse("knowledge:restore", args=[articles["vpn"].pk, revision.pk]))
        assert response.status_code == 302
        articles["vpn"].refresh_from_db()
        assert articles["vpn"].title == "Configurer le VPN"


class TestSearch:
    def test_the_relevant_article_comes_first(self, technician):
        write(technician, "Messagerie : quota", "<p>Parfois le vpn ralentit la messagerie.</p>")
        write(technician, "Configurer le VPN", "<p>Installer le client.</p>", keywords="vpn")
        write(technician, "Wifi eduroam", "<p>Réseau sans fil.</p>")
        titles = [a.title for a in selectors.search(Article.objects.all(), "vpn")]
        assert titles[0] == "Configurer le VPN"
        assert "Wifi eduroam" not in titles

    def test_suggestions_are_faq_only_and_at_most_five(self, client, requester, technician):
        for index in range(7):
            write(technician, f"Imprimante {index}", keywords="imprimante")
        write(technician, "Imprimante interne", visibility=INTERNAL, keywords="imprimante")
        client.force_login(requester)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(
                reverse("knowledge:suggestions"), {"title": "imprimante"}
            ).content.decode()
        assert html.count("<li>") == 5
        assert "interne" not in html
        assert len(queries) <= 8
        assert (
            client.get(reverse("knowledge:suggestions"), {"title": "im"}).content.decode().strip()
            == ""
        )

    def test_the_faq_lists_by_category(self, client, requester, technician):
        network = CategoryFactory(name="Réseau")
        article = write(technician, "Wifi eduroam")
        article.category = network
        article.save()
        client.force_login(requester)
        html = client.get(reverse("knowledge:faq")).content.decode()
        assert "Réseau" in html and "Wifi eduroam" in html


class TestVotesAndViews:
    def test_a_vote_counts_once_per_person(self, client, requester, articles):
        vpn = articles["vpn"]
        client.force_login(requester)
        client.get(reverse("knowledge:faq-article", args=[vpn.pk]))
        client.post(reverse("knowledge:vote", args=[vpn.pk]), {"helpful": "yes"})
        client.post(reverse("knowledge:vote", args=[vpn.pk]), {"helpful": "yes"})
        vpn.refresh_from_db()
        assert (vpn.views, vpn.helpful_yes, vpn.helpful_no) == (1, 1, 0)

    def test_the_back_office_shows_the_most_viewed_and_most_helpful(
        self, client, technician, articles
    ):
        Article.objects.filter(pk=articles["printer"].pk).update(views=30, helpful_yes=9)
        client.force_login(technician)
        response = client.get(reverse("knowledge:list"))
        assert list(response.context["most_viewed"])[0] == articles["printer"]
        assert list(response.context["most_helpful"])[0] == articles["printer"]


class TestQueryCounts:
    """The lists cost as many queries for 50 articles as for one."""

    def fill(self, technician, count, visibility):
        for _ in range(count):
            write(technician, "Article", visibility=visibility, category=CategoryFactory())
        # Every article in the back office's "most viewed" and "most helpful" too.
        Article.objects.update(views=3, helpful_yes=2, helpful_no=1)

    def count(self, client, url, shown):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["articles"]) == shown
        return len(queries)

    def test_it_lists_the_back_office_articles_in_as_many_queries_for_1_or_50(
        self, client, technician
    ):
        client.force_login(technician)
        url = reverse("knowledge:list")
        self.fill(technician, 1, INTERNAL)
        one = self.count(client, url, 1)
        self.fill(technician, 24, INTERNAL)
        self.fill(technician, 25, PUBLIC)
        # Session, user, teams, the search form's categories, the articles and the two top
        # fives; the session is not written again.
        assert (one, self.count(client, url, 50)) == (7, 7)

    def test_it_lists_the_faq_in_as_many_queries_for_1_or_50(self, client, requester, technician):
        client.force_login(requester)
        url = reverse("knowledge:faq")
        self.fill(technician, 1, PUBLIC)
        one = self.count(client, url, 1)
        self.fill(technician, 49, PUBLIC)
        # Session, user, teams, held tasks, the search form's categories and the articles;
        # the session is not written again.
        assert (one, self.count(client, url, 50)) == (6, 6)


class TestFromSolution:
    @pytest.fixture
    def solved(self, technician):
        ticket = make_ticket(team=technician.teams.first(), title="VPN coupé")
        ticket_services.ticket_take(ticket=ticket, actor=technician)
        solution = ticket_services.solution_propose(
            ticket=ticket, author=technician, content="<p>Mettre à jour le client</p>"
        )
        return ticket, solution

    def test_an_article_is_prefilled_from_the_solution(self, client, technician, solved):
        ticket, solution = solved
        client.force_login(technician)
        html = client.get(reverse("knowledge:create"), {"solution": solution.pk}).content.decode()
        assert "VPN coupé" in html and "Mettre à jour le client" in html

    def test_a_technician_who_may_not_see_the_ticket_gets_404(
        self, client, other_team_technician, solved
    ):
        client.force_login(other_team_technician)
        response = client.get(reverse("knowledge:create"), {"solution": solved[1].pk})
        assert response.status_code == 404

    def test_a_linked_faq_article_is_shown_to_the_requester(self, client, technician, articles):
        ticket = make_ticket(team=technician.teams.first())
        client.force_login(technician)
        response = client.post(
            reverse("backoffice:solution", args=[ticket.pk]),
            {
                "solution-content": "Voir la procédure",
                "solution-article": f"Configurer le VPN (#{articles['vpn'].pk})",
            },
        )
        assert response.status_code == 302
        assert SolutionArticle.objects.get().article == articles["vpn"]
        client.force_login(ticket.requester)
        html = client.get(reverse("portal:ticket-detail", args=[ticket.pk])).content.decode()
        assert reverse("knowledge:faq-article", args=[articles["vpn"].pk]) in html

    def test_an_internal_linked_article_stays_hidden_from_the_requester(
        self, client, technician, articles
    ):
        ticket = make_ticket(team=technician.teams.first())
        solution = ticket_services.solution_propose(ticket=ticket, author=technician, content="x")
        services.solution_link_article(
            solution=solution, article=articles["internal"], author=technician
        )
        client.force_login(ticket.requester)
        html = client.get(reverse("portal:ticket-detail", args=[ticket.pk])).content.decode()
        assert "Procédure VPN interne" not in html


def test_the_editor_saves_an_article_with_files(client, technician):
    client.force_login(technician)
    response = client.post(
        reverse("knowledge:create"),
        {
            "title": "Ajouter une imprimante",
            "keywords": "imprimante",
            "visibility": PUBLIC,
            "body": "Ouvrez les paramètres",
            "body_format": "",
            "files": [SimpleUploadedFile("capture.png", png_bytes())],
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body == "<p>Ouvrez les paramètres</p>"
    assert article.attachments.get().original_name == "capture.png"
    assert article.author == technician


def test_the_demo_has_a_dozen_french_articles(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo_data", stdout=StringIO())
    assert Article.objects.count() == 12
    assert Article.objects.filter(title__icontains="VPN", visibility=PUBLIC).exists()


def test_postgres_search_uses_the_full_text_index(db):
    from tests.conftest import needs_postgres

    needs_postgres()
    query = selectors.search(Article.objects.all(), "vpn télétravail")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "article_fulltext" in plan


def test_suggestions_match_a_sentence_not_only_every_word(client, requester, technician):
    write(technician, "Configurer le VPN", keywords="vpn")
    client.force_login(requester)
    html = client.get(reverse("knowledge:suggestions"), {"title": "Mon vpn ne marche plus"})
    assert "Configurer le VPN" in html.content.decode()
