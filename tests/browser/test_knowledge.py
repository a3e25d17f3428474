"""The knowledge base in a real browser: writing, linking, suggesting, reading."""

import re

import pytest
from playwright.sync_api import expect

from knowledge import services
from knowledge.models import Article, SolutionArticle
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import TeamFactory, ThemeFactory, UserFactory, make_technician, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(transactional_db):
    team = TeamFactory(name="DSIN - Réseau")
    return {
        "technician": make_technician(team, username="sophie", first_name="Sophie"),
        "requester": UserFactory(username="claire", first_name="Claire", last_name="Martin"),
        "team": team,
    }


def test_a_technician_writes_an_article_and_links_it_in_a_solution(page, people):
    ticket = make_ticket(requester=people["requester"], team=people["team"], title="VPN coupé")
    log_in(page, "sophie")
    page.goto("/intervention/base-de-connaissances/nouveau/")
    assert_accessible(page)
    page.get_by_label("Titre").fill("Configurer le VPN")
    page.get_by_label("Mots-clés").fill("vpn, télétravail")
    page.get_by_label("Tout le monde (FAQ)").check()
    page.get_by_role("textbox", name="Texte").click()
    page.keyboard.type("Installez le client VPN, puis connectez-vous.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurer le VPN")
    article = Article.objects.get()

    page.goto(f"/intervention/tickets/{ticket.pk}/")
    page.get_by_role("tab", name="Solution").click()  # the composer shows one action at a time
    page.get_by_role("textbox", name="Solution").fill("Voir l'article joint.")
    link = page.get_by_label("Lier un article de la base de connaissances")
    link.fill("vpn")
    found = page.locator("ul[role=listbox] [role=option]")
    expect(found).to_have_count(1)
    found.click()
    expect(link).to_have_value(f"Configurer le VPN (#{article.pk})")
    page.get_by_role("button", name="Envoyer la solution").click()
    expect(page.locator(".timeline")).to_contain_text("Configurer le VPN")
    assert SolutionArticle.objects.get().article == article

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "claire")
    page.goto(f"/demandes/{ticket.pk}/")
    page.locator(".decision").get_by_role("link", name="Configurer le VPN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurer le VPN")
    assert_accessible(page)
    page.get_by_role("button", name="Oui").click()
    expect(page.locator(".vote")).to_contain_text("Merci")


def test_a_requester_typing_vpn_sees_the_vpn_article(page, people):
    services.article_create(
        author=people["technician"],
        title="Configurer le VPN",
        body="<p>Installez le client.</p>",
        keywords="vpn",
        visibility=Article.Visibility.PUBLIC,
    )
    ThemeFactory(name="Wifi - VPN - internet - connexion - câblage", slug="wifi-vpn-internet")
    log_in(page, "claire")
    page.goto("/themes/wifi-vpn-internet/")
    box = page.locator("#faq-suggestions")
    assert box.bounding_box()["height"] == 0  # no empty bar under "Objet"
    with page.expect_response(re.compile("/faq/suggestions/")):
        page.get_by_label("Objet").fill("Imprimante")  # nothing matches: a blank answer
    page.wait_for_load_state("networkidle")
    assert box.bounding_box()["height"] == 0
    page.get_by_label("Objet").fill("")
    page.get_by_label("Objet").press_sequentially("Mon vpn", delay=50)
    suggestion = page.locator("#faq-suggestions").get_by_role(
        "link", name=re.compile("Configurer le VPN")
    )
    expect(suggestion).to_be_visible()
    expect(suggestion).to_have_attribute("target", "_blank")  # the form stays where it is
    expect(page.get_by_label("Objet")).to_have_value("Mon vpn")
    assert_accessible(page)

    page.goto("/faq/")
    expect(page.get_by_role("link", name="Configurer le VPN")).to_be_visible()
    assert_accessible(page)
