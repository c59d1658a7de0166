"""Deduplication's blocking keys became narrower (the title proper's first two significant words instead of
the title's first word): the keys of the records already stored are computed again, so that new records
are compared with them."""

from django.db import migrations

from sirbi.catalog.normalise import keys_of

FIELDS = ["title", "authors", "year", "edition", "isbns", "issns"]


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
