"""The catalogues are complete and compiled: French is the default language, English the second."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ["fr", "en"]
# What a checkout holds besides the code: too big to copy, or never scanned anyway.
NOT_COPIED = {".git", ".venv", "node_modules", "staticfiles", "media", "db.sqlite3"}


def _entries(po: Path) -> dict[tuple[str, str], list[str]]:
    """Return {(context, msgid): [msgstr, ...]} for the live entries of a catalogue.

    Strings are joined across lines without their quotes, so wrapping does not matter.
    """
    entries, entry, field = {}, None, None

    def keep(entry):
        if entry and "msgstr" in entry and entry["msgid"]:  # the header has no msgid
            entries[entry.get("msgctxt", ""), entry["msgid"]] = entry["msgstr"]

    for line in po.read_text(encoding="utf-8").splitlines():
        keyword, _, text = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (entry is None or "msgstr" in entry):
            keep(entry)
            entry = {}
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            field, entry[keyword] = keyword, text[1:-1]
        elif keyword.startswith("msgstr"):
            field = "msgstr"
            entry.setdefault("msgstr", []).append(text[1:-1])
        elif line.startswith('"') and field == "msgstr":
            entry["msgstr"][-1] += line[1:-1]
        elif line.startswith('"') and field:
            entry[field] += line[1:-1]
        else:
            field = None  # a comment, a blank line or an obsolete entry (#~)
    keep(entry)
    return entries


def _untranslated(po: Path) -> list[str]:
    return [msgid for (_, msgid), msgstrs in _entries(po).items() if "" in msgstrs]


def _makemessages_arguments() -> list[str]:
    """The arguments `make messages` gives makemessages, so the test runs exactly that.

    Only the django domain exists: the scripts under static/ take their words from the page.
    """
    found = re.search(r"manage\.py (makemessages .*)", (ROOT / "Makefile").read_text())
    assert found, "the Makefile's messages target no longer calls makemessages"
    return shlex.split(found.group(1))


def _fresh_catalogues(tmp_path: Path) -> Path:
    """Run makemessages over a copy of the project and return the copy's locale folder.

    makemessages writes into the locale folder of the project it runs in, so it runs in
    a copy: the copy's settings point LOCALE_PATHS at the copy's locale folder.
    """
    for tool in ("xgettext", "msgmerge", "msguniq"):
        if not shutil.which(tool):
            missing_service(f"{tool} is not installed (apt-get install gettext)")
    copy = tmp_path / "project"

    def not_copied(folder, names):
        ignored = {name for name in names if name == "__pycache__" or name.endswith("_cache")}
        if Path(folder) == ROOT:
            ignored |= NOT_COPIED & set(names)
        return ignored

    shutil.copytree(ROOT, copy, ignore=not_copied)
    run = subprocess.run(
        [sys.executable, "manage.py", *_makemessages_arguments()],
        cwd=copy,
        env={**os.environ, "DEBUG": "true"},  # as the Makefile runs it: no SECRET_KEY needed
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return copy / "locale"


def test_every_french_message_is_translated():
    po = LOCALE / "fr/LC_MESSAGES/django.po"
    assert _untranslated(po) == []
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fresh_locale(tmp_path_factory):
    return _fresh_catalogues(tmp_path_factory.mktemp("messages"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_finds_every_message_of_the_code_in_the_catalogue(fresh_locale, language):
    found = _entries(fresh_locale / language / "LC_MESSAGES/django.po")
    kept = _entries(LOCALE / language / "LC_MESSAGES/django.po")
    missing = sorted(msgid for context, msgid in found if (context, msgid) not in kept)
    assert missing == [], f"run make messages, then translate: {missing}"


def test_the_compiled_catalogue_is_up_to_date():
    po = LOCALE / "fr/LC_MESSAGES/django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), "run make messages"
    if not shutil.which("msgfmt"):
        missing_service("msgfmt is not installed (apt-get install gettext)")
    fresh = subprocess.run(["msgfmt", "-o", "-", str(po)], capture_output=True, check=True).stdout
    assert fresh == mo.read_bytes(), "run make messages"
