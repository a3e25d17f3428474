from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import override

from core.files import UploadRefused
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket, png_bytes
from tickets import events, services
from tickets.models import History, Solution, Task, Ticket
from tickets.services import TicketError

Status = Ticket.Status


def statuses(ticket):
    return list(
        History.objects.filter(ticket=ticket, field="status").values_list("old_value", "new_value")
    )


def solved_ticket(ticket, technician):
    services.ticket_take(ticket=ticket, actor=technician)
    services.solution_propose(ticket=ticket, author=technician, content="Redémarrez le poste.")
    ticket.refresh_from_db()
    return ticket


class TestCreate:
    def test_it_creates_a_new_ticket_with_history(self, requester, team):
        ticket = make_ticket(requester=requester, team=team, urgency=4, impact=4)
        assert ticket.status == Status.NEW
        assert ticket.beneficiary == requester
        assert ticket.priority == 4
        assert statuses(ticket) == [("", "1")]

    def test_it_is_assigned_when_a_technician_is_set(self, requester, team, technician):
        ticket = make_ticket(requester=requester, team=team, assignee=technician)
        assert ticket.status == Status.ASSIGNED
        assert ticket.taken_at is not None

    def test_it_sanitises_the_description(self, requester):
        ticket = make_ticket(
            requester=requester,
            description='<p onclick="x()">Bonjour <script>alert(1)</script><b>urgent</b></p>',
        )
        assert ticket.description == "<p>Bonjour <b>urgent</b></p>"

    def test_it_refuses_an_empty_title(self, requester):
        with pytest.raises(TicketError):
            make_ticket(requester=requester, title="   ")

    def test_it_keeps_the_beneficiary(self, requester):
        colleague = UserFactory()
        ticket = make_ticket(requester=requester, beneficiary=colleague)
        assert ticket.beneficiary == colleague


class TestAssignment:
    def test_taking_a_new_ticket_assigns_it(self, ticket, technician):
        services.ticket_take(ticket=ticket, actor=technician)
        ticket.refresh_from_db()
        assert ticket.assignee == technician
        assert ticket.status == Status.ASSIGNED
        assert ticket.taken_at is not None
        assert statuses(ticket)[-1] == ("1", "2")
        assert History.objects.filter(ticket=ticket, field="assignee").count() == 1

    def test_unassigning_puts_it_back_to_new(self, ticket, technician):
        services.ticket_take(ticket=ticket, actor=technician)
        services.ticket_assign(ticket=ticket, actor=technician, assignee=None)
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW
        assert ticket.assignee is None

    def test_it_refuses_to_assign_to_a_non_technician(self, ticket, technician, outsider):
        with pytest.raises(TicketError):
            services.ticket_assign(ticket=ticket, actor=technician, assignee=outsider)

    def test_an_outsider_cannot_take(self, ticket, outsider):
        with pytest.raises(PermissionDenied):
            services.ticket_take(ticket=ticket, actor=outsider)

    def test_the_requester_cannot_take(self, ticket, requester):
        with pytest.raises(PermissionDenied):
            services.ticket_take(ticket=ticket, actor=requester)


class TestTransfer:
    def test_it_moves_the_ticket_to_the_other_team_as_new(self, ticket, technician):
        services.ticket_take(ticket=ticket, actor=technician)
        network = TeamFactory(name="DSIN - Réseau")
        services.ticket_transfer(
            ticket=ticket, actor=technician, team=network, comment="Problème de câblage"
        )
        ticket.refresh_from_db()
        assert ticket.team == network
        assert ticket.assignee is None
        assert ticket.status == Status.NEW
        note = ticket.followups.get()
        assert note.is_private and "câblage" in note.content
        assert History.objects.filter(ticket=ticket, field="team").get().new_value == network.name

    def test_it_requires_a_comment(self, ticket, technician):
        with pytest.raises(TicketError):
            services.ticket_transfer(
                ticket=ticket, actor=technician, team=TeamFactory(), comment="<p> </p>"
            )

    def test_it_refuses_the_same_team(self, ticket, technician, team):
        with pytest.raises(TicketError):
            services.ticket_transfer(ticket=ticket, actor=technician, team=team, comment="x")


class TestStatus:
    def test_pending_and_back(self, ticket, technician):
        services.ticket_take(ticket=ticket, actor=technician)
        services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
        ticket.refresh_from_db()
        assert ticket.status == Status.PENDING
        services.ticket_set_status(ticket=ticket, actor=technician, status=Status.ASSIGNED)
        ticket.refresh_from_db()
        assert ticket.status == Status.ASSIGNED

    @pytest.mark.parametrize("target", [Status.SOLVED, Status.CLOSED, Status.PLANNED])
    def test_a_technician_cannot_solve_plan_or_close_directly(self, ticket, technician, target):
        services.ticket_take(ticket=ticket, actor=technician)
        with pytest.raises(TicketError):
            services.ticket_set_status(ticket=ticket, actor=technician, status=target)

    def test_assigned_needs_a_technician(self, ticket, technician):
        with pytest.raises(TicketError):
            services.ticket_set_status(ticket=ticket, actor=technician, status=Status.ASSIGNED)

    def test_the_error_is_translated(self, ticket, technician):
        services.ticket_take(ticket=ticket, actor=technician)
        with override("fr"), pytest.raises(TicketError) as error:
            services.ticket_set_status(ticket=ticket, actor=technician, status=Status.CLOSED)
        assert "solution" in str(error.value)
        assert "technicien" in str(error.value)

    def test_priority_follows_urgency_and_impact(self, ticket, technician):
        services.ticket_update(ticket=ticket, actor=technician, urgency=5, impact=5)
        ticket.refresh_from_db()
        assert ticket.priority == 5
        fields = set(History.objects.filter(ticket=ticket).values_list("field", flat=True))
        assert {"urgency", "impact", "priority"} <= fields

    def test_update_refuses_other_fields(self, ticket, technician):
        with pytest.raises(ValueError):
            services.ticket_update(ticket=ticket, actor=technician, status=Status.CLOSED)


class TestFollowups:
    def test_a_requester_followup_on_a_pending_ticket_puts_it_back_to_assigned(
        self, ticket, technician, requester
    ):
        services.ticket_take(ticket=ticket, actor=technician)
        services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
        services.followup_add(ticket=ticket, author=requester, content="Voici le numéro demandé")
        ticket.refresh_from_db()
        assert ticket.status == Status.ASSIGNED

    def test_a_technician_followup_leaves_pending_alone(self, ticket, technician):
        services.ticket_take(ticket=ticket, actor=technician)
        services.ticket_set_status(ticket=ticket, actor=technician, status=Status.PENDING)
        services.followup_add(ticket=ticket, author=technician, content="Toujours en attente")
        ticket.refresh_from_db()
        assert ticket.status == Status.PENDING

    def test_a_requester_cannot_write_a_private_followup(self, ticket, requester):
        followup = services.followup_add(
            ticket=ticket, author=requester, content="Merci", is_private=True
        )
        assert followup.is_private is False

    def test_a_technician_can(self, ticket, technician):
        followup = services.followup_add(
            ticket=ticket, author=technician, content="Note interne", is_private=True
        )
        assert followup.is_private is True
        assert History.objects.filter(ticket=ticket, field="followup").exists()

    def test_an_outsider_cannot(self, ticket, outsider):
        with pytest.raises(PermissionDenied):
            services.followup_add(ticket=ticket, author=outsider, content="Bonjour")

    def test_an_empty_followup_is_refused(self, ticket, requester):
        with pytest.raises(TicketError):
            services.followup_add(ticket=ticket, author=requester, content="<script>x</script>")


class TestTasks:
    def test_a_planned_task_plans_the_ticket_and_completing_it_unplans(self, ticket, technician):
        services.ticket_take(ticket=ticket, actor=technician)
        start = timezone.now() + timedelta(days=1)
        task = services.task_add(
            ticket=ticket,
            author=technician,
            content="Intervention sur place",
            planned_start=start,
            planned_end=start + timedelta(hours=1),
        )
        ticket.refresh_from_db()
        assert ticket.status == Status.PLANNED
        services.task_complete(task=task, actor=technician)
        ticket.refresh_from_db()
        task.refresh_from_db()
        assert task.state == Task.State.DONE and task.done_at
        assert ticket.status == Status.ASSIGNED

    def test_an_unplanned_task_keeps_the_status(self, ticket, technician):
        services.task_add(ticket=ticket, author=technician, content="Vérifier le câble")
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

    def test_planned_end_before_start_is_refused(self, ticket, technician):
        start = timezone.now()
        with pytest.raises(TicketError):
            services.task_add(
                ticket=ticket,
                author=technician,
                content="x",
                planned_start=start,
                planned_end=start - timedelta(hours=1),
            )

    def test_a_task_for_another_team_makes_its_members_experts(self, ticket, technician):
        directorate = TeamFactory(name="DFA")
        expert = make_technician(directorate)
        assert not services.permissions.can_view_ticket(expert, ticket)
        task = services.task_add(
            ticket=ticket,
            author=technician,
            content="Vérifier les droits",
            assigned_team=directorate,
        )
        assert services.permissions.can_view_ticket(expert, ticket)
        assert services.permissions.can_see_private(expert, ticket)
        services.task_complete(task=task, actor=expert)

    def test_a_task_for_a_person_makes_them_an_expert(self, ticket, technician):
        person = UserFactory()
        services.task_add(ticket=ticket, author=technician, content="x", assigned_user=person)
        assert services.permissions.can_view_ticket(person, ticket)
        assert not services.permissions.can_manage_ticket(person, ticket)

    def test_an_expert_cannot_pass_the_ticket_on_to_someone_else(self, ticket, technician):
        expert, outsider = UserFactory(), UserFactory()
        services.task_add(ticket=ticket, author=technician, content="x", assigned_user=expert)
        with pytest.raises(PermissionDenied):
            services.task_add(ticket=ticket, author=expert, content="y", assigned_user=outsider)
        with pytest.raises(PermissionDenied):
            services.task_add(
                ticket=ticket, author=expert, content="y", assigned_team=TeamFactory()
            )
        assert not services.permissions.can_view_ticket(outsider, ticket)
        services.task_add(ticket=ticket, author=expert, content="z", assigned_user=expert)

    def test_completing_twice_is_refused(self, ticket, technician):
        task = services.task_add(ticket=ticket, author=technician, content="x")
        services.task_complete(task=task, actor=technician)
        with pytest.raises(TicketError):
            services.task_complete(task=task, actor=technician)

    def test_the_requester_cannot_add_a_task(self, ticket, requester):
        with pytest.raises(PermissionDenied):
            services.task_add(ticket=ticket, author=requester, content="x")


class TestDocuments:
    def test_a_requester_adds_a_public_document(self, ticket, requester):
        upload = SimpleUploadedFile("capture.png", png_bytes(), content_type="image/png")
        document = services.document_add(
            ticket=ticket, author=requester, file=upload, is_private=True
        )
        assert document.original_name == "capture.png"
        assert document.is_private is False
        assert document.size == len(png_bytes())
        assert not document.file.name.endswith("capture.png")  # stored under a random name

    def test_a_document_on_a_private_followup_is_private(self, ticket, technician):
        note = services.followup_add(
            ticket=ticket, author=technician, content="Journal", is_private=True
        )
        upload = SimpleUploadedFile("journal.txt", b"log")
        document = services.document_add(
            ticket=ticket, author=technician, file=upload, followup=note
        )
        assert document.is_private is True

    @pytest.mark.parametrize("name", ["setup.exe", "page.html", "logo.SVG"])
    def test_dangerous_files_are_refused_by_name(self, ticket, requester, name):
        with pytest.raises(UploadRefused) as error:
            services.document_add(
                ticket=ticket, author=requester, file=SimpleUploadedFile(name, b"x")
            )
        assert name in str(error.value)

    def test_a_file_over_50_mib_is_refused(self, ticket, requester):
        upload = SimpleUploadedFile("gros.zip", b"x")
        upload.size = 50 * 1024 * 1024 + 1
        with pytest.raises(UploadRefused) as error:
            services.document_add(ticket=ticket, author=requester, file=upload)
        assert "gros.zip" in str(error.value)


class TestSolution:
    def test_proposing_solves_the_ticket(self, ticket, technician):
        ticket = solved_ticket(ticket, technician)
        assert ticket.status == Status.SOLVED
        assert ticket.solved_at is not None
        assert ticket.solutions.get().status == Solution.Status.WAITING

    def test_a_second_waiting_solution_is_refused(self, ticket, technician):
        solved_ticket(ticket, technician)
        with pytest.raises(TicketError):
            services.solution_propose(ticket=ticket, author=technician, content="Autre")

    def test_the_requester_cannot_propose(self, ticket, requester):
        with pytest.raises(PermissionDenied):
            services.solution_propose(ticket=ticket, author=requester, content="x")

    def test_an_expert_cannot_propose(self, ticket, technician):
        expert = UserFactory()
        services.task_add(ticket=ticket, author=technician, content="x", assigned_user=expert)
        with pytest.raises(PermissionDenied):
            services.solution_propose(ticket=ticket, author=expert, content="x")

    def test_accepting_closes_the_ticket(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        solution = services.solution_accept(ticket=ticket, actor=requester)
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED and ticket.closed_at
        assert solution.status == Solution.Status.ACCEPTED
        assert solution.decided_by == requester
        assert statuses(ticket)[-1] == ("5", "6")

    def test_the_beneficiary_may_accept(self, requester, team, technician):
        colleague = UserFactory()
        ticket = make_ticket(requester=requester, team=team, beneficiary=colleague)
        solved_ticket(ticket, technician)
        services.solution_accept(ticket=ticket, actor=colleague)
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED

    def test_a_technician_cannot_accept(self, ticket, technician):
        solved_ticket(ticket, technician)
        with pytest.raises(PermissionDenied):
            services.solution_accept(ticket=ticket, actor=technician)

    def test_an_observer_cannot_accept(self, ticket, technician):
        observer = UserFactory()
        ticket.observers.add(observer)
        solved_ticket(ticket, technician)
        with pytest.raises(PermissionDenied):
            services.solution_accept(ticket=ticket, actor=observer)

    def test_refusing_keeps_the_reason_and_reopens(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        solution = services.solution_refuse(
            ticket=ticket, actor=requester, reason="Cela ne marche toujours pas"
        )
        ticket.refresh_from_db()
        assert solution.status == Solution.Status.REFUSED
        assert ticket.status == Status.ASSIGNED
        assert ticket.solved_at is None
        followup = ticket.followups.get()
        assert followup.content == "Cela ne marche toujours pas"
        assert not followup.is_private and followup.author == requester
        solution.refresh_from_db()
        assert solution.refusal == followup

    def test_refusing_an_unassigned_ticket_makes_it_new(self, ticket, technician, requester):
        services.solution_propose(ticket=ticket, author=technician, content="Essayez ceci")
        services.solution_refuse(ticket=ticket, actor=requester, reason="Non")
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

    def test_refusing_needs_a_reason(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        with pytest.raises(TicketError):
            services.solution_refuse(ticket=ticket, actor=requester, reason="  ")
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED

    def test_a_refused_ticket_can_be_solved_again(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        services.solution_refuse(ticket=ticket, actor=requester, reason="Non")
        services.solution_propose(ticket=ticket, author=technician, content="Autre piste")
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert ticket.solutions.count() == 2

    def test_accepting_without_a_waiting_solution_is_refused(self, ticket, requester):
        with pytest.raises(TicketError):
            services.solution_accept(ticket=ticket, actor=requester)

    def test_a_solved_ticket_takes_no_task_nor_transfer(self, ticket, technician):
        solved_ticket(ticket, technician)
        with pytest.raises(TicketError):
            services.task_add(ticket=ticket, author=technician, content="x")
        with pytest.raises(TicketError):
            services.ticket_transfer(
                ticket=ticket, actor=technician, team=TeamFactory(), comment="x"
            )


class TestAMessageInsteadOfADecision:
    """A message from the requester's side while a solution waits refuses it (as GLPI)."""

    @pytest.fixture
    def heard(self, monkeypatch):
        heard = []
        monkeypatch.setattr(events, "_subscribers", [lambda name, **o: heard.append((name, o))])
        return heard

    def test_the_requester_s_message_refuses_the_solution_with_it_as_the_reason(
        self, ticket, technician, requester, heard
    ):
        solved_ticket(ticket, technician)
        heard.clear()
        followup = services.followup_add(ticket=ticket, author=requester, content="Toujours KO")
        ticket.refresh_from_db()
        solution = ticket.solutions.get()
        assert solution.status == Solution.Status.REFUSED
        assert solution.decided_by == requester
        assert solution.decided_at == followup.created_at
        assert ticket.status == Status.ASSIGNED
        assert ticket.solved_at is None
        assert ticket.followups.get() == followup
        told = [(name, o) for name, o in heard if name != "ticket_changed"]  # fields moved
        assert told == [("solution_refused", {"solution": solution, "reason": followup})]
        assert (str(Status.SOLVED.value), str(Status.ASSIGNED.value)) in statuses(ticket)

    def test_the_beneficiary_s_message_refuses_it_too(self, requester, team, technician):
        beneficiary = UserFactory()
        ticket = make_ticket(requester=requester, beneficiary=beneficiary, team=team)
        services.solution_propose(ticket=ticket, author=technician, content="Essayez")
        services.followup_add(ticket=ticket, author=beneficiary, content="Non")
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW  # nobody holds it
        assert ticket.solutions.get().status == Solution.Status.REFUSED

    def test_a_technician_s_message_leaves_the_solution_waiting(self, ticket, technician):
        solved_ticket(ticket, technician)
        services.followup_add(ticket=ticket, author=technician, content="Avez-vous essayé ?")
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert ticket.solutions.get().status == Solution.Status.WAITING

    def test_an_observer_s_message_leaves_it_waiting(self, ticket, technician):
        observer = UserFactory()
        ticket.observers.add(observer)
        solved_ticket(ticket, technician)
        services.followup_add(ticket=ticket, author=observer, content="Je suis concerné")
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert ticket.solutions.get().status == Solution.Status.WAITING

    def test_a_requester_who_works_the_ticket_only_adds_a_message(self, team, technician):
        ticket = make_ticket(requester=technician, team=team)
        solved_ticket(ticket, technician)
        services.followup_add(ticket=ticket, author=technician, content="Note")
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED

    def test_an_empty_message_refuses_nothing(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        with pytest.raises(TicketError):
            services.followup_add(ticket=ticket, author=requester, content="<p> </p>")
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert ticket.solutions.get().status == Solution.Status.WAITING

    def test_its_files_are_attached_to_the_message(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        followup = services.followup_with_files(
            ticket=ticket,
            author=requester,
            content="Voici la capture",
            files=[SimpleUploadedFile("capture.png", png_bytes())],
        )
        ticket.refresh_from_db()
        assert ticket.status == Status.ASSIGNED
        assert ticket.documents.get().followup == followup

    def test_a_file_alone_decides_nothing(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        services.followup_with_files(
            ticket=ticket, author=requester, content="", files=[SimpleUploadedFile("a.txt", b"x")]
        )
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED

    def test_the_refusal_by_the_button_is_tied_to_its_reason_the_same_way(
        self, ticket, technician, requester
    ):
        solved_ticket(ticket, technician)
        solution = services.solution_refuse(ticket=ticket, actor=requester, reason="Non")
        assert solution.decided_at == ticket.followups.get().created_at


class TestClosedTicketsAreReadOnly:
    @pytest.fixture
    def closed(self, ticket, technician, requester):
        solved_ticket(ticket, technician)
        services.solution_accept(ticket=ticket, actor=requester)
        ticket.refresh_from_db()
        return ticket

    def test_no_followup(self, closed, requester):
        with pytest.raises(TicketError):
            services.followup_add(ticket=closed, author=requester, content="Encore moi")

    def test_no_solution(self, closed, technician):
        with pytest.raises(TicketError):
            services.solution_propose(ticket=closed, author=technician, content="x")

    def test_no_second_decision(self, closed, requester):
        with pytest.raises(TicketError):
            services.solution_refuse(ticket=closed, actor=requester, reason="Finalement non")

    def test_no_assignment_nor_update(self, closed, technician):
        with pytest.raises(TicketError):
            services.ticket_assign(ticket=closed, actor=technician, assignee=None)
        with pytest.raises(TicketError):
            services.ticket_update(ticket=closed, actor=technician, urgency=5)

    def test_no_document(self, closed, requester):
        with pytest.raises(TicketError):
            services.document_add(
                ticket=closed, author=requester, file=SimpleUploadedFile("a.txt", b"x")
            )


class TestObservers:
    def test_they_are_added_and_removed_with_history(self, ticket, technician):
        watcher = UserFactory()
        services.ticket_observers_change(ticket=ticket, actor=technician, add=[watcher])
        assert list(ticket.observers.all()) == [watcher]
        services.ticket_observers_change(ticket=ticket, actor=technician, remove=[watcher])
        assert not ticket.observers.exists()
        entries = History.objects.filter(ticket=ticket, field="observers")
        assert [(e.old_value, e.new_value) for e in entries] == [
            ("", str(watcher)),
            (str(watcher), ""),
        ]

    def test_the_requester_cannot_change_them(self, ticket, requester):
        with pytest.raises(PermissionDenied):
            services.ticket_observers_change(ticket=ticket, actor=requester, add=[requester])


def test_a_task_cannot_make_the_requester_an_expert(ticket, technician, requester):
    with pytest.raises(TicketError):
        services.task_add(ticket=ticket, author=technician, content="x", assigned_user=requester)
    assert not services.permissions.can_see_private(requester, ticket)
