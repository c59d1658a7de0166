"""Deduplication, first pass: records of the same edition share a key — an ISBN, or the folded title with the
first author's surname, the year and the edition — and join one cluster; the representative is the most
complete member. (String similarity for near matches, explanations and cataloguers' splits and merges come
next; see docs/STATUS.md.)"""

from django.db import transaction

from .models import Cluster, MatchKey, Record
from .normalise import fold


def keys_of(fields):
    """The deduplication keys of a record's normalised fields."""
    keys = [f"isbn:{number}" for number in fields.get("isbns", [])]
    keys += [f"issn:{number}" for number in fields.get("issns", [])]
    title = fold(fields.get("title", ""))[:120]
    if title and fields.get("year"):
        author = fold((fields.get("authors") or [""])[0].split(",")[0])
        edition = fold(fields.get("edition", ""))
        keys.append(f"tay:{title}|{author}|{fields['year']}|{edition}"[:200])
    return keys


def set_keys(record, keys):
    MatchKey.objects.filter(record=record).exclude(key__in=keys).delete()
    existing = set(MatchKey.objects.filter(record=record).values_list("key", flat=True))
    MatchKey.objects.bulk_create([MatchKey(record=record, key=key) for key in keys if key not in existing])


def assign(records):
    """Put each record (saved, with its keys) in the cluster of another live record sharing a key, or in a new
    one; then choose the representatives of the clusters touched. Returns the clusters touched."""
    touched = set()
    with transaction.atomic():
        for record in records:
            keys = list(MatchKey.objects.filter(record=record).values_list("key", flat=True))
            previous = record.cluster_id
            match = (Record.objects.filter(keys__key__in=keys, deleted=False, cluster__isnull=False)
                     .exclude(pk=record.pk).order_by("cluster_id").values_list("cluster_id", flat=True).first()
                     if keys else None)
            if match is None:
                if previous and Record.objects.filter(cluster_id=previous).exclude(pk=record.pk).exists():
                    match = Cluster.objects.create().pk  # it no longer matches its old companions
                else:
                    match = previous or Cluster.objects.create().pk
            if match != previous:
                record.cluster_id = match
                Record.objects.filter(pk=record.pk).update(cluster_id=match)
                if previous:
                    touched.add(previous)
            touched.add(match)
        choose_representatives(touched)
    return touched


def choose_representatives(cluster_ids):
    for cluster in Cluster.objects.filter(pk__in=cluster_ids):
        members = [r for r in Record.objects.filter(cluster=cluster, deleted=False)]
        if not members:
            cluster.delete()
            continue
        best = max(members, key=lambda r: (r.completeness, -r.pk))
        if cluster.representative_id != best.pk:
            Cluster.objects.filter(pk=cluster.pk).update(representative=best)


def leave(record):
    """A record deleted at its source leaves its cluster (which keeps its other members, or goes)."""
    previous = record.cluster_id
    Record.objects.filter(pk=record.pk).update(cluster=None)
    MatchKey.objects.filter(record=record).delete()
    choose_representatives({previous})
