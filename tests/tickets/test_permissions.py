"""The permission matrix: each role against each thing one can see or do on a ticket."""

import pytest

from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket
from tickets import permissions, services
from tickets.selectors import followups_visible_to, tasks_visible_to, tickets_visible_to

ROLES = [
    "requester",
    "beneficiary",
    "observer",
    "team_member",
    "assignee",
    "expert",
    "supervisor",
    "admin",
    "other_team",
    "outsider",
    "inactive_requester",
]

#           view   private manage work   decide
MATRIX = {
    "requester": (True, False, False, False, True),
    "beneficiary": (True, False, False, False, True),
    "observer": (True, False, False, False, False),
    "team_member": (True, True, True, True, False),
    "assignee": (True, True, True, True, False),
    "expert": (True, True, False, True, False),
    "supervisor": (True, True, True, True, False),
    "admin": (True, True, True, True, False),
    "other_team": (False, False, False, False, False),
    "outsider": (False, False, False, False, False),
    "inactive_requester": (False, False, False, False, False),
}


@pytest.fixture
def world(db):
    team = TeamFactory(name="DSIN - Messagerie")
    elsewhere = TeamFactory(name="DSIN - Réseau")
    experts = TeamFactory(name="DFA")
    people = {
        "requester": UserFactory(),
        "beneficiary": UserFactory(),
        "observer": UserFactory(),
        "team_member": make_technician(team),
        "assignee": make_technician(elsewhere),
        "expert": make_technician(experts),
        "supervisor": make_technician(team, supervisor=True),
        "admin": UserFactory(is_superuser=True, is_staff=True),
        "other_team": make_technician(elsewhere),
        "outsider": UserFactory(),
        "inactive_requester": UserFactory(),
    }
    ticket = make_ticket(
        requester=people["requester"],
        beneficiary=people["beneficiary"],
        team=team,
        observers=[people["observer"]],
    )
    services.ticket_assign(ticket=ticket, actor=people["admin"], assignee=people["assignee"])
    services.task_add(
        ticket=ticket, author=people["team_member"], content="Avis DFA", assigned_team=experts
    )
    services.followup_add(
        ticket=ticket, author=people["team_member"], content="Public", is_private=False
    )
    services.followup_add(
        ticket=ticket, author=people["team_member"], content="Interne", is_private=True
    )
    services.task_add(
        ticket=ticket, author=people["team_member"], content="Tâche interne", is_private=True
    )
    other = make_ticket(requester=people["outsider"], team=elsewhere)
    # The inactive requester filed a ticket, then left the university.
    gone = people["inactive_requester"]
    own = make_ticket(requester=gone, team=team)
    gone.is_active = False
    gone.save()
    ticket.refresh_from_db()
    return {"ticket": ticket, "other": other, "own": own, **people}


def ticket_for(world, role):
    """The ticket a row is about: the inactive requester's own one, the shared one for the rest.

    The inactive requester filed that ticket, so only the deactivation can refuse access.
    """
    return world["own"] if role == "inactive_requester" else world["ticket"]


@pytest.mark.parametrize("role", ROLES)
def test_the_permission_matrix(world, role):
    user, ticket = world[role], ticket_for(world, role)
    view, private, manage, work, decide = MATRIX[role]
    assert permissions.can_view_ticket(user, ticket) is view
    assert permissions.can_see_private(user, ticket) is private
    assert permissions.can_manage_ticket(user, ticket) is manage
    assert permissions.can_work_ticket(user, ticket) is work
    assert permissions.can_decide_solution(user, ticket) is decide


@pytest.mark.parametrize("role", ROLES)
def test_the_visible_list_agrees_with_can_view(world, role):
    user, ticket = world[role], ticket_for(world, role)
    assert tickets_visible_to(user).filter(pk=ticket.pk).exists() is MATRIX[role][0]


@pytest.mark.parametrize("role", ROLES)
def test_private_items_reach_only_those_who_work_the_ticket(world, role):
    user, ticket = world[role], world["ticket"]
    followups = set(followups_visible_to(user, ticket).values_list("content", flat=True))
    tasks = set(tasks_visible_to(user, ticket).values_list("content", flat=True))
    if MATRIX[role][1]:
        assert followups == {"Public", "Interne"}
        assert tasks == {"Avis DFA", "Tâche interne"}
    else:
        assert followups == {"Public"}
        assert tasks == {"Avis DFA"}


def test_the_list_has_no_duplicates_when_a_user_holds_several_roles(world):
    ticket = world["ticket"]
    member = world["team_member"]
    ticket.observers.add(member)
    services.task_add(ticket=ticket, author=member, content="Moi", assigned_user=member)
    assert list(tickets_visible_to(member)).count(ticket) == 1


def test_an_outsider_sees_only_their_own_ticket(world):
    assert list(tickets_visible_to(world["outsider"])) == [world["other"]]


def test_the_admin_sees_every_ticket(world):
    assert tickets_visible_to(world["admin"]).count() == 3


def test_an_expert_sees_the_ticket_and_nothing_else_of_the_team(world):
    visible = list(tickets_visible_to(world["expert"]))
    assert visible == [world["ticket"]]


def test_a_deactivated_technician_loses_access(world):
    member = world["team_member"]
    member.is_active = False
    member.save()
    assert not permissions.can_view_ticket(member, world["ticket"])
    assert not tickets_visible_to(member).exists()


def test_the_inactive_requester_sees_and_decides_on_their_ticket_once_reactivated(world):
    gone, own = world["inactive_requester"], world["own"]
    gone.is_active = True
    gone.save()
    assert permissions.can_view_ticket(gone, own)
    assert permissions.can_decide_solution(gone, own)
    assert list(tickets_visible_to(gone)) == [own]


def test_the_supervisor_is_recognised(world):
    assert permissions.is_supervisor(world["supervisor"])
    assert not permissions.is_supervisor(world["team_member"])
    assert permissions.is_technician(world["team_member"])
    assert not permissions.is_technician(world["requester"])


def test_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not permissions.can_view_ticket(anonymous, world["ticket"])
    assert not tickets_visible_to(anonymous).exists()
