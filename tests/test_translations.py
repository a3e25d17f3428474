"""The French catalogue is complete and compiled: French is the default language."""

import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _untranslated(po: Path) -> list[str]:
    missing, msgid, in_msgid = [], None, False
    lines = po.read_text(encoding="utf-8").splitlines() + [""]
    for line in lines:
        if line.startswith("msgid "):
            msgid, in_msgid = line[6:], True
        elif line.startswith('"') and in_msgid:
            msgid += line
        elif line.startswith("msgstr "):
            in_msgid = False
            if line == 'msgstr ""' and msgid != '""':
                missing.append(msgid)
        elif line.startswith('"') and not in_msgid and missing and missing[-1] == msgid:
            missing.pop()  # the translation continues on the next lines
    return missing


def test_every_french_message_is_translated():
    po = LOCALE / "fr/LC_MESSAGES/django.po"
    assert _untranslated(po) == []
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")


def test_the_compiled_catalogue_is_up_to_date():
    po = LOCALE / "fr/LC_MESSAGES/django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), "run make messages"
    try:
        fresh = subprocess.run(
            ["msgfmt", "-o", "-", str(po)], capture_output=True, check=True
        ).stdout
    except FileNotFoundError:
        pytest.skip("msgfmt (gettext) is not installed")
    assert fresh == mo.read_bytes(), "run make messages"
