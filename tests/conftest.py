import os

import pytest
from django.db import connection

from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket


def needs_postgres():
    """Skip locally without PostgreSQL; fail on CI, where it must be there."""
    if connection.vendor == "postgresql":
        return
    reason = "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test on PostgreSQL ({reason})")
    pytest.skip(reason)


@pytest.fixture
def team(db):
    return TeamFactory(name="DSIN - Support de proximité")


@pytest.fixture
def requester(db):
    return UserFactory(username="claire")


@pytest.fixture
def technician(team):
    return make_technician(team, username="julien")


@pytest.fixture
def outsider(db):
    return UserFactory(username="intrus")


@pytest.fixture
def ticket(requester, team):
    return make_ticket(requester=requester, team=team)


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Run tasks in the test's process; the worker tests start real workers themselves."""
    from helpdesk.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic run; uploads land in a throw-away folder.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
