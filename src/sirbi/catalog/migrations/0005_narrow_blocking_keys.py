"""Deduplication's blocking keys became narrower (the title proper's first two significant words instead of
the title's first word): the keys of the records already stored are computed again, so that new records
are compared with them. The key rules are copied here as they were when this migration was written
(catalog.normalise.keys_of may change later; a change of the rules needs its own migration)."""

import re
import unicodedata

from django.db import migrations

FIELDS = ["title", "authors", "year", "edition", "isbns", "issns"]
STOP = {"the", "a", "an", "el", "la", "los", "las", "lo", "un", "una", "o", "os", "as", "um", "uma", "le", "les",
        "de", "del", "da", "do", "di", "der", "die", "das"}


def fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def keys_of(fields):
    keys = [f"isbn:{number}" for number in fields.get("isbns", [])]
    keys += [f"issn:{number}" for number in fields.get("issns", [])]
    title = fold(fields.get("title", ""))[:120]
    author = fold((fields.get("authors") or [""])[0].split(",")[0])
    words = " ".join([w for w in fold(fields.get("title", "").split(" : ")[0]).split() if w not in STOP][:2])
    if title and fields.get("year"):
        keys.append(f"tay:{title}|{author}|{fields['year']}|{fold(fields.get('edition', ''))}"[:200])
        if words:
            keys.append(f"blk:{words}|{fields['year']}"[:200])
    if words:
        keys.append(f"blk:{words}|{author}"[:200])
    return keys


def rekey(apps, schema_editor):
    Record = apps.get_model("catalog", "Record")
    MatchKey = apps.get_model("catalog", "MatchKey")
    ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        rows = Record.objects.filter(pk__in=chunk, deleted=False).values_list("pk", *FIELDS)
        MatchKey.objects.filter(record_id__in=chunk).delete()
        MatchKey.objects.bulk_create([MatchKey(record_id=row[0], key=key) for row in rows
                                      for key in dict.fromkeys(keys_of(dict(zip(FIELDS, row[1:], strict=True))))],
                                     batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_source_formats_and_codes")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
