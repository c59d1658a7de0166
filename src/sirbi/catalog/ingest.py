"""Importing a source's files: every readable record is stored (byte-exact) with its normalised fields,
holdings and deduplication keys and put in a cluster; every unreadable one is kept in quarantine with its
reason; the rest of the file goes in. Re-importing a file changes nothing that did not change (no duplicates),
so an import that was cut off is resumed by running it again.

The work is split in two: `prepare.py` reads and normalises (no database; for a large ISO 2709 file in worker
processes), this module stores a thousand records at a time in a few bulk statements on the driver's cursor
(core.bulk), places them in clusters, and at the end brings the search index up to date. Each batch commits
with its clusters' marks for the index (indexing.mark_stale), so the records of an import that was killed are
indexed by its re-run, the next import or harvest, or the worker."""

import json
import multiprocessing
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sirbi.core import batches
from sirbi.core.bulk import checkpoints_spaced, collection_paused, insert_rows, reserve_ids, select_in, update_rows
from sirbi.core.models import ImportBatch

from . import clusters, marc
from .indexer import index_alongside
from .indexing import index_stale
from .models import Holding, MatchKey, Record, Rejected
from .prepare import LISTS, MISSING_TITLE, HoldingsConfig, prepared_batches

gettext_noop("missing title (245 $a)")  # prepare.MISSING_TITLE, translated when it is stored

FIELDS = ["title", "sort_title", "authors", "isbns", "issns", "other_ids", "year", "language", "material", "edition",
          "publisher", "place", "series", "subjects", "notes", "work_key"]
STORED = ["raw", "raw_format", "digest", "deleted", *FIELDS, "updated"]
INSERTED = ["source_id", "local_id", *STORED, "match_reason", "created"]
HOLDING = ["record_id", "library_id", "library_code", "call_number", "barcode", "status"]
# Files from this size on are indexed by a process beside the import (indexer.py), on an on-disk database.
INDEX_ALONGSIDE_BYTES = 20_000_000
INDEX_ALONGSIDE_MARKS = 10  # stored batches the indexing process lets wait before it indexes them


@dataclass
class Report:
    filename: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)  # (position, reason)
    batch: object = None  # the core.ImportBatch recording this file

    @property
    def total(self):
        return self.added + self.updated + self.unchanged + len(self.rejected)

    def as_dict(self):
        return {"filename": self.filename, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": [list(r) for r in self.rejected],
                "batch": self.batch.pk if self.batch is not None else None}


def holdings_config(source):
    return HoldingsConfig(source.holdings_tag, source.holdings_library, source.holdings_call_number,
                          source.holdings_barcode, source.holdings_status)


class Store:
    """Stores prepared records of one source, a batch at a time, counting them in `report`."""

    def __init__(self, source, raw_format, report):
        self.source, self.raw_format, self.report = source, raw_format, report
        # {ISIL in capitals: id} of the libraries the source may list copies of; others keep only their code.
        self.libraries = {isil.upper(): pk for pk, isil in
                          source.holding_libraries().exclude(isil=None).values_list("pk", "isil")}
        self.codes = source.library_codes()
        fields = {f.attname: f for f in Record._meta.concrete_fields}
        self.json = {name for name in INSERTED if fields[name].get_internal_type() == "JSONField"}
        # SQLite stores JSON as the text the workers already made (json.dumps, as Django's adapter does).
        self.as_text = connection.vendor == "sqlite" and self.json == {*LISTS, "match_reason"}
        self.adapt = connection.ops.adapt_json_value

    def _row(self, item, now, reason=None):
        """The record's INSERTED values as the database takes them (JSON adapted by the database backend)."""
        reason = reason or {}
        fields = item.fields
        if self.as_text and item.as_json:
            text = item.as_json
            values = [text[name] if name in text else fields[name] for name in FIELDS]
            reason = json.dumps(reason) if reason else "{}"
        else:
            values = [self.adapt(fields[name], None) if name in self.json else fields[name] for name in FIELDS]
            reason = self.adapt(reason, None)
        # In INSERTED's order.
        return [self.source.pk, item.local_id, item.raw, self.raw_format, item.digest, False, *values, now, reason,
                now]

    def _holdings(self, record_id, item):
        if item.holdings is None:
            return [(record_id, self.source.library_id, "", "", "", "")]
        rows = []
        for row in item.holdings:
            code = row["library_code"]
            library = self.libraries.get(self.codes.get(code.upper(), code).upper()) if code else \
                self.source.library_id
            rows.append((record_id, library, code, row["call_number"], row["barcode"], row["status"]))
        return rows

    def quarantine(self, filename, items):
        """Keep unreadable items with their reasons (the file's earlier rejections were cleared first)."""
        rejected = []
        for item in items:
            reason = _(MISSING_TITLE) if item.error == MISSING_TITLE else item.error
            rejected.append(Rejected(source=self.source, filename=filename[:250], position=item.position,
                                     raw=item.raw, reason=reason[:500]))
            self.report.rejected.append((item.position, reason))
        Rejected.objects.bulk_create(rejected)

    def store(self, items):
        """Store readable Prepared items (the last of a local id wins), place them in clusters."""
        report = self.report
        existing = {row[0]: row[1:] for row in select_in(
            f"SELECT local_id, id, digest, deleted, cluster_id FROM {Record._meta.db_table} "
            f"WHERE source_id = %s AND local_id IN ({{in}})", {i.local_id for i in items}, [self.source.pk])}
        pending = {}
        for item in items:
            old = existing.get(item.local_id)
            if item.local_id in pending:
                report.unchanged += 1  # the same record twice in one batch
            elif old is not None and old[1] == item.digest and not old[2]:
                report.unchanged += 1
                continue
            elif old is None:
                report.added += 1
            else:
                report.updated += 1
            pending[item.local_id] = item
        if not pending:
            return
        now = Record._meta.get_field("updated").get_db_prep_save(timezone.now(), connection)
        new = [item for item in pending.values() if item.local_id not in existing]
        old = [item for item in pending.values() if item.local_id in existing]
        # The new records' ids first, so that each record is written once, already in its cluster (the reason
        # it joined names the record it joined, which may be one of this batch).
        ids = dict(zip([i.local_id for i in new], reserve_ids(Record, len(new)), strict=True))
        if old:
            old_ids = [existing[i.local_id][0] for i in old]
            Holding.objects.filter(record_id__in=old_ids).delete()
            MatchKey.objects.filter(record_id__in=old_ids).delete()
            ids.update({i.local_id: existing[i.local_id][0] for i in old})
        placed = {item.local_id: clusters.Candidate(
            ids[item.local_id], self.source.pk, item.local_id,
            existing[item.local_id][3] if item.local_id in existing else None,
            *(item.fields[name] for name in ("title", "authors", "year", "edition", "isbns")))
            for item in pending.values()}
        touched, fresh = clusters.place(list(placed.values()),
                                        keys={ids[i.local_id]: i.keys for i in pending.values()})
        insert_rows(Record, ["id", *INSERTED, "cluster_id"],
                    [[ids[i.local_id], *self._row(i, now, placed[i.local_id].match_reason),
                      placed[i.local_id].cluster_id] for i in new])
        if old:
            update_rows(Record, [*STORED, "cluster_id", "match_reason"],
                        [self._row(i, now)[2:2 + len(STORED)]
                         + [placed[i.local_id].cluster_id, self.adapt(placed[i.local_id].match_reason, None),
                            existing[i.local_id][0]] for i in old])
        insert_rows(Holding, HOLDING, [row for item in pending.values()
                                       for row in self._holdings(ids[item.local_id], item)])
        insert_rows(MatchKey, ["record_id", "key"], [(ids[item.local_id], key) for item in pending.values()
                                                     for key in item.keys])
        by_id = {ids[item.local_id]: item for item in pending.values()}
        clusters.settle(touched, fresh, placed.values(),
                        lambda record: clusters.completeness(by_id[record.pk].fields, len(by_id[record.pk].raw)))


def import_file(source, data, filename, *, user=None, progress=None, workers=None, index=True):
    """Import one file into `source` as `user`; marc.FileError when the file as a whole cannot be read.
    `index=False` leaves the clusters marked for the index (a loader of many files indexes once, at the end).

    The file is one import batch (kept, with its counts); records are stored batch by batch (each committed,
    so that a crash loses at most one), which makes the import resumable rather than all or nothing."""
    report = Report(filename=filename)
    raw_format = marc.detect(data)
    packed = batches.pack_in_background(data)  # the kept copy, compressed in a thread meanwhile
    store = Store(source, raw_format, report)
    # This file's earlier rejections go: the validation report says what is wrong with the file as it is now.
    Rejected.objects.filter(source=source, filename=filename[:250]).delete()
    processes = settings.CATALOG_INGEST_PROCESSES if workers is None else workers
    alongside = None
    if (index and processes >= 1 and len(data) >= INDEX_ALONGSIDE_BYTES
            and not getattr(connection, "is_in_memory_db", lambda: False)()):
        context = multiprocessing.get_context("spawn")
        alongside = (context.Event(),)
        alongside += (context.Process(target=index_alongside, args=(alongside[0], INDEX_ALONGSIDE_MARKS)),)
        alongside[1].start()
    try:
        with checkpoints_spaced(), collection_paused():
            for batch in prepared_batches(data, raw_format, holdings_config(source), processes):
                with transaction.atomic():
                    store.quarantine(filename, [item for item in batch if item.error])
                    store.store([item for item in batch if not item.error])
                if progress:
                    progress(report.total)
    finally:
        if alongside:
            alongside[0].set()
            alongside[1].join()
    if index:
        index_stale()
    report.batch = batches.close_batch(
        batches.open_batch(user=user, kind=ImportBatch.Kind.CATALOG_RECORDS, filename=filename, data=packed,
                           message=source.code, country=source.changelog_country()),
        create=report.added, update=report.updated, unchanged=report.unchanged, skipped=len(report.rejected))
    return report
