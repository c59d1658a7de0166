"""Records gain their work key (what links the editions and translations of a work) and their notes (searched).
The stored records' values are computed from their original bytes with the catalog's reader and
normalise.normalise as they are when this migration is written (a later change of the rules needs its own
migration); the search index picks them up at the next `sirbi reindex`."""

from django.db import migrations, models


def fill_work_keys(apps, schema_editor):
    from sirbi.catalog.marc import read
    from sirbi.catalog.normalise import normalise

    Record = apps.get_model("catalog", "Record")
    ids = list(Record.objects.filter(deleted=False).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        changed = []
        for record in Record.objects.filter(pk__in=ids[start:start + 2000]).only("pk", "raw", "raw_format"):
            parsed = next((p.record for p in read(bytes(record.raw), record.raw_format) if p.record), None)
            if parsed is not None:
                fields = normalise(parsed)
                record.work_key, record.notes = fields["work_key"], fields["notes"]
                changed.append(record)
        Record.objects.bulk_update(changed, ["work_key", "notes"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_stale_documents")]

    operations = [
        migrations.AddField(
            model_name="record",
            name="work_key",
            field=models.CharField(blank=True, db_index=True, max_length=300, verbose_name="work"),
        ),
        migrations.AddField(
            model_name="record",
            name="notes",
            field=models.TextField(blank=True, verbose_name="notes"),
        ),
        migrations.RunPython(fill_work_keys, migrations.RunPython.noop),
    ]
