import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk import env


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    for raw, expected in [("true", True), ("1", True), ("Off", False), ("no", False)]:
        monkeypatch.setenv("HELP_FLAG", raw)
        assert env.env_bool("HELP_FLAG") is expected
    monkeypatch.delenv("HELP_FLAG")
    assert env.env_bool("HELP_FLAG", True) is True


def test_env_bool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("HELP_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HELP_FLAG"):
        env.env_bool("HELP_FLAG")


def test_env_int_fails_loudly(monkeypatch):
    monkeypatch.setenv("HELP_NUMBER", "seven")
    with pytest.raises(ImproperlyConfigured, match="HELP_NUMBER"):
        env.env_int("HELP_NUMBER", 7)
    monkeypatch.setenv("HELP_NUMBER", "12")
    assert env.env_int("HELP_NUMBER", 7) == 12


@pytest.mark.parametrize("raw", ["fast", "0", "-1", "1e9", "1.1; DROP"])
def test_env_float_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("HELP_COST", raw)
    with pytest.raises(ImproperlyConfigured, match="HELP_COST"):
        env.env_float("HELP_COST", 1.1, above=0, below=1000)


def test_env_float_reads_a_positive_number(monkeypatch):
    assert env.env_float("HELP_COST", 1.1, above=0, below=1000) == 1.1
    monkeypatch.setenv("HELP_COST", "2.5")
    assert env.env_float("HELP_COST", 1.1, above=0, below=1000) == 2.5


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("HELP_HOSTS", "a.example, b.example,")
    assert env.env_list("HELP_HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("HELP_STORE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="local, s3"):
        env.env_choice("HELP_STORE", ("local", "s3"), "local")


def _load_settings(**environ):
    code = "import helpdesk.settings as s; print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER)"
    clean = {"PATH": "/usr/bin:/bin", **environ}
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = _load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_local_debug_site_needs_no_variable_and_runs_tasks_eagerly():
    result = _load_settings(DEBUG="true")
    assert result.stdout.split() == ["True", "True"]


def test_a_broker_turns_eager_tasks_off():
    result = _load_settings(SECRET_KEY="x", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.split() == ["False", "False"]


def _database_options(**environ):
    code = (
        "import json, helpdesk.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    )
    clean = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", **environ}
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_postgresql_keeps_the_url_s_options_and_prepares_statements():
    url = "postgres://help@db.univ.example/help?sslmode=verify-full&options=-c%20search_path%3Dhelp"
    options = _database_options(DATABASE_URL=url)
    assert options["sslmode"] == "verify-full"
    assert options["options"] == "-c search_path=help"  # no page cost unless asked
    assert options["server_side_binding"] is True
    off = _database_options(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in off


def test_the_page_cost_is_sent_only_when_set_and_kept_beside_other_options():
    url = "postgres://help@db.univ.example/help?options=-c%20search_path%3Dhelp"
    options = _database_options(DATABASE_URL=url, DATABASE_RANDOM_PAGE_COST="1.1")
    assert options["options"] == "-c search_path=help -c random_page_cost=1.1"


def test_an_imap_host_without_a_user_refuses_to_start():
    code = "import helpdesk.settings"
    clean = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x", "IMAP_HOST": "imap.univ.example"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "IMAP_USER" in result.stderr


PRODUCTION = {
    "SECRET_KEY": "a-long-production-key-made-of-many-different-characters-0123456789",
    "ALLOWED_HOSTS": "help.univ.example",
    "CSRF_TRUSTED_ORIGINS": "https://help.univ.example",
    "SITE_URL": "https://help.univ.example",
    "DATABASE_URL": "postgres://help:secret@db.univ.example:5432/help",
    "REDIS_URL": "redis://redis.univ.example:6379/0",
    "EMAIL_HOST": "smtp.univ.example",
    "BEHIND_PROXY": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def test_a_production_set_of_variables_passes_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": "/usr/bin:/bin", **PRODUCTION},
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "System check identified no issues" in result.stdout, result.stderr
    assert result.returncode == 0


def test_the_identity_providers_origins_are_allowed_as_form_targets():
    code = "import helpdesk.settings as s; print(*s.CSP_FORM_ACTION_EXTRA)"
    environ = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x",
        "CSP_FORM_ACTION_EXTRA": "https://cas.univ.example",
        "OIDC_SERVER_URL": "https://idp.univ.example/realms/staff",
        "OIDC_CLIENT_ID": "help",
        "OIDC_CLIENT_SECRET": "s",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False
    )
    assert result.stdout.split() == ["https://cas.univ.example", "https://idp.univ.example"]
