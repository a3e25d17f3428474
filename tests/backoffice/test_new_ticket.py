"""A ticket a technician files for a caller or a visitor ("Nouveau ticket")."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from backoffice import services as backoffice_services
from backoffice.forms import NewTicketForm
from core.files import UploadRefused
from tests.factories import (
    LocationFactory,
    TeamFactory,
    ThemeFactory,
    UserFactory,
    make_technician,
    png_bytes,
)
from tests.test_odd_input import ODD
from tickets.models import Document, History, RoutingRule, Solution, Ticket

User = get_user_model()
URL = reverse("backoffice:new-ticket")


@pytest.fixture
def phone_team(db):
    return TeamFactory(name="DSIN - Téléphonie")


@pytest.fixture
def mail_team(db):
    return TeamFactory(name="DSIN - Messagerie")


@pytest.fixture
def theme(phone_team):
    theme = ThemeFactory(name="Téléphonie fixe ou mobile", slug="telephonie")
    RoutingRule.objects.create(name="Téléphonie", theme=theme, team=phone_team)
    return theme


@pytest.fixture
def office(db):
    return LocationFactory(name="Bâtiment A", parent=LocationFactory(name="Campus Nord"))


@pytest.fixture
def technician(phone_team):
    return make_technician(phone_team, username="karim", first_name="Karim", last_name="Moreau")


@pytest.fixture
def caller(db):
    return UserFactory(
        username="claire",
        email="claire.martin@univ.example",
        first_name="Claire",
        last_name="Martin",
    )


@pytest.fixture
def tech_client(client, technician):
    client.force_login(technician)
    return client


def valid_data(theme, **extra):
    data = {
        "source": "phone",
        "title": "Mon poste ne sonne plus",
        "theme": str(theme.pk),
        "type": "incident",
        "urgency": "3",
        "description": "Appel de 9 h 10",
        "description_format": "",
    }
    data.update(extra)
    return data


def french(message: str) -> str:
    """A message as the French page shows it, whether its translation is in yet or not."""
    with translation.override("fr"):
        return translation.gettext(message)


def png(name="capture.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


class TestAccess:
    def test_an_outsider_gets_404(self, client, theme):
        client.force_login(UserFactory())
        assert client.get(URL).status_code == 404
        assert client.post(URL, valid_data(theme)).status_code == 404
        assert not Ticket.objects.exists()

    def test_a_requester_gets_404(self, client, caller, theme):
        client.force_login(caller)
        assert client.get(URL).status_code == 404
        assert client.post(URL, valid_data(theme, requester=caller.email)).status_code == 404
        assert not Ticket.objects.exists()

    def test_an_expert_who_is_no_technician_gets_404(self, client, technician, theme):
        from tickets import services

        ticket = services.ticket_create(requester=UserFactory(), title="Écran", theme=theme)
        expert = UserFactory()
        services.task_add(ticket=ticket, author=technician, content="Voir", assigned_user=expert)
        client.force_login(expert)
        assert client.get(reverse("backoffice:home")).status_code == 200  # the back office
        assert client.get(URL).status_code == 404

    def test_a_deactivated_technician_gets_404(self, client, technician):
        technician.is_active = False
        technician.save()
        client.force_login(technician)
        assert client.get(URL).status_code in (302, 404)
        assert not Ticket.objects.exists()

    def test_anonymous_people_are_sent_to_the_login(self, client):
        response = client.get(URL)
        assert response.status_code == 302 and "login" in response["Location"]

    def test_only_active_technicians_see_the_link(self, client, tech_client, caller):
        page = tech_client.get(reverse("backoffice:home")).content.decode()
        assert f'href="{URL}"' in page and french("New ticket") in page


class TestPhoneTicket:
    def test_from_the_call_to_the_acceptance(
        self,
        tech_client,
        client,
        technician,
        caller,
        theme,
        office,
        phone_team,
        django_capture_on_commit_callbacks,
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = tech_client.post(
                URL,
                valid_data(
                    theme,
                    requester=caller.email,
                    location=office.full_name,
                    take="on",
                    solved="on",
                    solution="Le câble était débranché : rebranché.",
                    files=[png()],
                ),
            )
        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("backoffice:ticket", args=[ticket.pk])
        assert ticket.source == Ticket.Source.PHONE
        assert ticket.requester == caller and ticket.beneficiary == caller
        assert ticket.filed_by == technician
        assert ticket.team == phone_team and ticket.assignee == technician
        assert ticket.location == office
        assert ticket.status == Ticket.Status.SOLVED
        created = History.objects.get(ticket=ticket, field="status", old_value="")
        assert created.actor == technician
        (document,) = Document.objects.filter(ticket=ticket)
        assert document.original_name == "capture.png" and document.uploaded_by == technician
        assert not document.is_private
        solution = Solution.objects.get(ticket=ticket)
        assert solution.status == Solution.Status.WAITING

        # The caller hears of it, and learns who filed it for them; the technician does not.
        to_caller = [m for m in mail.outbox if caller.email in m.to]
        confirmation = next(m for m in to_caller if "Votre ticket est enregistré" in m.subject)
        filed_for = french("%(name)s filed this ticket for you (source: %(source)s).") % {
            "name": "Karim Moreau",
            "source": french("Phone"),
        }
        assert filed_for in confirmation.body
        assert filed_for in confirmation.alternatives[0][0]
        assert any("solution" in m.subject.lower() for m in to_caller)
        assert not [m for m in mail.outbox if technician.email in m.to]

        # The caller finds it in "Mes demandes d'assistance" and accepts the solution.
        client.force_login(caller)
        mine = client.get(reverse("portal:my-tickets")).content.decode()
        assert "Mon poste ne sonne plus" in mine
        accepted = client.post(reverse("portal:solution-accept", args=[ticket.pk]))
        assert accepted.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.CLOSED
        solution.refresh_from_db()
        assert solution.status == Solution.Status.ACCEPTED and solution.decided_by == caller

    def test_without_taking_it_the_ticket_is_routed_like_a_portal_one(
        self, tech_client, caller, theme, phone_team
    ):
        tech_client.post(URL, valid_data(theme, requester=caller.email, source="desk"))
        ticket = Ticket.objects.get()
        assert ticket.team == phone_team and ticket.assignee is None
        assert ticket.status == Ticket.Status.NEW
        assert ticket.source == Ticket.Source.DESK

    def test_routed_to_another_team_the_technician_is_told_where_it_went(
        self, tech_client, caller, mail_team, technician
    ):
        other = ThemeFactory(name="Messagerie", slug="messagerie")
        RoutingRule.objects.create(name="Messagerie", theme=other, team=mail_team)
        response = tech_client.post(
            URL, valid_data(other, requester=caller.email, files=[png()]), follow=True
        )
        ticket = Ticket.objects.get()
        assert ticket.team == mail_team and ticket.assignee is None
        assert response.redirect_chain[-1][0] == URL
        told = french("Ticket %(number)s is filed; it went to the team %(team)s.") % {
            "number": ticket.pk,
            "team": "DSIN - Messagerie",
        }
        assert escape(told) in response.content.decode()
        # Out of the technician's reach, the caller's file comes in the caller's name.
        assert Document.objects.get(ticket=ticket).uploaded_by == caller

    def test_taking_a_ticket_routed_elsewhere_brings_it_to_ones_own_team(
        self, tech_client, caller, mail_team, technician, phone_team
    ):
        other = ThemeFactory(name="Messagerie", slug="messagerie")
        RoutingRule.objects.create(name="Messagerie", theme=other, team=mail_team)
        tech_client.post(URL, valid_data(other, requester=caller.email, take="on"))
        ticket = Ticket.objects.get()
        assert ticket.team == phone_team and ticket.assignee == technician
        assert ticket.status == Ticket.Status.ASSIGNED

    def test_solved_at_the_first_call_needs_a_solution_and_keeps_what_was_typed(
        self, tech_client, caller, theme
    ):
        response = tech_client.post(
            URL, valid_data(theme, requester=caller.email, solved="on", solution=" ")
        )
        assert response.status_code == 400
        assert not Ticket.objects.exists()
        html = response.content.decode()
        assert "Décrivez la solution." in html
        assert 'value="Mon poste ne sonne plus"' in html
        assert f'value="{caller.email}"' in html


class TestContact:
    def test_an_unknown_caller_becomes_a_contact_who_can_log_in_later(
        self, tech_client, theme, technician, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = tech_client.post(
                URL,
                valid_data(
                    theme,
                    first_name="Paul",
                    last_name="Durand",
                    email="Paul.Durand@univ.example",
                    phone="01 23 45 67 89",
                ),
            )
        assert response.status_code == 302
        contact = User.objects.get(email="Paul.Durand@univ.example")
        assert (contact.first_name, contact.last_name, contact.phone) == (
            "Paul",
            "Durand",
            "01 23 45 67 89",
        )
        assert not contact.has_usable_password() and contact.is_active
        ticket = Ticket.objects.get()
        assert ticket.requester == contact and ticket.filed_by == technician
        assert [m for m in mail.outbox if contact.email in m.to]

    def test_an_e_mail_an_account_already_has_is_refused_with_a_pointer_to_the_picker(
        self, tech_client, theme, caller
    ):
        response = tech_client.post(
            URL,
            valid_data(
                theme, first_name="Claire", last_name="M.", email="CLAIRE.martin@univ.example"
            ),
        )
        assert response.status_code == 400
        pointer = french(
            "An account already has this e-mail address: choose that person "
            "in the “Requester” list instead."
        )
        assert escape(pointer) in response.content.decode()
        assert not Ticket.objects.exists()
        assert User.objects.filter(email__iexact=caller.email).count() == 1

    def test_the_service_refuses_an_address_taken_meanwhile(self, technician, theme, caller):
        from accounts.errors import AccountError

        contact = {"first_name": "C", "last_name": "M", "email": caller.email, "phone": ""}
        with pytest.raises(AccountError):
            backoffice_services.ticket_file(
                technician=technician,
                contact=contact,
                title="Poste",
                description="",
                type="incident",
                theme=theme,
                urgency=3,
                source="phone",
            )
        assert not Ticket.objects.exists()

    def test_a_contact_needs_names_and_an_address(self, tech_client, theme):
        response = tech_client.post(URL, valid_data(theme, first_name="Paul"))
        assert response.status_code == 400
        assert not User.objects.filter(first_name="Paul").exists()
        assert response.context["form"].errors.keys() >= {"last_name", "email"}

    def test_picking_and_creating_at_once_is_refused(self, tech_client, theme, caller):
        data = valid_data(theme, requester=caller.email, email="paul@univ.example")
        assert tech_client.post(URL, data).status_code == 400
        assert not Ticket.objects.exists()

    def test_no_requester_at_all_is_refused(self, tech_client, theme):
        response = tech_client.post(URL, valid_data(theme))
        assert response.status_code == 400
        assert "requester" in response.context["form"].errors


class TestFiles:
    def test_a_refused_file_undoes_everything_and_is_named(self, tech_client, theme):
        data = valid_data(
            theme,
            first_name="Paul",
            last_name="Durand",
            email="paul@univ.example",
            files=[png(), SimpleUploadedFile("page.pdf", b"<html><script>1</script>")],
        )
        response = tech_client.post(URL, data)
        assert response.status_code == 400
        html = response.content.decode()
        refused = french(
            "“%(name)s” is a kind of file Help does not accept (it accepts images, PDF, "
            "office documents, text, e-mails, archives, audio and video)."
        ) % {"name": "page.pdf"}
        assert escape(refused) in html
        assert 'value="Paul"' in html and 'value="Mon poste ne sonne plus"' in html
        again = french(
            "The files chosen before are not kept when the form comes back: choose them again."
        )
        assert escape(again) in html
        assert not Ticket.objects.exists() and not Document.objects.exists()
        assert not User.objects.filter(email="paul@univ.example").exists()

    def test_the_service_undoes_the_contact_and_the_ticket_when_a_file_is_refused(
        self, technician, theme, settings
    ):
        contact = {"first_name": "P", "last_name": "D", "email": "p@univ.example", "phone": ""}
        with pytest.raises(UploadRefused):
            backoffice_services.ticket_file(
                technician=technician,
                contact=contact,
                title="Poste",
                description="",
                type="incident",
                theme=theme,
                urgency=3,
                source="phone",
                take=True,
                solution="Fait",
                files=[png(), SimpleUploadedFile("virus.exe", b"MZ\x90\x00")],
            )
        assert not Ticket.objects.exists() and not Solution.objects.exists()
        assert not User.objects.filter(email="p@univ.example").exists()
        assert not list((settings.MEDIA_ROOT).rglob("*.png"))


class TestOddInput:
    @pytest.mark.parametrize(
        "extra",
        [
            {"theme": "x"},
            {"theme": "999999"},
            {"urgency": "9"},
            {"urgency": "abc"},
            {"type": "other"},
            {"source": "portal"},
            {"source": "backoffice"},
            {"requester": "nobody@nowhere"},
            {"location": "Nulle part"},
            {"email": "not-an-address", "first_name": "a", "last_name": "b"},
            {"category": "-1"},
            {"title": "x" * 300},
            {"title": "   "},
            {"description": "\x00"},
            {"requester": ["a", "b"]},
        ],
    )
    def test_odd_values_come_back_as_errors(self, tech_client, theme, caller, extra):
        data = valid_data(theme, requester=caller.email)
        data.update(extra)
        response = tech_client.post(URL, data)
        assert response.status_code == 400
        assert not Ticket.objects.exists()

    @pytest.mark.parametrize("value", ODD)
    def test_any_odd_value_in_any_field_never_fails(self, tech_client, theme, caller, value):
        for name in NewTicketForm.base_fields:
            data = valid_data(theme, first_name="a", last_name="b", email="a@univ.example")
            data[name] = value
            response = tech_client.post(URL, data)
            # Free text such as a name may well be "-1": a 302 is fine, a 500 never.
            assert response.status_code in (302, 400), (name, value)

    def test_an_empty_post_shows_the_form(self, tech_client):
        assert tech_client.post(URL, {}).status_code in (200, 400)

    def test_other_methods_are_refused(self, tech_client):
        assert tech_client.put(URL).status_code == 405


def test_the_page_takes_as_many_queries_for_1_theme_as_for_50(tech_client, theme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parent = ThemeFactory(name="Applications métiers")
    tech_client.get(URL)  # the session and the caches warmed up
    with CaptureQueriesContext(connection) as one:
        assert tech_client.get(URL).status_code == 200
    for _ in range(49):
        ThemeFactory(parent=parent)
        LocationFactory()
    with CaptureQueriesContext(connection) as fifty:
        page = tech_client.get(URL)
    assert page.content.decode().count("Applications métiers &gt; ") == 49
    assert len(fifty) == len(one)
