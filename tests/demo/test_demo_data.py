from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from demo.management.commands.load_demo_data import USERS
from notifications.models import Notification
from tickets.models import HelpdeskSettings, RoutingRule, Team, Theme, Ticket

SEED_THEMES = [
    "Applications métiers",
    "Déménagement",
    "Impression",
    "Messagerie",
    "Mon ordinateur",
    "Téléphonie fixe ou mobile",
    "Wifi - VPN - internet - connexion - câblage",
]


@pytest.fixture
def loaded(db):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_it_loads_the_seven_themes_of_the_brief_in_order(loaded):
    names = list(Theme.objects.filter(parent=None).values_list("name", flat=True))
    assert names == SEED_THEMES


def test_business_applications_have_sub_themes_routed_to_their_directorate(loaded):
    finance = Theme.objects.get(slug="finances-sifac")
    assert finance.parent.name == "Applications métiers"
    rule = RoutingRule.objects.get(theme=finance)
    assert rule.team.name.startswith("DFA")


def test_it_creates_teams_of_every_phase_and_a_default_team(loaded):
    kinds = set(Team.objects.values_list("kind", flat=True))
    assert kinds == {Team.Kind.IT_DEPARTMENT, Team.Kind.DIRECTORATE, Team.Kind.FACULTY}
    assert HelpdeskSettings.load().default_team is not None


def test_it_creates_tickets_in_every_status_with_their_timeline(loaded):
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Ticket.Status.values)
    solved = Ticket.objects.get(status=Ticket.Status.SOLVED)
    assert solved.solutions.filter(status="waiting").exists()
    assert solved.followups.filter(is_private=True).exists()
    assert Ticket.objects.filter(tasks__isnull=False).exists()


def test_it_prints_the_logins(loaded):
    assert "demandeur" in loaded and "admin" in loaded and "help-demo" in loaded
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="demandeur").check_password("help-demo")


def test_running_it_again_adds_nothing(loaded):
    counts = (Theme.objects.count(), Team.objects.count(), Ticket.objects.count())
    call_command("load_demo_data", stdout=StringIO())
    assert (Theme.objects.count(), Team.objects.count(), Ticket.objects.count()) == counts


@pytest.mark.django_db(transaction=True)  # the e-mails would go out once it commits
def test_it_sends_no_mail_and_prints_the_logins_last(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("load_demo_data")  # its output and the console's e-mails share stdout
    out = capsys.readouterr().out
    assert "Subject:" not in out
    lines = out.splitlines()
    logins = len(USERS) + 2  # the heading, one line per user, the admin
    assert lines[-logins].startswith("Demo data ready. Logins")
    assert [line.split()[0] for line in lines[-logins + 1 :]] == [u[0] for u in USERS] + ["admin"]
    assert Notification.objects.exists()
    assert not Notification.objects.exclude(state=Notification.State.FAILED).exists()


def test_no_mail_reaches_the_mailbox(db, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_data", stdout=StringIO())
    assert mail.outbox == []
