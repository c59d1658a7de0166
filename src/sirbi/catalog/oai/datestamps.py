"""The OAI-PMH datestamps of clusters: every change to a cluster's records or holdings moves its `updated`, and a
cluster that goes leaves a tombstone. Called once, in the transaction of the change, by
`clusters.choose_representatives` (which every import batch, harvest page, deletion at a source, split and merge
goes through): the bulk paths write clusters with raw statements that Django's auto_now never sees."""

from django.db import connection
from django.utils import timezone

from sirbi.core.bulk import execute_in

from ..models import Cluster, ClusterTombstone

CHUNK = 2000


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def clusters_changed(live, gone):
    """`live`: ids of clusters whose records or holdings changed; `gone`: ids of clusters just deleted."""
    now = timezone.now()
    # Raw statements: an import batch passes thousands of ids, which the ORM would prepare one by one.
    live = sorted(live)
    execute_in(f"UPDATE {Cluster._meta.db_table} SET updated = %s WHERE id IN ({{in}})", live,
               [Cluster._meta.get_field("updated").get_db_prep_save(now, connection)], chunk=CHUNK)
    # SQLite may give a new cluster the number of the last one deleted: the identifier is live again.
    execute_in(f"DELETE FROM {ClusterTombstone._meta.db_table} WHERE id IN ({{in}})", live, chunk=CHUNK)
    for chunk in _chunks(gone):
        ClusterTombstone.objects.filter(pk__in=chunk).delete()
        ClusterTombstone.objects.bulk_create([ClusterTombstone(pk=pk, deleted=now) for pk in chunk])
