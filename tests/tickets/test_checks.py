import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from tickets.checks import default_team_check
from tickets.models import HelpdeskSettings


def _check_output(*args) -> str:
    out = StringIO()
    call_command("check", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_no_default_team_is_a_warning_when_the_database_is_checked(db):
    [warning] = default_team_check(databases=["default"])
    assert warning.id == "tickets.W001"
    assert "tickets.W001" in _check_output("--database", "default")


def test_a_default_team_silences_it(team):
    HelpdeskSettings.objects.create(default_team=team)
    assert default_team_check(databases=["default"]) == []
    assert "tickets.W001" not in _check_output("--database", "default")


def test_without_a_database_the_check_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert default_team_check(databases=None) == []
    assert "tickets.W001" not in _check_output()


def test_before_migrations_the_check_says_nothing_and_does_not_crash(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default"],
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        },
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
