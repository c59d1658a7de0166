"""The part of an import that needs no database: reading each record, normalising it, its digest, its
identifier at the source, its deduplication keys and its copies. No Django here, so that it can run in other
processes: a large ISO 2709 file is cut at record boundaries (as pymarc reads it) into chunks that worker
processes prepare while the importing process stores the chunks already prepared."""

import gc
import hashlib
import multiprocessing
from collections import deque
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii

from . import marc
from .normalise import keys_of, normalise

MISSING_TITLE = "missing title (245 $a)"
CHUNK_RECORDS = 2000  # records per chunk a worker prepares (and per batch the importer stores)
LISTS = ("authors", "isbns", "issns", "other_ids", "subjects")  # the fields stored as JSON
PARALLEL_BYTES = 4_000_000  # smaller files are prepared in the importing process


@dataclass(frozen=True)
class HoldingsConfig:
    """Where a source's records carry their copies (Source.holdings_*); tag '' means nowhere."""

    tag: str = ""
    library: str = ""
    call_number: str = ""
    barcode: str = ""
    status: str = ""


@dataclass
class Prepared:
    position: int
    raw: bytes
    error: str = ""  # why it cannot be stored (it goes to quarantine)
    local_id: str = ""
    fields: dict = field(default_factory=dict)
    digest: str = ""
    keys: list = field(default_factory=list)
    # [{library_code, call_number, barcode, status}], or None: one copy at the source's own library.
    holdings: list | None = None
    # LISTS as JSON text, made here (in a worker) for the databases that take it as text (SQLite).
    as_json: dict = field(default_factory=dict)


def _local_id(parsed, digest):
    if parsed.local_id:
        return parsed.local_id[:200]
    controls = parsed.record.get_fields("001")
    value = (controls[0].data or "").strip() if controls else ""
    return value[:200] or f"sha256:{digest[:32]}"


def _holdings(parsed, config):
    if parsed.holdings is not None:
        return parsed.holdings or None
    if not config.tag:
        return None
    rows = []
    for held in parsed.record.get_fields(config.tag):
        def sub(code, held=held):
            return (held.get_subfields(code) or [""])[0].strip() if code else ""
        rows.append({"library_code": sub(config.library)[:60], "call_number": sub(config.call_number)[:200],
                     "barcode": sub(config.barcode)[:100], "status": sub(config.status)[:100]})
    return rows or None


def _json_list(values):
    """json.dumps of a list of strings (LISTS hold text only): the same text, without the encoder's general
    machinery, which costs more than the encoding on lists this short."""
    if not values:
        return "[]"
    return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]"


def prepare(parsed, config):
    """A marc.Parsed made ready to store."""
    if parsed.record is None:
        return Prepared(parsed.position, parsed.raw, parsed.error or "unreadable record")
    fields = normalise(parsed.record)
    if not fields["title"]:
        return Prepared(parsed.position, parsed.raw, MISSING_TITLE)
    digest = hashlib.sha256(parsed.raw).hexdigest()
    return Prepared(parsed.position, parsed.raw, "", _local_id(parsed, digest), fields, digest,
                    list(dict.fromkeys(keys_of(fields))), _holdings(parsed, config),
                    {name: _json_list(fields[name]) for name in LISTS})


def _prepare_chunk(task):
    data, first_position, raw_format, config = task
    prepared = []
    for parsed in marc.read(data, raw_format, fast=True):
        parsed.position += first_position - 1
        prepared.append(prepare(parsed, config))
    return prepared


def _worker_start():
    # A worker makes many short-lived objects and no reference cycles of note: the cyclic garbage collector
    # would only cost time (about an eighth of it).
    gc.disable()


def iso2709_chunks(data, records=None):
    """(bytes, position of its first record) of `records` whole records each, cut where marc.read cuts."""
    records = records or CHUNK_RECORDS
    first, count, start = 1, 0, None
    for begin, end, _problem in marc.iso2709_records(data):
        if start is None:
            start = begin
        count += 1
        if count == records:
            yield data[start:end], first
            first, count, start = first + records, 0, None
    if start is not None:
        yield data[start:], first


def prepared_batches(data, raw_format, config, processes=1):
    """Lists of Prepared, in file order, CHUNK_RECORDS at a time; large ISO 2709 files are prepared by
    `processes` worker processes (spawned: nothing of the importing process is inherited)."""
    if raw_format != "iso2709" or processes < 1 or len(data) < PARALLEL_BYTES:
        batch = []
        for parsed in marc.read(data, raw_format, fast=True):
            batch.append(prepare(parsed, config))
            if len(batch) >= CHUNK_RECORDS:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    with multiprocessing.get_context("spawn").Pool(processes, initializer=_worker_start) as pool:
        # A few chunks in flight, not the whole file: memory stays flat when storing is slower than reading.
        pending = deque()
        for chunk, first in iso2709_chunks(data):
            pending.append(pool.apply_async(_prepare_chunk, ((chunk, first, raw_format, config),)))
            if len(pending) > 2 * processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
