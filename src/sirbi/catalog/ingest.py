"""Importing a source's MARC files: every readable record is stored (byte-exact) with its normalised fields,
holdings and deduplication keys and put in a cluster; every unreadable one is kept in quarantine with its
reason; the rest of the file goes in. Re-importing a file changes nothing that did not change (no duplicates),
so an import that was cut off is resumed by running it again."""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sirbi.core.bulk import update_objects
from sirbi.registry.models import Library

from . import clusters, marc
from .indexing import index_clusters
from .models import Holding, MatchKey, Record, Rejected
from .normalise import normalise

BATCH = 500


@dataclass
class Report:
    filename: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)  # (position, reason)
    clusters: set = field(default_factory=set)  # clusters touched, for the search index

    @property
    def total(self):
        return self.added + self.updated + self.unchanged + len(self.rejected)

    def as_dict(self):
        return {"filename": self.filename, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": [list(r) for r in self.rejected]}


def _local_id(parsed, digest):
    if parsed.local_id:
        return parsed.local_id[:200]
    controls = parsed.record.get_fields("001")
    control = controls[0] if controls else None
    value = (control.data or "").strip() if control is not None else ""
    return value[:200] or f"sha256:{digest[:32]}"


def _holdings(source, parsed, libraries):
    """Holdings given beside the record (CSV), or from the source's holdings field, or one at the source's own
    library. A library named by a code is found through the source's codes, then as an ISIL."""
    given = parsed.holdings
    if given is None and source.holdings_tag:
        given = []
        for held in parsed.record.get_fields(source.holdings_tag):
            def sub(code, held=held):
                return (held.get_subfields(code) or [""])[0].strip() if code else ""
            given.append(dict(library_code=sub(source.holdings_library)[:60],
                              call_number=sub(source.holdings_call_number)[:200],
                              barcode=sub(source.holdings_barcode)[:100], status=sub(source.holdings_status)[:100]))
    rows = []
    codes = source.library_codes()
    for row in given or []:
        code = row["library_code"]
        key = codes.get(code.upper(), code).upper()
        rows.append(dict(row, library_id=(libraries.get(key) if code else source.library_id) or None))
    if not rows:
        rows.append(dict(library_id=source.library_id, library_code="", call_number="", barcode="", status=""))
    return rows


def library_lookup():
    """{ISIL in capitals: library id}, for the holdings fields that name their library."""
    return {isil.upper(): pk for pk, isil in Library.objects.exclude(isil=None).values_list("pk", "isil")}


STORED_FIELDS = ["raw", "raw_format", "digest", "deleted", "title", "sort_title", "authors", "isbns", "issns",
                 "other_ids", "year", "language", "material", "edition", "publisher", "place", "series", "subjects"]


def write_records(items, raw_format, libraries):
    """Store records — [(record, parsed, fields, digest)] — with their original bytes, normalised fields,
    holdings and deduplication keys, in a few bulk statements (not their clusters). Returns the records."""
    now = timezone.now()
    new, old = [], []
    for record, parsed, fields, digest in items:
        record.raw, record.raw_format, record.digest, record.deleted = parsed.raw, raw_format, digest, False
        for name, value in fields.items():
            setattr(record, name, value)
        record.updated = now
        (old if record.pk else new).append(record)
    if new:
        for record in new:
            record.created = now
        Record.objects.bulk_create(new, batch_size=500)
    if old:
        update_objects(old, STORED_FIELDS + ["updated"])
    records = [item[0] for item in items]
    ids = [r.pk for r in records]
    Holding.objects.filter(record_id__in=ids).delete()
    Holding.objects.bulk_create([Holding(record=record, **row) for record, parsed, _f, _d in items
                                 for row in _holdings(record.source, parsed, libraries)], batch_size=1000)
    MatchKey.objects.filter(record_id__in=ids).delete()
    MatchKey.objects.bulk_create([MatchKey(record=record, key=key) for record, _p, fields, _d in items
                                  for key in dict.fromkeys(clusters.keys_of(fields))], batch_size=1000)
    return records


def import_file(source, data, filename, *, progress=None):
    """Import one file into `source`; marc.FileError when the file as a whole cannot be read."""
    report = Report(filename=filename)
    libraries = library_lookup()
    raw_format = marc.detect(data)
    batch = []
    for parsed in marc.read(data, raw_format):
        batch.append(parsed)
        if len(batch) >= BATCH:
            _store(source, batch, filename, raw_format, libraries, report)
            batch = []
            if progress:
                progress(report.total)
    if batch:
        _store(source, batch, filename, raw_format, libraries, report)
    if progress:
        progress(report.total)
    if report.clusters:
        index_clusters(report.clusters)
    return report


def _store(source, batch, filename, raw_format, libraries, report):
    with transaction.atomic():
        readable = []
        for parsed in batch:
            reason = parsed.error
            if not reason:
                fields = normalise(parsed.record)
                if not fields["title"]:
                    reason = _("missing title (245 $a)")
            if reason:
                Rejected.objects.update_or_create(source=source, filename=filename[:250], position=parsed.position,
                                                  defaults={"raw": parsed.raw, "reason": reason[:500]})
                report.rejected.append((parsed.position, reason))
                continue
            digest = hashlib.sha256(parsed.raw).hexdigest()
            readable.append((parsed, fields, digest, _local_id(parsed, digest)))
        existing = {r.local_id: r for r in Record.objects.filter(source=source,
                                                                  local_id__in=[x[3] for x in readable])}
        pending = {}  # local id → (record, parsed, fields, digest): the last of the batch wins
        for parsed, fields, digest, local_id in readable:
            record = existing.get(local_id)
            if local_id in pending:
                record = pending[local_id][0]
            elif record is not None and record.digest == digest and not record.deleted:
                report.unchanged += 1
                continue
            if record is None:
                record = Record(source=source, local_id=local_id)
                report.added += 1
            elif local_id not in pending:
                report.updated += 1
            else:
                report.unchanged += 1  # the same record twice in one batch
            pending[local_id] = (record, parsed, fields, digest)
        changed = write_records(list(pending.values()), raw_format, libraries)
        report.clusters |= clusters.assign(changed)
