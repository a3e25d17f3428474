"""A requester's whole journey in a real browser, with axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import ThemeQuestion
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import LocationFactory, TeamFactory, ThemeFactory, UserFactory, png_bytes
from tickets import services
from tickets.models import RoutingRule, TeamMembership, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def university(transactional_db):
    campus = LocationFactory(name="Campus Saint-Germain")
    office = LocationFactory(name="Bureau 204", parent=campus)
    team = TeamFactory(name="DSIN - Messagerie")
    technician = UserFactory(username="karim", first_name="Karim", last_name="Moreau")
    TeamMembership.objects.create(team=team, user=technician)
    mail = ThemeFactory(
        name="Messagerie", slug="messagerie", icon="mail", description="Courriel et agenda"
    )
    ThemeFactory(name="Impression", slug="impression", icon="printer", position=5)
    RoutingRule.objects.create(name="Messagerie", theme=mail, team=team)
    requester = UserFactory(
        username="claire", first_name="Claire", last_name="Martin", default_location=office
    )
    colleague = UserFactory(
        username="paul", first_name="Paul", last_name="Durand", email="paul.durand@univ.example"
    )
    return {"mail": mail, "technician": technician, "requester": requester, "colleague": colleague}


def test_a_requester_files_follows_refuses_then_accepts(page, university, tmp_path):
    log_in(page, "claire")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quel est l'objet")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Messagerie")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messagerie")
    assert_accessible(page)

    # Sent empty: the summary lists the errors, takes the focus, and the page stays usable.
    page.get_by_label("Objet").fill("")
    page.get_by_role("button", name="Envoyer").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("Objet"))).to_be_visible()
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("Objet")).click()
    expect(page.get_by_label("Objet")).to_be_focused()

    page.get_by_label("Objet").fill("Je ne reçois plus de courriels")
    beneficiary = page.get_by_label("Personne concernée")
    expect(beneficiary).to_be_hidden()
    page.get_by_label("Pour une autre personne").check()
    expect(beneficiary).to_be_visible()
    beneficiary.fill("Durand")
    page.locator("ul[role=listbox] [role=option]", has_text="Paul Durand").click()
    expect(beneficiary).to_have_value("Paul Durand <paul.durand@univ.example>")
    expect(page.get_by_label(re.compile("Sélectionnez le lieu"))).to_have_value(
        "Campus Saint-Germain > Bureau 204"
    )
    page.get_by_label(re.compile("Déclarer un incident")).check()
    editor = page.get_by_role("textbox", name=re.compile("Informations complémentaires"))
    editor.click()
    page.keyboard.type("Depuis ce matin, ")
    page.get_by_role("button", name="Gras").click()
    page.keyboard.type("aucun message")
    screenshot = tmp_path / "capture.png"
    screenshot.write_bytes(png_bytes())
    page.locator("#id_files").set_input_files(str(screenshot))
    expect(page.locator(".file-list")).to_contain_text("capture.png")
    page.get_by_role("button", name="Envoyer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("a bien été envoyé")
    ticket = Ticket.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(ticket.pk))
    assert_accessible(page)
    assert ticket.beneficiary == university["colleague"]
    assert ticket.team.name == "DSIN - Messagerie"
    assert "<b>aucun message</b>" in ticket.description
    assert ticket.documents.get().original_name == "capture.png"

    page.get_by_role("link", name="Mes demandes d'assistance").first.click()
    row = page.get_by_role("row", name=re.compile("Je ne reçois plus"))
    expect(row).to_contain_text("Nouveau")
    assert_accessible(page)

    technician = university["technician"]
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Videz la corbeille.")

    row.get_by_role("link").click()
    expect(page.locator(".decision")).to_contain_text("Videz la corbeille.")
    expect(page.get_by_text(re.compile("clos automatiquement le"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Refuser la solution").click()
    expect(page.locator(".error-summary")).to_be_visible()  # a reason is required
    assert_accessible(page)
    page.get_by_label(re.compile("indiquez pourquoi")).fill("La corbeille est déjà vide.")
    page.get_by_role("button", name="Refuser la solution").click()
    expect(page.get_by_text("La corbeille est déjà vide.")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.ASSIGNED

    services.solution_propose(ticket=ticket, author=technician, content="Quota augmenté.")
    page.reload()
    page.get_by_role("button", name="Accepter la solution").click()
    expect(page.get_by_role("heading", name="Ce ticket est clos")).to_be_visible()
    assert_accessible(page)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


def test_a_keyboard_only_requester_can_file_a_ticket(page, university):
    log_in(page, "claire")
    page.goto("/themes/messagerie/")
    page.get_by_label("Objet").focus()
    page.keyboard.type("Clavier seulement")
    for _ in range(40):  # walk the form with Tab until the incident choice
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "incident":
            break
    page.keyboard.press("Space")
    expect(page.get_by_label(re.compile("Déclarer un incident"))).to_be_checked()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Envoyer":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("a bien été envoyé")
    assert Ticket.objects.get().title == "Clavier seulement"


def test_a_pasted_screenshot_becomes_a_file(page, university):
    log_in(page, "claire")
    page.goto("/themes/messagerie/")
    page.get_by_label("Objet").fill("Message d'erreur")
    page.get_by_label(re.compile("Déclarer un incident")).check()
    page.get_by_label("Objet").evaluate(
        """(input, bytes) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "image.png",
                                        {type: "image/png"}));
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer,
                                                              bubbles: true}));
        }""",
        list(png_bytes()),
    )
    expect(page.locator(".file-list")).to_contain_text("copie-ecran")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("a bien été envoyé")
    assert Ticket.objects.get().documents.get().original_name.startswith("copie-ecran-")


def test_a_file_too_large_is_named_and_nothing_else_is_lost(page, university, settings, tmp_path):
    settings.HELP_MAX_UPLOAD_MB = 1
    log_in(page, "claire")
    page.goto("/themes/messagerie/")
    page.get_by_label("Objet").fill("Pièces jointes")
    page.get_by_label(re.compile("Déclarer un incident")).check()
    big, small = tmp_path / "video.mp4", tmp_path / "notes.txt"
    big.write_bytes(b"0" * (1024 * 1024 + 10))
    small.write_bytes(b"notes")
    page.locator("#id_files").set_input_files([str(big), str(small)])
    expect(page.locator(".file-list .too-large")).to_contain_text("video.mp4")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".error-summary")).to_contain_text("video.mp4")
    expect(page.get_by_label("Objet")).to_have_value("Pièces jointes")
    expect(page.get_by_label(re.compile("notes.txt"))).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("a bien été envoyé")
    assert Ticket.objects.get().documents.get().original_name == "notes.txt"


def test_a_conditional_question_appears_only_when_it_applies(page, university):
    mail = university["mail"]
    device = ThemeQuestion.objects.create(
        theme=mail, label="Sur quel appareil ?", kind="choice", choices="Ordinateur\nTéléphone"
    )
    ThemeQuestion.objects.create(
        theme=mail,
        label="Modèle du téléphone",
        kind="text",
        required=True,
        show_if_question=device,
        show_if_value="Téléphone",
    )
    log_in(page, "claire")
    page.goto("/themes/messagerie/")
    model = page.get_by_label(re.compile("Modèle du téléphone"))
    expect(model).to_be_hidden()
    page.get_by_label("Téléphone", exact=True).check()
    expect(model).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Ordinateur").check()
    expect(model).to_be_hidden()


def test_files_dropped_on_the_zone_are_attached(page, university):
    log_in(page, "claire")
    page.goto("/themes/messagerie/")
    page.get_by_label("Objet").fill("Glisser-déposer")
    page.get_by_label(re.compile("Déclarer un incident")).check()
    page.locator(".dropzone").evaluate(
        """(zone) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["premier"], "un.txt", {type: "text/plain"}));
            transfer.items.add(new File(["second"], "deux.txt", {type: "text/plain"}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true,
                                                      cancelable: true}));
        }"""
    )
    expect(page.locator(".file-list li")).to_have_count(2)
    page.get_by_role("button", name="Retirer un.txt").click()
    expect(page.locator(".file-list li")).to_have_count(1)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("a bien été envoyé")
    names = list(Ticket.objects.get().documents.values_list("original_name", flat=True))
    assert names == ["deux.txt"]


def test_the_profile_page_is_accessible_and_saves(page, university):
    log_in(page, "claire")
    page.get_by_role("link", name="Claire Martin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    assert_accessible(page)
    page.get_by_label("Un suivi est ajouté").uncheck()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Votre profil est enregistré")
    university["requester"].refresh_from_db()
    assert university["requester"].muted_notifications == ["followup_added"]


def test_a_message_while_a_solution_waits_warns_then_refuses_it(page, university):
    technician = university["technician"]
    ticket = services.ticket_create(
        requester=university["requester"], title="Pas de son", theme=university["mail"]
    )
    services.ticket_take(ticket=ticket, actor=technician)
    solution = services.solution_propose(ticket=ticket, author=technician, content="Redémarrez.")
    log_in(page, "claire")
    page.goto(f"/demandes/{ticket.pk}/")
    warning = page.locator("#content-refuses")
    expect(warning).to_be_visible()
    assert_accessible(page)
    editor = page.get_by_role("textbox", name="Votre message")
    expect(editor).to_have_attribute("aria-describedby", "content-refuses")

    # Asked again first; saying no sends nothing.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    editor.click()
    page.keyboard.type("Toujours aucun son")
    page.get_by_role("button", name="Envoyer").click()
    expect(warning).to_be_visible()
    assert len(asked) == 1
    solution.refresh_from_db()
    assert solution.status == solution.Status.WAITING

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".refusal-reason")).to_contain_text("Toujours aucun son")
    expect(page.locator("#content-refuses")).to_have_count(0)
    assert_accessible(page)
    solution.refresh_from_db()
    assert solution.status == solution.Status.REFUSED


def test_the_person_picker_tells_namesakes_apart(page, university):
    UserFactory(
        first_name="Paul", last_name="Durand", email="p.durand@univ.example", department="DFA"
    )
    log_in(page, "claire")
    page.goto("/themes/messagerie/")
    page.get_by_label("Pour une autre personne").check()
    box = page.get_by_role("combobox", name="Personne concernée")
    box.fill("durand")
    options = page.locator("#field-beneficiary [role=listbox] [role=option]")
    expect(options).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    namesake = options.filter(has_text="DFA")
    expect(namesake).to_have_text("Paul Durand — DFA — p.durand@univ.example")
    assert_accessible(page)
    # Chosen with the keyboard: the arrows move through the list, Enter takes one and
    # does not send the form.
    for _ in range(2):
        box.press("ArrowDown")
        if box.get_attribute("aria-activedescendant") == namesake.get_attribute("id"):
            break
    expect(namesake).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("Paul Durand <p.durand@univ.example>")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.url.endswith("/themes/messagerie/")
    box.fill("durand")
    expect(options).to_have_count(2)
    box.press("Escape")
    expect(page.locator("#field-beneficiary [role=listbox]")).to_be_hidden()


def test_the_person_picker_says_when_searches_are_too_many(page, university, monkeypatch):
    from portal import views

    monkeypatch.setattr(views, "PEOPLE_SEARCHES_PER_MINUTE", 1)
    log_in(page, "claire")
    page.goto("/themes/messagerie/")
    page.get_by_label("Pour une autre personne").check()
    picker = page.get_by_label("Personne concernée")
    picker.fill("durand")
    suggestions = page.locator("#field-beneficiary [role=listbox] [role=option]")
    expect(suggestions).to_have_count(1)
    picker.fill("duran")
    status = page.locator("#field-beneficiary .picker-status[aria-live=polite]")
    expect(status).to_have_text(re.compile(r"\w"))
    expect(suggestions).to_have_count(0)
    assert_accessible(page)
