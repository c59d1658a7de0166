"""The es, pt and en catalogs are complete: every message of the code and templates is translated.

The messages are extracted afresh from a copy of the sources (GNU gettext's xgettext, as `make messages`
does), so a new text that nobody added to the catalogs fails here too.
"""

import ast
import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import sirbi

PACKAGE = Path(sirbi.__file__).parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("es", "pt", "en")


def parse_po(path):
    """{(msgctxt, msgid): {"strings": [...], "fuzzy": bool}} for every entry but the header."""
    entries, entry, key = {}, None, None

    def finish():
        if entry and entry.get("msgid"):
            entries[(entry.get("msgctxt"), entry["msgid"])] = entry

    for line in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            finish()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"strings": {}, "fuzzy": False}
        if line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key.startswith("msgstr"):
                entry["strings"][key] += value
            else:
                entry[key] += value
        else:
            key, _space, value = line.partition(" ")
            if key.startswith("msgstr"):
                entry["strings"][key] = ast.literal_eval(value)
            else:
                entry[key] = ast.literal_eval(value)
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_entry_is_translated(language):
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    missing = [msgid for (_ctx, msgid), entry in entries.items()
               if entry["fuzzy"] or not all(entry["strings"].values())]
    assert not missing, f"{len(missing)} messages lack a {language} translation: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_the_sources(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = parse_po(po)
    for (context, msgid), entry in entries.items():
        if "msgid_plural" in entry:
            continue
        key = f"{context}\x04{msgid}" if context else msgid
        assert compiled._catalog.get(key) == entry["strings"]["msgstr"], f"{po.name}: recompile ({msgid!r})"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (scripts/test installs it)")
def test_no_message_is_missing_from_the_catalogs(tmp_path):
    copy = tmp_path / "sirbi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations", "static"))
    out = tmp_path / "out" / "locale"
    out.mkdir(parents=True)
    cwd = os.getcwd()
    try:
        os.chdir(copy)
        with override_settings(LOCALE_PATHS=[str(out)]):
            call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    extracted = set(parse_po(out / "en" / "LC_MESSAGES" / "django.po"))
    for language in LANGUAGES:
        catalog = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
        missing = sorted(msgid for _ctx, msgid in extracted - set(catalog))
        assert not missing, f"not in the {language} catalog (run `make messages`): {missing[:10]}"


def test_the_catalogs_compile_without_errors():
    if not shutil.which("msgfmt"):
        pytest.skip("needs GNU gettext (scripts/test installs it)")
    for language in LANGUAGES:
        po = LOCALE / language / "LC_MESSAGES" / "django.po"
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
