import os
import shutil

import pytest
from django.db import connection

from tests.factories import TeamFactory, UserFactory, make_technician, make_ticket


def needs_postgres():
    """Skip locally without PostgreSQL; fail on CI, where it must be there."""
    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")


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
    from celery.result import _set_task_join_will_block

    from helpdesk.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    # Celery marks "inside a task" in one flag for the whole process: two threads running
    # eager tasks at once (the live server's, a concurrency test's) can leave it set, and
    # a later test's .get() then fails as if called from a task.
    _set_task_join_will_block(False)
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
    # Each test counts its own login attempts, whatever cache production uses.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()  # a local memory cache outlives the test: start from nothing
    # Sessions in the database whatever REDIS_URL says, so that query counts are the same
    # everywhere (tests/accounts/test_request_floor.py checks the cached ones).
    settings.SESSION_ENGINE = "accounts.sessions"
    # Except the footer's accessibility state, cached on a running site: query counts
    # measure the page itself (tests/portal/test_accessibility.py starts it cold).
    from portal.models import CONFORMITY_CACHE_KEY, AccessibilityStatement

    cache.set(CONFORMITY_CACHE_KEY, AccessibilityStatement.Conformity.PARTIAL.value, None)


# Browser tests: Debian's Chromium driven by Playwright (tests/browser, tests/sso).
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between two browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def missing_service(reason):
    """Skip locally when a service or tool is absent; on CI, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        missing_service(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Every page of a browser test reports the Content-Security-Policy violations it meets.
# Init scripts and bindings go through the DevTools protocol, which the policy does not
# govern; a binding, unlike a window variable, outlives the page's navigations.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI}`
        + ` at ${event.documentURI}:${event.lineNumber} (${event.sample})`);
}, true);
"""


def _record_csp_console(context, message):
    if "Content Security Policy" in message.text:
        context.csp_violations.append(message.text)


@pytest.fixture
def page(browser, live_server, settings):
    # The live server speaks plain HTTP on localhost.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.csp_violations = []
    context.expose_binding(
        "reportCspViolation", lambda _source, text: context.csp_violations.append(text)
    )
    context.add_init_script(CSP_LISTENER)
    # Chromium also logs what it refuses on the console: catch what the event misses.
    context.on("console", lambda message: _record_csp_console(context, message))
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert context.csp_violations == [], "\n".join(context.csp_violations)
