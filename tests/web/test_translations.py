"""Chinese is the source language; English must be complete and the committed .mo must match the .po."""

from __future__ import annotations

from pathlib import Path

import polib
from django.test import Client

import jiuzhu

CATALOGUE = Path(jiuzhu.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def test_every_string_has_an_english_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_matches_its_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in mo}
    source = {(e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in po.translated_entries()}
    assert source <= compiled, "run `make messages` to recompile django.mo"


def test_a_user_can_switch_the_interface_to_english(street_officer_a):
    client = Client()
    client.force_login(street_officer_a)
    assert "工作台" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "工作台" not in html and 'lang="en"' in html
