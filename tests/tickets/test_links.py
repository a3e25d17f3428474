"""Linked tickets, duplicates merged into the ticket that carries the request, children."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from notifications.models import Notification
from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import links, selectors, services
from tickets.errors import TicketError
from tickets.models import History, Solution, Ticket, TicketLink

Status = Ticket.Status


@pytest.fixture
def other_requester(db):
    return UserFactory(username="bruno", first_name="Bruno", last_name="Petit")


@pytest.fixture
def target(team, other_requester):
    return make_ticket(requester=other_requester, team=team, title="Imprimante du 2e étage")


def entries(ticket, field):
    return list(History.objects.filter(ticket=ticket, field=field))


class TestLinkKinds:
    def test_each_kind_reads_differently_from_each_end(self):
        assert links.label("parent_of", incoming=False) == links.BY_NAME["parent_of"].label
        assert links.label("parent_of", incoming=True) == links.BY_NAME["parent_of"].inverse_label
        assert links.resolve("child_of") == (links.BY_NAME["parent_of"], True)
        assert links.resolve("has_duplicate") == (links.BY_NAME["duplicate_of"], True)
        assert links.resolve("related") == (links.BY_NAME["related"], False)
        with pytest.raises(KeyError):
            links.resolve("parent_of; DROP TABLE")

    def test_a_technician_chooses_among_both_ends_of_each_kind(self):
        names = [name for name, _label in links.direction_choices()]
        assert names == ["related", "duplicate_of", "has_duplicate", "parent_of", "child_of"]


class TestLink:
    def test_a_link_shows_on_both_tickets_in_their_own_words(self, ticket, target, technician):
        link = services.ticket_link(ticket=ticket, other=target, kind="parent_of", actor=technician)
        assert (link.from_ticket, link.to_ticket, link.kind) == (ticket, target, "parent_of")
        [on_parent] = selectors.ticket_links(technician, ticket)
        [on_child] = selectors.ticket_links(technician, target)
        assert (on_parent.other, on_parent.label) == (target, links.BY_NAME["parent_of"].label)
        assert (on_child.other, on_child.label) == (
            ticket,
            links.BY_NAME["parent_of"].inverse_label,
        )
        assert link.created_by == technician

    def test_the_other_end_can_be_chosen_from_the_ticket_one_is_on(
        self, ticket, target, technician
    ):
        link = services.ticket_link(ticket=ticket, other=target, kind="child_of", actor=technician)
        assert (link.from_ticket, link.to_ticket, link.kind) == (target, ticket, "parent_of")
        link = services.ticket_link(
            ticket=ticket, other=target, kind="has_duplicate", actor=technician
        )
        assert (link.from_ticket, link.to_ticket, link.kind) == (target, ticket, "duplicate_of")

    def test_the_history_of_both_tickets_names_the_link(self, ticket, target, technician):
        services.ticket_link(ticket=ticket, other=target, kind="duplicate_of", actor=technician)
        [mine] = entries(ticket, "link")
        [theirs] = entries(target, "link")
        assert (mine.new_value, theirs.new_value) == (
            f"duplicate_of #{target.pk}",
            f"has_duplicate #{ticket.pk}",
        )
        rows = {row["entry"].pk: row for row in selectors.history_rows(target)}
        assert (
            rows[theirs.pk]["new"] == f"{links.BY_NAME['duplicate_of'].inverse_label} #{ticket.pk}"
        )

    def test_the_same_link_twice_is_refused_either_way(self, ticket, target, technician):
        services.ticket_link(ticket=ticket, other=target, kind="related", actor=technician)
        with pytest.raises(TicketError):
            services.ticket_link(ticket=ticket, other=target, kind="related", actor=technician)
        with pytest.raises(TicketError):
            services.ticket_link(ticket=target, other=ticket, kind="related", actor=technician)
        # Another kind between the same tickets is another link.
        services.ticket_link(ticket=ticket, other=target, kind="parent_of", actor=technician)
        assert TicketLink.objects.count() == 2

    def test_a_parent_cannot_become_a_child_of_its_own_descendant(self, ticket, team, technician):
        child, grandchild = make_ticket(team=team), make_ticket(team=team)
        services.ticket_link(ticket=ticket, other=child, kind="parent_of", actor=technician)
        services.ticket_link(ticket=child, other=grandchild, kind="parent_of", actor=technician)
        for start, end in [(grandchild, ticket), (child, ticket), (grandchild, child)]:
            with pytest.raises(TicketError):
                services.ticket_link(ticket=start, other=end, kind="parent_of", actor=technician)
        with pytest.raises(TicketError):
            services.ticket_link(ticket=ticket, other=grandchild, kind="child_of", actor=technician)
        # A second parent is no loop.
        services.ticket_link(
            ticket=make_ticket(team=team), other=grandchild, kind="parent_of", actor=technician
        )
        assert TicketLink.objects.filter(kind="parent_of").count() == 3

    def test_a_ticket_is_not_linked_to_itself(self, ticket, technician):
        with pytest.raises(TicketError):
            services.ticket_link(ticket=ticket, other=ticket, kind="related", actor=technician)
        assert not TicketLink.objects.exists()

    def test_the_database_refuses_a_loop_and_a_second_row(self, ticket, target, technician):
        with pytest.raises(IntegrityError), transaction.atomic():
            TicketLink.objects.create(from_ticket=ticket, to_ticket=ticket, kind="related")
        TicketLink.objects.create(from_ticket=ticket, to_ticket=target, kind="related")
        with pytest.raises(IntegrityError), transaction.atomic():
            TicketLink.objects.create(from_ticket=ticket, to_ticket=target, kind="related")

    def test_an_unknown_kind_is_refused(self, ticket, target, technician):
        with pytest.raises(TicketError):
            services.ticket_link(ticket=ticket, other=target, kind="sibling_of", actor=technician)

    def test_a_ticket_one_may_not_see_reads_as_unknown(self, ticket, technician):
        hidden = make_ticket(team=TeamFactory())
        with pytest.raises(TicketError) as refusal:
            services.ticket_link(ticket=ticket, other=hidden, kind="related", actor=technician)
        assert str(refusal.value) == str(services._not_found())
        assert not TicketLink.objects.exists()

    def test_one_must_manage_the_ticket_being_changed(self, ticket, target, requester):
        # The requester sees both (they filed the first, and observe the second).
        target.observers.add(requester)
        with pytest.raises(PermissionDenied):
            services.ticket_link(ticket=ticket, other=target, kind="related", actor=requester)

    def test_unlink_removes_it_and_writes_both_histories(self, ticket, target, technician):
        link = services.ticket_link(ticket=ticket, other=target, kind="related", actor=technician)
        services.ticket_unlink(link=link, actor=technician)
        assert not TicketLink.objects.exists()
        assert [e.old_value for e in entries(ticket, "link")] == ["", f"related #{target.pk}"]
        assert [e.old_value for e in entries(target, "link")] == ["", f"related #{ticket.pk}"]

    def test_unlink_needs_the_right_to_manage_an_end(self, ticket, target, technician):
        link = services.ticket_link(ticket=ticket, other=target, kind="related", actor=technician)
        stranger = make_technician(TeamFactory())
        with pytest.raises(PermissionDenied):
            services.ticket_unlink(link=link, actor=stranger)
        assert TicketLink.objects.exists()


@pytest.fixture
def duplicate(requester, team, technician):
    """A duplicate with a description, public and private followups and documents."""
    beneficiary = UserFactory(username="denise")
    ticket = make_ticket(
        requester=requester,
        beneficiary=beneficiary,
        team=team,
        title="Plus d'impression",
        description="<p>Rien ne sort de l'imprimante.</p>",
    )
    services.followup_add(ticket=ticket, author=requester, content="Toujours rien ce matin")
    services.followup_add(
        ticket=ticket, author=technician, content="Le toner est vide", is_private=True
    )
    services.document_add(
        ticket=ticket, author=requester, file=SimpleUploadedFile("erreur.txt", b"code 42")
    )
    services.document_add(
        ticket=ticket,
        author=technician,
        file=SimpleUploadedFile("inventaire.txt", b"S/N 123"),
        is_private=True,
    )
    return ticket


class TestMerge:
    def test_the_duplicates_public_content_becomes_one_public_followup(
        self, duplicate, target, technician, requester
    ):
        services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        public = list(target.followups.filter(is_private=False))
        assert len(public) == 1
        content = public[0].content
        assert "Rien ne sort de l'imprimante." in content
        assert "Toujours rien ce matin" in content
        assert requester.get_display_name() in content
        assert f"{duplicate.pk}" in content
        assert "toner" not in content  # the private note stays out of it

    def test_private_items_stay_private_on_the_target(self, duplicate, target, technician):
        services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        [private] = target.followups.filter(is_private=True)
        assert "Le toner est vide" in private.content
        documents = {d.original_name: d for d in target.documents.all()}
        assert set(documents) == {"erreur.txt", "inventaire.txt"}
        assert documents["inventaire.txt"].is_private
        assert documents["inventaire.txt"].followup == private
        assert not documents["erreur.txt"].is_private
        assert not documents["erreur.txt"].followup.is_private
        assert not duplicate.documents.exists()
        # What the requester's side sees of the target: nothing private.
        timeline = selectors.ticket_timeline(target, public_only=True)
        shown = " ".join(
            getattr(item, "original_name", None) or item.content for _k, item in timeline
        )
        assert "erreur.txt" in shown
        assert "toner" not in shown and "inventaire" not in shown

    def test_requester_and_beneficiary_observe_the_target(self, duplicate, target, technician):
        services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        assert set(target.observers.all()) == {duplicate.requester, duplicate.beneficiary}
        assert target in Ticket.objects.filter(
            pk__in=selectors.tickets_visible_to(duplicate.requester).values("pk")
        )

    def test_the_duplicate_is_closed_with_a_public_note_and_a_link(
        self, duplicate, target, technician
    ):
        services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        duplicate.refresh_from_db()
        assert duplicate.status == Status.CLOSED and duplicate.closed_at is not None
        note = duplicate.followups.filter(is_private=False).last()
        assert f"{target.pk}" in note.content
        assert TicketLink.objects.filter(
            from_ticket=duplicate, to_ticket=target, kind="duplicate_of"
        ).exists()

    def test_both_histories_tell_the_merge(self, duplicate, target, technician):
        services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        assert [e.new_value for e in entries(duplicate, "merged_into")] == [f"#{target.pk}"]
        assert [e.new_value for e in entries(target, "merged_from")] == [f"#{duplicate.pk}"]
        assert [e.new_value for e in entries(duplicate, "status")][-1] == str(Status.CLOSED)

    def test_the_requester_is_told_which_ticket_carries_the_request(
        self, duplicate, target, technician, requester, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        [row] = Notification.objects.filter(event="ticket_merged", email=requester.email)
        assert row.ticket == target and row.context == {"merged": duplicate.pk}
        [message] = [m for m in mail.outbox if requester.email in m.to]
        assert f"[Help #{target.pk}]" in message.subject
        assert f"/demandes/{target.pk}/" in message.body
        assert duplicate.title in message.body
        # The beneficiary is told too; the target's own requester hears no such thing.
        assert Notification.objects.filter(
            event="ticket_merged", email=duplicate.beneficiary.email
        ).exists()
        assert not Notification.objects.filter(
            event="ticket_merged", email=target.requester.email
        ).exists()

    def test_merging_into_a_closed_ticket_is_refused(self, duplicate, target, technician):
        Ticket.objects.filter(pk=target.pk).update(status=Status.CLOSED)
        with pytest.raises(TicketError, match=f"{target.pk}"):
            services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        duplicate.refresh_from_db()
        assert duplicate.status != Status.CLOSED
        assert not target.followups.exists()

    def test_merging_into_itself_is_refused(self, duplicate, technician):
        with pytest.raises(TicketError):
            services.ticket_merge(ticket=duplicate, into=duplicate, actor=technician)

    def test_merging_into_its_own_duplicate_is_refused(self, duplicate, target, technician):
        services.ticket_link(ticket=duplicate, other=target, kind="duplicate_of", actor=technician)
        with pytest.raises(TicketError, match=f"{duplicate.pk}"):
            services.ticket_merge(ticket=target, into=duplicate, actor=technician)
        target.refresh_from_db()
        assert target.status != Status.CLOSED
        # The right way round works.
        services.ticket_merge(ticket=duplicate, into=target, actor=technician)

    def test_a_closed_ticket_cannot_be_merged(self, duplicate, target, technician):
        Ticket.objects.filter(pk=duplicate.pk).update(status=Status.CLOSED)
        with pytest.raises(TicketError):
            services.ticket_merge(ticket=duplicate, into=target, actor=technician)
        assert not target.followups.exists()

    def test_a_target_one_may_not_see_reads_as_unknown(self, duplicate, technician):
        hidden = make_ticket(team=TeamFactory())
        with pytest.raises(TicketError) as refusal:
            services.ticket_merge(ticket=duplicate, into=hidden, actor=technician)
        assert str(refusal.value) == str(services._not_found())
        assert not hidden.followups.exists()

    def test_only_who_manages_the_duplicate_merges_it(self, duplicate, target, requester):
        target.observers.add(requester)
        with pytest.raises(PermissionDenied):
            services.ticket_merge(ticket=duplicate, into=target, actor=requester)


class TestChildrenSolve:
    @pytest.fixture
    def family(self, team, technician):
        parent = make_ticket(team=team, title="Panne réseau du bâtiment A")
        children = [make_ticket(team=team, title=f"Pas de réseau {n}") for n in range(3)]
        for child in children:
            services.ticket_link(ticket=parent, other=child, kind="parent_of", actor=technician)
        return parent, children

    def test_every_open_child_gets_the_solution_and_its_requester_is_asked(
        self, family, technician, django_capture_on_commit_callbacks
    ):
        parent, children = family
        services.solution_propose(ticket=children[2], author=technician, content="Déjà fait")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            solutions = services.children_solve(
                parent=parent, actor=technician, content="Le commutateur est remplacé"
            )
        assert [s.ticket for s in solutions] == children[:2]
        for child in children[:2]:
            child.refresh_from_db()
            assert child.status == Status.SOLVED
            [solution] = child.solutions.filter(status=Solution.Status.WAITING)
            assert "commutateur" in solution.content
            assert any(child.requester.email in m.to for m in mail.outbox)
            assert [e.new_value for e in entries(child, "parent_solution")] == [f"#{parent.pk}"]
        [entry] = entries(parent, "children_solution")
        assert entry.new_value == f"#{children[0].pk} #{children[1].pk}"
        # The one already solved keeps its own solution.
        assert children[2].solutions.get().content == "Déjà fait"

    def test_it_is_all_or_nothing(self, family, technician, team):
        parent, children = family
        elsewhere = make_ticket(team=TeamFactory(), title="Chez une autre équipe")
        admin = UserFactory(is_superuser=True)
        services.ticket_link(ticket=parent, other=elsewhere, kind="parent_of", actor=admin)
        with pytest.raises(TicketError):
            services.children_solve(parent=parent, actor=technician, content="Réparé")
        assert not Solution.objects.exists()
        assert not entries(parent, "children_solution")

    def test_without_open_children_it_is_refused(self, team, technician):
        parent = make_ticket(team=team)
        with pytest.raises(TicketError):
            services.children_solve(parent=parent, actor=technician, content="Réparé")

    def test_an_empty_solution_is_refused(self, family, technician):
        parent, _children = family
        with pytest.raises(TicketError):
            services.children_solve(parent=parent, actor=technician, content="<p> </p>")
        assert not Solution.objects.exists()
