"""Catalog search behind a small back-end interface; the back-end here is an embedded Tantivy index (one
document per cluster) kept under VAR_DIR, derived from the database and rebuilt by `sirbi reindex`.

A distributed engine (Solr, OpenSearch) replaces it by implementing the same four methods — `add`, `delete`,
`commit`, `search` — over the same documents (see `indexing.document_for`); nothing else changes.

Queries: one box with keywords over title, author, subject, ISBN and publisher; `title:`, `author:`,
`subject:`, `isbn:`, `year:` (also `year:[1990 TO 2000]`); AND, OR, NOT and "phrases". Case and diacritics
are folded on both sides ("educacion" finds "educación")."""

import re
import threading
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import tantivy
from django.conf import settings
from django.utils.translation import gettext_lazy
from stdnum import isbn as stdisbn
from stdnum.exceptions import ValidationError as NumberInvalid

from sirbi.core.params import whole_number
from sirbi.core.text import fold

from . import search_tree

TEXT_FIELDS = ["title", "author", "subject", "isbn", "publisher"]
FACETS = ["country", "network", "library", "language", "material", "subject_facet"]
FIELD_ALIASES = {"title": "title", "author": "author", "subject": "subject", "isbn": "isbn", "year": "year",
                 "publisher": "publisher"}
SORTS = {"relevance": gettext_lazy("relevance"), "year": gettext_lazy("year (newest first)"),
         "title": gettext_lazy("title")}
TOKEN = re.compile(r'(\w+:\[[^\]]*\]|\w+:"[^"]*"|"[^"]*"|\S+)')
_lock = threading.Lock()


class QueryError(ValueError):
    """The query cannot be understood; the message says where."""


def schema():
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")  # the cluster id, for updates and deletes
    for name in ("title", "author", "subject", "publisher"):
        builder.add_text_field(name, stored=False, tokenizer_name="fold")
    builder.add_text_field("isbn", stored=False, tokenizer_name="raw")
    for name in FACETS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    builder.add_text_field("sort_title", stored=False, tokenizer_name="raw", fast=True)
    return builder.build()


def _fold_analyzer():
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


@dataclass
class Result:
    count: int
    keys: list  # cluster ids, in order
    facets: dict = field(default_factory=dict)  # facet → [(value, count)]


class TantivyBackend:
    def __init__(self, path=None):
        self.path = Path(path or settings.CATALOG_INDEX_DIR)
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(schema(), path=str(self.path))
        self.index.register_tokenizer("fold", _fold_analyzer())
        self._writer = None
        # One backend serves all of a process's threads (gunicorn runs several per worker): a unit of work —
        # open the writer, add and delete, commit or roll back — holds this lock throughout, so no thread
        # commits, drops or rolls back another's half-done writer. Re-entrant: add/delete/commit take it too.
        self._write_lock = threading.RLock()
        self._loaded = None  # meta.json's (mtime, size) when the reader last reloaded

    # Writing: one writer at a time (Tantivy's lock); readers see a commit whole or not at all.
    def writer(self):
        with self._write_lock:
            if self._writer is None:
                self._writer = self.index.writer(heap_size=128_000_000, num_threads=1)
            return self._writer

    @contextmanager
    def writing(self, wait):
        """One unit of work on the index for this thread: yields True holding the writer (other threads wait,
        other processes meet Tantivy's lock), or False when another thread or process kept it for `wait`
        seconds. Whatever is not committed when the block ends is rolled back, with the writer's lock."""
        deadline = time.monotonic() + wait
        if not self._write_lock.acquire(timeout=wait):
            yield False
            return
        try:
            opened = self._open_writer(deadline)
            try:
                yield opened
            finally:
                self.rollback()  # nothing left after a commit; else the half-done work goes
        finally:
            self._write_lock.release()

    def _open_writer(self, deadline):
        """Open the writer, waiting until `deadline` while another process holds it; False if it stays busy."""
        while True:
            try:
                self.writer()
                return True
            except ValueError as error:  # tantivy: "Failed to acquire Lockfile: LockBusy ..."
                if "LockBusy" not in str(error):
                    raise
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.5)

    def add(self, document):
        doc = tantivy.Document()
        for name, values in document.items():
            for value in values if isinstance(values, list) else [values]:
                if value is None or value == "":
                    continue
                if name == "year":
                    doc.add_integer(name, int(value))
                else:
                    # Composed accents: the tokenizer would split a word at a combining mark.
                    doc.add_text(name, unicodedata.normalize("NFC", str(value)))
        with self._write_lock:
            self.writer().add_document(doc)

    def delete(self, key):
        with self._write_lock:
            self.writer().delete_documents_by_term("key", str(key))

    def commit(self):
        with self._write_lock:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
        self._reload()

    def rollback(self):
        """Drop what was written since the last commit, and the writer with its lock."""
        with self._write_lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None

    def _meta_state(self):
        try:
            meta = (self.path / "meta.json").stat()
        except FileNotFoundError:
            return None
        return (meta.st_mtime_ns, meta.st_size)

    def _reload(self):
        state = self._meta_state()
        self.index.reload()
        self._loaded = state

    def _fresh_searcher(self):
        """A searcher over the last commit, whoever made it: Tantivy's reader follows another process's (or
        backend's) commit only after a delay, and the page cache keys search pages by meta.json — a page
        cached under the new state must be built from it. Reloading only when meta.json changed keeps it cheap."""
        if self._meta_state() != self._loaded:
            self._reload()
        return self.index.searcher()

    def count(self):
        self._reload()
        return self.index.searcher().num_docs

    def find(self, tree, sort="relevance", offset=0, limit=20):
        """Search with a structured query (`search_tree` nodes, as a protocol asks), without facets."""
        searcher = self._fresh_searcher()
        options = {"year": {"order_by_field": "year", "order": tantivy.Order.Desc},
                   "year_asc": {"order_by_field": "year", "order": tantivy.Order.Asc},
                   "title": {"order_by_field": "sort_title", "order": tantivy.Order.Asc},
                   "title_desc": {"order_by_field": "sort_title", "order": tantivy.Order.Desc}}.get(sort, {})
        # Tantivy wants a limit of one at least: a request for the count alone takes one hit and drops it.
        found = searcher.search(search_tree.tantivy_query(self.index.schema, tree), max(limit, 1), offset=offset,
                                count=True, **options)
        hits = found.hits[:limit]
        return Result(count=found.count, keys=[int(searcher.doc(address)["key"][0]) for _s, address in hits])

    def browse(self, field, start, before=0, after=20):
        """A field's terms around `start`, with their document counts (see `search_tree.terms_from`)."""
        return search_tree.terms_from(self._fresh_searcher(), field, start, before, after)

    def search(self, text, filters=None, sort="relevance", offset=0, limit=20, facet_size=20):
        query = self._query(text, filters or {})
        searcher = self._fresh_searcher()
        options = {}
        if sort == "year":
            options = {"order_by_field": "year", "order": tantivy.Order.Desc}
        elif sort == "title":
            options = {"order_by_field": "sort_title", "order": tantivy.Order.Asc}
        found = searcher.search(query, limit, offset=offset, count=True, **options)
        keys = [int(searcher.doc(address)["key"][0]) for _score, address in found.hits]
        aggregations = searcher.aggregate(query, facet_aggregations(facet_size))
        facets = {name: [(b["key"], b["doc_count"]) for b in aggregations.get(name, {}).get("buckets", [])]
                  for name in FACETS}
        return Result(count=found.count, keys=keys, facets=facets)

    def _query(self, text, filters):
        prepared = parse_query(text)
        try:
            main = self.index.parse_query(prepared or "*", TEXT_FIELDS) if prepared else None
        except ValueError as exc:
            raise QueryError(str(exc)) from exc
        clauses = [(tantivy.Occur.Must, main)] if main is not None else []
        for name in FACETS:
            value = filters.get(name)
            if value:
                clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.index.schema, name, value)))
        low, high = filters.get("year_from"), filters.get("year_to")
        if low or high:
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.index.schema, "year", tantivy.FieldType.Integer, int(low or 0), int(high or 9999))))
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)


def facet_aggregations(size):
    """Tantivy terms aggregations for the facets: the `size` most frequent values of each over all matches.
    Each index segment proposes its top 2 × size values (not Tantivy's default 1.5 × size + 10): on subjects
    and libraries, with hundreds of thousands of values, that halves the time at a million records, and a
    value's count can only be short when it is outside a segment's top 2 × size."""
    return {name: {"terms": {"field": name, "size": size, "segment_size": 2 * size}} for name in FACETS}


def search_params(get):
    """What a search request (page or API) asks: the query text, the facet filters, the sort."""
    filters = {name: get.get(name, "").strip() for name in FACETS if get.get(name, "").strip()}
    for name in ("year_from", "year_to"):
        year = whole_number(get.get(name), low=0, high=9999)
        if year is not None:
            filters[name] = year
    sort = get.get("sort") if get.get("sort") in SORTS else "relevance"
    return get.get("q", "").strip(), filters, sort


def _isbn_term(value):
    digits = re.sub(r"[^0-9Xx]", "", value)
    try:
        return stdisbn.to_isbn13(stdisbn.validate(digits))
    except NumberInvalid:
        return digits


def parse_query(text):
    """The user's query in the parser's syntax: fields named as ours, terms folded, ISBNs as ISBN-13."""
    parts = []
    for token in TOKEN.findall(text or ""):
        if token in ("AND", "OR", "NOT"):
            parts.append(token)
            continue
        prefix, colon, value = token.partition(":")
        if colon and prefix.lower() in FIELD_ALIASES and value:
            name = FIELD_ALIASES[prefix.lower()]
            if name == "isbn":
                parts.append(f"isbn:{_isbn_term(value)}")
            elif name == "year":
                if not re.fullmatch(r'\d{4}|\[\d{4} TO \d{4}\]', value):
                    raise QueryError(f"year: takes a year (2001) or a range ([1990 TO 2000]), not {value}")
                parts.append(f"year:{value}")
            else:
                parts.append(f"{name}:{_escape(fold(value))}")
            continue
        sign = token[0] if token[0] in "+-" and len(token) > 1 else ""
        word = token[len(sign):]
        if re.fullmatch(r"[\d\-Xx]{10,17}", word) and len(re.sub(r"[^0-9Xx]", "", word)) in (10, 13):
            parts.append(f"{sign}isbn:{_isbn_term(word)}")
        else:
            parts.append(sign + _escape(fold(word)))
    return " ".join(parts)


def _escape(term):
    if term.startswith('"') and term.endswith('"') and len(term) > 1:
        return '"' + term[1:-1].replace('"', " ") + '"'
    return re.sub(r'([+\-!(){}\[\]^"~*?:\\/])', r"\\\1", term)


_backend = None


def backend():
    """The process's back-end (opened once)."""
    global _backend
    with _lock:
        if _backend is None or _backend.path != Path(settings.CATALOG_INDEX_DIR):
            _backend = TantivyBackend()
        return _backend
