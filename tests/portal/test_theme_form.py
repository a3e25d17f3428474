import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from portal.models import PendingUpload, ThemeQuestion
from tests.factories import LocationFactory, TeamFactory, ThemeFactory, UserFactory, png_bytes
from tickets.models import RoutingRule, Ticket

Kind = ThemeQuestion.Kind


@pytest.fixture
def office(db):
    campus = LocationFactory(name="Campus Saint-Germain")
    return LocationFactory(name="Bureau 204", parent=campus)


@pytest.fixture
def mail_team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def theme(db, mail_team):
    theme = ThemeFactory(name="Messagerie", slug="messagerie")
    RoutingRule.objects.create(name="Messagerie", theme=theme, team=mail_team)
    return theme


@pytest.fixture
def requester(db, office):
    return UserFactory(username="claire", default_location=office)


@pytest.fixture
def logged(client, requester):
    client.force_login(requester)
    return client


def url(theme):
    return reverse("portal:theme-form", args=[theme.slug])


def file_errors(html: str) -> str:
    return html.split('id="id_files_error"')[1].split("</ul>")[0]


def valid_data(office, **extra):
    data = {
        "title": "Je ne reçois plus de courriels",
        "for_whom": "me",
        "urgency": "3",
        "location_mode": "onsite",
        "location": office.full_name,
        "type": "incident",
        "description": "Depuis ce matin",
        "description_format": "",
    }
    data.update(extra)
    return data


def test_the_form_shows_the_brief_labels_in_french(logged, theme, office):
    html = logged.get(url(theme)).content.decode()
    for label in [
        "Objet",
        "Je sollicite le support informatique",
        "Pour une autre personne",
        "Sélectionnez l&#x27;urgence de votre besoin",
        "Type de localisation",
        "Sur site (ou bureau)",
        "En télétravail",
        "Sélectionnez votre besoin",
        "Déclarer un incident",
        "Déposer une demande",
        "Informations complémentaires",
        "Joindre un fichier",
        "50 Mio maximum",
        "Glissez et déposez",
        "Envoyer",
    ]:
        assert label in html, label
    assert f'value="{escape(office.full_name)}"' in html  # the user's default location


def test_submitting_creates_a_routed_ticket_and_confirms_its_number(
    logged, theme, office, requester, mail_team
):
    response = logged.post(url(theme), valid_data(office))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket-sent", args=[ticket.pk])
    assert ticket.requester == requester and ticket.beneficiary == requester
    assert ticket.team == mail_team
    assert ticket.theme == theme and ticket.location == office
    assert ticket.source == Ticket.Source.PORTAL
    assert ticket.description == "<p>Depuis ce matin</p>"
    page = logged.get(response["Location"]).content.decode()
    assert f"numéro {ticket.pk}" in page
    assert "DSIN - Messagerie" in page


def test_fields_the_form_does_not_offer_are_ignored(logged, theme, office, requester):
    intruder = UserFactory()
    other_team = TeamFactory()
    data = valid_data(
        office,
        status="6",
        team=str(other_team.pk),
        assignee=str(intruder.pk),
        priority="6",
        requester=str(intruder.pk),
        source="phone",
    )
    logged.post(url(theme), data)
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.NEW
    assert ticket.team != other_team
    assert ticket.assignee is None
    assert ticket.priority == 3
    assert ticket.requester == requester
    assert ticket.source == Ticket.Source.PORTAL


def test_for_someone_else_makes_them_the_beneficiary(logged, theme, office, requester):
    colleague = UserFactory(first_name="Paul", last_name="Durand", email="paul@univ.example")
    data = valid_data(office, for_whom="other", beneficiary="Paul Durand <paul@univ.example>")
    logged.post(url(theme), data)
    ticket = Ticket.objects.get()
    assert ticket.beneficiary == colleague and ticket.requester == requester


def test_for_someone_else_needs_a_known_person(logged, theme, office):
    response = logged.post(url(theme), valid_data(office, for_whom="other", beneficiary="Paul"))
    assert response.status_code == 400
    assert "Choisissez la personne dans la liste" in response.content.decode()
    assert not Ticket.objects.exists()


def test_missing_fields_come_back_with_a_summary_and_everything_typed(logged, theme, office):
    data = valid_data(office, title="", type="", description="Mon texte")
    response = logged.post(url(theme), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert 'href="#id_title"' in html
    assert 'href="#id_type_0"' in html
    assert "Mon texte" in html
    assert f'value="{escape(office.full_name)}"' in html
    assert "<title>" in html and "Erreur" in html.split("</title>")[0]


def test_an_unknown_location_is_refused(logged, theme, office):
    response = logged.post(url(theme), valid_data(office, location="Nulle part"))
    assert response.status_code == 400
    assert "Choisissez un lieu dans la liste" in response.content.decode()


def test_html_in_the_text_is_kept_inert(logged, theme, office):
    logged.post(url(theme), valid_data(office, description="<script>alert(1)</script> <b>x</b>"))
    ticket = Ticket.objects.get()
    assert "<script>" not in ticket.description
    assert "&lt;script&gt;" in ticket.description  # shown as text, never run
    logged.post(
        url(theme),
        valid_data(
            office,
            title="Deux",
            description='<b>gras</b><img src=x onerror="alert(1)"><a href="javascript:x">l</a>',
            description_format="html",
        ),
    )
    rich = Ticket.objects.get(title="Deux").description
    assert "<b>gras</b>" in rich
    assert "onerror" not in rich and "javascript:" not in rich


class TestFiles:
    def test_files_are_attached_to_the_ticket(self, logged, theme, office):
        data = valid_data(office)
        data["files"] = [
            SimpleUploadedFile("capture.png", png_bytes(), content_type="image/png"),
            SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain"),
        ]
        logged.post(url(theme), data)
        names = sorted(Ticket.objects.get().documents.values_list("original_name", flat=True))
        assert names == ["capture.png", "notes.txt"]

    def test_a_refused_file_is_named_and_the_others_are_kept(
        self, logged, theme, office, settings, requester
    ):
        settings.HELP_MAX_UPLOAD_MB = 1
        data = valid_data(office, description="Ne pas perdre ceci")
        data["files"] = [
            SimpleUploadedFile("gros.zip", b"x" * (1024 * 1024 + 1)),
            SimpleUploadedFile("virus.exe", b"MZ...."),
            SimpleUploadedFile("capture.png", png_bytes(), content_type="image/png"),
        ]
        response = logged.post(url(theme), data)
        html = response.content.decode()
        assert response.status_code == 400
        errors = file_errors(html)
        assert "gros.zip" in errors and "1" in errors and "Mio" in errors
        assert "virus.exe" in errors and "capture.png" not in errors
        assert "Ne pas perdre ceci" in html
        assert not Ticket.objects.exists()
        kept = PendingUpload.objects.get()
        assert kept.original_name == "capture.png" and kept.owner == requester
        assert re.search(rf'name="pending"\s+value="{kept.pk}"', html)
        # Sent again with the kept file only: it reaches the ticket, and the copy is gone.
        data = valid_data(office, pending=[str(kept.pk)])
        logged.post(url(theme), data)
        document = Ticket.objects.get().documents.get()
        assert document.original_name == "capture.png"
        assert document.file.read() == png_bytes()
        assert not PendingUpload.objects.exists()

    def test_someone_elses_kept_file_cannot_be_claimed(self, logged, theme, office):
        theirs = PendingUpload.objects.create(
            owner=UserFactory(), original_name="secret.pdf", file="pending/x.pdf"
        )
        logged.post(url(theme), valid_data(office, pending=[str(theirs.pk)]))
        assert not Ticket.objects.get().documents.exists()
        assert PendingUpload.objects.filter(pk=theirs.pk).exists()

    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [
            ("page.html", b"<p>x</p>", "text/html"),
            ("image.svg", b"<svg></svg>", "image/svg+xml"),
            ("rapport.pdf", b"<!DOCTYPE html><script>", "application/pdf"),
            ("photo.png", b"<svg onload=alert(1)>", "image/png"),
        ],
    )
    def test_pages_and_svg_are_refused_whatever_their_name(
        self, logged, theme, office, name, content, content_type
    ):
        data = valid_data(office)
        data["files"] = [SimpleUploadedFile(name, content, content_type=content_type)]
        response = logged.post(url(theme), data)
        assert response.status_code == 400
        assert name in file_errors(response.content.decode())

    def test_large_uploads_stream_to_disk_and_stop_at_the_limit(
        self, logged, theme, office, settings, monkeypatch
    ):
        settings.HELP_MAX_UPLOAD_MB = 1
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # so this request goes to disk
        seen = {}
        from core import files as uploads

        real_check = uploads.check_upload

        def spy(file):
            file.seek(0, 2)
            seen[file.name] = (type(file).__name__, file.tell(), file.size)
            file.seek(0)
            real_check(file)

        monkeypatch.setattr("portal.forms.check_upload", spy)
        data = valid_data(office)
        data["files"] = [
            SimpleUploadedFile("video.mp4", b"0" * (3 * 1024 * 1024)),
            SimpleUploadedFile("notes.txt", b"n" * (200 * 1024)),
        ]
        response = logged.post(url(theme), data)
        assert "video.mp4" in file_errors(response.content.decode())
        kind, kept_bytes, size = seen["video.mp4"]
        assert kind == "TemporaryUploadedFile"
        assert size == 3 * 1024 * 1024  # refused by its real size...
        assert kept_bytes <= 1024 * 1024  # ...without writing more than the limit
        assert seen["notes.txt"][0] == "TemporaryUploadedFile"


class TestThemeQuestions:
    @pytest.fixture
    def questions(self, theme):
        device = ThemeQuestion.objects.create(
            theme=theme,
            label="Sur quel appareil ?",
            kind=Kind.CHOICE,
            choices="Ordinateur\nTéléphone",
            required=True,
            position=1,
        )
        model = ThemeQuestion.objects.create(
            theme=theme,
            label="Modèle du téléphone",
            kind=Kind.TEXT,
            required=True,
            position=2,
            show_if_question=device,
            show_if_value="Téléphone",
        )
        shared = ThemeQuestion.objects.create(
            theme=theme, label="Boîte partagée ?", kind=Kind.YES_NO, position=3
        )
        since = ThemeQuestion.objects.create(
            theme=theme, label="Depuis quand ?", kind=Kind.DATE, position=4, help_text="Date"
        )
        return device, model, shared, since

    def test_they_are_shown_with_their_help(self, logged, theme, questions):
        html = logged.get(url(theme)).content.decode()
        assert "Sur quel appareil ? *" in html
        assert "Modèle du téléphone" in html
        assert f'data-show-if="q_{questions[0].pk}"' in html
        assert 'type="date"' in html

    def test_answers_are_stored_labelled_in_order(self, logged, theme, office, questions):
        device, model, shared, since = questions
        data = valid_data(
            office,
            **{
                device.field_name: "Téléphone",
                model.field_name: "Fairphone 5",
                shared.field_name: "yes",
                since.field_name: "2026-11-20",
            },
        )
        logged.post(url(theme), data)
        assert Ticket.objects.get().answers == [
            {"question": device.pk, "label": "Sur quel appareil ?", "value": "Téléphone"},
            {"question": model.pk, "label": "Modèle du téléphone", "value": "Fairphone 5"},
            {"question": shared.pk, "label": "Boîte partagée ?", "value": "Oui"},
            {"question": since.pk, "label": "Depuis quand ?", "value": "2026-11-20"},
        ]

    def test_a_shown_required_question_must_be_answered(self, logged, theme, office, questions):
        device, model, *_ = questions
        response = logged.post(url(theme), valid_data(office, **{device.field_name: "Téléphone"}))
        assert response.status_code == 400
        assert f'href="#id_{model.field_name}"' in response.content.decode()

    def test_a_hidden_question_is_not_required_and_its_answer_is_dropped(
        self, logged, theme, office, questions
    ):
        device, model, *_ = questions
        data = valid_data(
            office, **{device.field_name: "Ordinateur", model.field_name: "forged answer"}
        )
        response = logged.post(url(theme), data)
        assert response.status_code == 302
        labels = [answer["label"] for answer in Ticket.objects.get().answers]
        assert labels == ["Sur quel appareil ?"]

    def test_a_required_question_with_no_answer_is_refused(self, logged, theme, office, questions):
        response = logged.post(url(theme), valid_data(office))
        assert response.status_code == 400
        assert not Ticket.objects.exists()

    def test_a_person_question_stores_the_person(self, logged, theme, office):
        question = ThemeQuestion.objects.create(theme=theme, label="Responsable", kind=Kind.PERSON)
        UserFactory(first_name="Anne", last_name="Fournier", email="anne@univ.example")
        data = valid_data(office, **{question.field_name: "anne@univ.example"})
        logged.post(url(theme), data)
        assert Ticket.objects.get().answers[0]["value"] == "Anne Fournier <anne@univ.example>"


class TestCatalogue:
    def test_tiles_link_to_the_forms_with_icon_and_description(self, logged, theme):
        theme.description = "Courriel et agenda"
        theme.icon = "mail"
        theme.save()
        html = logged.get(reverse("portal:home")).content.decode()
        assert url(theme) in html
        assert "Courriel et agenda" in html
        assert "img/themes/mail.svg" in html

    def test_a_theme_with_sub_themes_lists_them(self, logged):
        parent = ThemeFactory(name="Applications métiers", slug="applis")
        ThemeFactory(name="Finances (SIFAC)", slug="sifac", parent=parent)
        ThemeFactory(name="Ancienne appli", slug="old", parent=parent, is_active=False)
        html = logged.get(url(parent)).content.decode()
        assert "Finances (SIFAC)" in html and "Ancienne appli" not in html
        assert reverse("portal:theme-form", args=["sifac"]) in html

    def test_an_inactive_theme_answers_404(self, logged):
        off = ThemeFactory(is_active=False)
        assert logged.get(url(off)).status_code == 404
        parent = ThemeFactory(is_active=False)
        child = ThemeFactory(parent=parent)
        assert logged.get(url(child)).status_code == 404

    def test_every_page_needs_a_login(self, client, theme):
        for name, args in [
            ("portal:home", []),
            ("portal:theme-form", [theme.slug]),
            ("portal:people", []),
            ("portal:places", []),
        ]:
            response = client.get(reverse(name, args=args))
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("account_login"))


def test_the_people_search_finds_by_name_or_email(logged):
    UserFactory(first_name="Paul", last_name="Durand", email="paul.durand@univ.example")
    UserFactory(first_name="Pauline", last_name="Gone", is_active=False)
    html = logged.get(reverse("portal:people"), {"q": "durand"}).content.decode()
    assert "Paul Durand &lt;paul.durand@univ.example&gt;" in html
    assert logged.get(reverse("portal:people"), {"q": "gone"}).content.decode().strip() == ""
    assert logged.get(reverse("portal:people"), {"q": "p"}).content.decode().strip() == ""


def test_the_place_search_matches_every_word(logged, office):
    html = logged.get(reverse("portal:places"), {"q": "germain 204"}).content.decode()
    assert escape(office.full_name) in html


def test_questions_that_depend_on_each_other_are_refused(theme):
    from django.core.exceptions import ValidationError

    first = ThemeQuestion.objects.create(theme=theme, label="A", kind=Kind.YES_NO)
    second = ThemeQuestion.objects.create(
        theme=theme, label="B", kind=Kind.YES_NO, show_if_question=first, show_if_value="yes"
    )
    first.show_if_question, first.show_if_value = second, "yes"
    with pytest.raises(ValidationError):
        first.full_clean()
    first.save()  # saved anyway, bypassing admin: the form must still not loop
    assert TicketFormProbe(theme).shown() == []


class TicketFormProbe:
    def __init__(self, theme):
        from portal.forms import TicketForm

        self.questions = list(theme.questions.select_related("show_if_question"))
        self.form = TicketForm(user=UserFactory(), questions=self.questions)

    def shown(self):
        return [q.label for q in self.questions if self.form.is_shown(q)]


def test_an_admins_help_text_is_shown_as_text(logged, theme):
    ThemeQuestion.objects.create(theme=theme, label="Q", help_text="<img src=x onerror=alert(1)>")
    html = logged.get(url(theme)).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_the_faq_suggestions_box_holds_nothing_until_there_are_suggestions(logged, theme, office):
    html = logged.get(url(theme)).content.decode()
    # Nothing inside, not even whitespace: the box is drawn only around suggestions.
    assert '<div id="faq-suggestions" class="suggestions" aria-live="polite"></div>' in html
