"""core.bulk.reserve_ids: ids reserved before the rows that carry them are inserted (an import writes a record
already in its cluster, with the id of the record it joined)."""

import pytest
from django.db import transaction

from sirbi.catalog.models import Cluster
from sirbi.core.bulk import insert_rows, reserve_ids

pytestmark = pytest.mark.django_db


def test_reserved_ids_follow_every_id_given_before_even_of_deleted_rows():
    first, second = Cluster.objects.create(), Cluster.objects.create()
    gone = second.pk
    second.delete()  # its id must not come back
    with transaction.atomic():
        ids = reserve_ids(Cluster, 3)
        assert ids == sorted(ids) and len(set(ids)) == 3
        assert min(ids) > gone > first.pk
        insert_rows(Cluster, ["id", "created", "updated"],
                    [(pk, "2026-12-06 10:00:00", "2026-12-06 10:00:00") for pk in ids])
    assert set(Cluster.objects.filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)
    # Rows created afterwards the usual way get ids after the reserved ones.
    assert Cluster.objects.create().pk > max(ids)



def test_checkpoints_are_spaced_only_during_the_block():
    from django.db import connection

    from sirbi.core.bulk import checkpoints_spaced

    def interval():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    if connection.vendor != "sqlite":
        with checkpoints_spaced():  # nothing to do elsewhere, and no error
            return
    before = interval()
    with checkpoints_spaced(pages=12_345):
        assert interval() == 12_345
    assert interval() == before
