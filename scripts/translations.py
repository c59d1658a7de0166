"""Keep the es/pt/en translation catalogs complete (a developers' tool; needs polib, GNU gettext and git).

    python scripts/translations.py missing            # the messages without a Spanish or Portuguese text, as JSON
    python scripts/translations.py fill texts.json    # write them: {"msgid": ["es", "pt"]}; plural messages take
                                                      # [["es one", "es other"], ["pt one", "pt other"]]
    python scripts/translations.py merge              # after a git merge that conflicts in the catalogs: keep the
                                                      # entries and texts of both sides

`make messages` (or the makemessages command it runs) collects the messages first. `fill` also fills the English
catalog with the source texts, clears "fuzzy" and compiles the .mo files.
"""

import json
import subprocess
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "src" / "sirbi" / "locale"
TRANSLATED = ("es", "pt")


def catalog(language):
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def untranslated(entry):
    if entry.obsolete:
        return False
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not all(entry.msgstr_plural.values())
    return not entry.msgstr


def missing():
    found = {}
    for language in TRANSLATED:
        for entry in polib.pofile(str(catalog(language))):
            if untranslated(entry):
                found.setdefault(entry.msgid, {"plural": entry.msgid_plural or None, "context": entry.msgctxt,
                                               "missing_in": []})["missing_in"].append(language)
    json.dump(found, sys.stdout, ensure_ascii=False, indent=1)
    print()
    print(f"{len(found)} messages to translate", file=sys.stderr)


def _set(entry, text):
    if entry.msgid_plural:
        if isinstance(text, str):
            raise SystemExit(f"{entry.msgid!r} is a plural message: give [one, other]")
        entry.msgstr_plural = {i: text[min(i, len(text) - 1)] for i in range(max(2, len(entry.msgstr_plural)))}
    else:
        if not isinstance(text, str):
            raise SystemExit(f"{entry.msgid!r} is not a plural message: give one text")
        entry.msgstr = text
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None


def fill(path):
    texts = json.loads(Path(path).read_text(encoding="utf-8"))
    for index, language in enumerate(TRANSLATED):
        po = polib.pofile(str(catalog(language)), wrapwidth=79)
        for entry in po:
            if entry.msgid in texts and not entry.obsolete:
                _set(entry, texts[entry.msgid][index])
        po.save()
    english = polib.pofile(str(catalog("en")), wrapwidth=79)
    for entry in english:
        _set(entry, [entry.msgid, entry.msgid_plural] if entry.msgid_plural else entry.msgid)
    english.save()
    for language in (*TRANSLATED, "en"):
        po = catalog(language)
        # msgcat writes the file as makemessages does, so that later diffs show only real changes.
        subprocess.run(["msgcat", "--width=79", "-o", str(po), str(po)], check=True)
        subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    left = sum(untranslated(e) for language in TRANSLATED for e in polib.pofile(str(catalog(language))))
    print(f"filled; {left} entries still without a text")


def merge():
    for language in (*TRANSLATED, "en"):
        path = catalog(language)
        relative = str(path.relative_to(LOCALE.parents[2]))
        sides = []
        for stage in (2, 3):
            shown = subprocess.run(["git", "show", f":{stage}:{relative}"], capture_output=True, text=True)
            if shown.returncode:
                break
            sides.append(polib.pofile(shown.stdout, wrapwidth=79))
        if len(sides) < 2:
            continue
        ours, theirs = sides
        for entry in theirs:
            if entry.obsolete:
                continue
            mine = ours.find(entry.msgid, msgctxt=entry.msgctxt)
            if mine is None:
                ours.append(entry)
            elif untranslated(mine) and not untranslated(entry):
                mine.msgstr, mine.msgstr_plural, mine.flags = entry.msgstr, entry.msgstr_plural, entry.flags
        ours.save(str(path))
        subprocess.run(["git", "add", relative], check=True)
        print(f"merged {relative}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "missing":
        missing()
    elif command == "fill" and len(sys.argv) == 3:
        fill(sys.argv[2])
    elif command == "merge":
        merge()
    else:
        raise SystemExit(__doc__)
