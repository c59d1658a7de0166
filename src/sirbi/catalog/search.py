"""Catalog search behind a small back-end interface; the back-end here is an embedded Tantivy index (one
document per cluster) kept under VAR_DIR, derived from the database and rebuilt by `sirbi reindex`.

A distributed engine (Solr, OpenSearch) replaces it by implementing the same four methods — `add`, `delete`,
`commit`, `search` — over the same documents (see `indexing.document_for`); nothing else changes.

Queries (`parse`; the API and the pages search alike): every word must match, in any field (title, author,
subject, notes, ISBN, publisher) — AND by default; `title:`, `author:`, `subject:`, `notes:`, `publisher:`,
`isbn:` apply to
the words that follow, up to the next field or operator (`author:garcia marquez`), or to a "phrase"
(`title:"cien anos"`); `year:2001` or `year:[1990 TO 2000]`; OR and NOT (or -word) only when written. Case
and diacritics are folded on both sides ("educacion" finds "educación"). `match="any"` asks for the records
with any of the words instead (offered when all the words find nothing).

Relevance: a word found in the title counts more than in an author, an author more than a subject, notes or
a publisher (`BOOSTS`); the whole query as a phrase of the title, at the start of the title, or as the whole
title proper adds to the score; and every doubling of the libraries holding it adds a little (`HELD`), a
tie-breaker between otherwise equal results. `collapse=True` keeps one result per work (`Record.work_key`:
editions and translations), the best ranked."""

import hashlib
import logging
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

TEXT_FIELDS = ["title", "author", "subject", "isbn", "publisher", "notes"]
FACETS = ["country", "network", "library", "language", "material", "subject_facet"]
FIELD_ALIASES = {"title": "title", "author": "author", "subject": "subject", "isbn": "isbn", "year": "year",
                 "publisher": "publisher", "notes": "notes"}
SORTS = {"relevance": gettext_lazy("relevance"), "year": gettext_lazy("year (newest first)"),
         "title": gettext_lazy("title")}
MATCHES = ("all", "any")
# How much a word found in each field counts (the best field of a word counts, not their sum).
BOOSTS = {"title": 3.0, "author": 2.0, "subject": 1.0, "notes": 0.7, "publisher": 0.5, "isbn": 3.0}
PHRASE_BOOST, START_BOOST, WHOLE_TITLE_BOOST = 2.0, 3.0, 4.0
# The title proper between these two marker words (in `title_start`): the query as a phrase right after the
# first is a title-start match, followed by the second the whole title.
START, END = "sirbititlestart", "sirbititleend"
# Libraries holding a cluster, as thresholds (`held` has "h2" when two or more hold it, "h4" when four...):
# each threshold passed adds HELD to the score.
HELD_STEPS, HELD = (2, 4, 8, 16, 32), 0.2
COLLAPSE_DEPTH = 2000  # hits read to gather the works of a collapsed page
TOKEN = re.compile(r'(\w+:\[[^\]]*\]|\w+:"[^"]*"?|"[^"]*"?|\S+)')
_lock = threading.Lock()
log = logging.getLogger(__name__)


class QueryError(ValueError):
    """The query cannot be understood; the message says where."""


def schema():
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")  # the cluster id, for updates and deletes
    for name in ("title", "author", "subject", "publisher", "notes"):
        builder.add_text_field(name, stored=False, tokenizer_name="fold")
    builder.add_text_field("isbn", stored=False, tokenizer_name="raw")
    for name in FACETS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    builder.add_text_field("sort_title", stored=False, tokenizer_name="raw", fast=True)
    builder.add_text_field("title_start", stored=False, tokenizer_name="fold")  # START title proper END
    builder.add_text_field("work", stored=True, tokenizer_name="raw")  # the work key
    builder.add_text_field("held", stored=False, tokenizer_name="raw")  # HELD_STEPS passed: "h2", "h4"...
    # Numbers read for many hits at once without fetching stored documents (Searcher.fast_field_values): the
    # cluster id, and the work as a number (work_number) to collapse by.
    builder.add_integer_field("id", stored=False, indexed=False, fast=True)
    builder.add_integer_field("work_id", stored=False, indexed=False, fast=True)
    return builder.build()


INTEGER_FIELDS = {"year", "id", "work_id"}


def title_start(titles):
    """`title_start` values of a document: each title proper between the marker words."""
    return [f"{START} {title.split(' : ')[0].split(' / ')[0]} {END}" for title in titles if title]


def held_steps(libraries):
    """`held` values of a document held by this many libraries."""
    return [f"h{step}" for step in HELD_STEPS if libraries >= step]


def work_number(work):
    """A work key as a positive 62-bit number (a hash: two works meet by chance once in 10^18 pairs)."""
    return int.from_bytes(hashlib.blake2b(work.encode(), digest_size=8).digest(), "big") >> 2


def derived(key, titles, work, libraries):
    """The fields of a cluster's document derived for ranking and collapsing: its titles proper between the
    markers, its work key and number (a cluster without a work is a work of its own: its id, negative), its
    id, and the holdings steps of this many libraries."""
    return {"title_start": title_start(titles), "work": work, "id": int(key),
            "work_id": work_number(work) if work else -int(key), "held": held_steps(libraries)}


def _fold_analyzer():
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


@dataclass
class Result:
    count: int  # clusters found (works, when collapsed)
    keys: list  # cluster ids, in order
    facets: dict = field(default_factory=dict)  # facet → [(value, count)]
    works: dict = field(default_factory=dict)  # cluster id → work number (work_id), for the keys (collapsed)


class TantivyBackend:
    def __init__(self, path=None):
        self.path = Path(path or settings.CATALOG_INDEX_DIR)
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self.index = tantivy.Index(schema(), path=str(self.path))
        except ValueError as error:  # an index of an older schema: it is derived, so it starts again, empty
            if "schema does not match" not in str(error):
                raise
            log.warning("the catalog's search index has an older schema: it is emptied and rebuilt by the worker "
                        "(or `sirbi reindex`)")
            self.index = tantivy.Index(schema(), path=str(self.path), reuse=False)
            self.rebuild_mark.touch()  # whichever process opened it first: indexing.index_stale rebuilds it
        self.analyzer = _fold_analyzer()
        self.index.register_tokenizer("fold", self.analyzer)
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
        key = int(document["key"])
        document = {"id": key, "work_id": -key, **document}  # a document without a work is a work of its own
        doc = tantivy.Document()
        for name, values in document.items():
            for value in values if isinstance(values, list) else [values]:
                if value is None or value == "":
                    continue
                if name in INTEGER_FIELDS:
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

    @property
    def rebuild_mark(self):
        """A file in the index's folder while the index waits to be rebuilt from the database."""
        return self.path / "rebuild-needed"

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

    def search(self, text, filters=None, sort="relevance", offset=0, limit=20, facet_size=20, match="all",
               collapse=False):
        """Clusters matching `text` (all its words, or any with match="any") and the filters: `count`, the
        keys of [offset, offset + limit), the facets over all matches; one per work with `collapse`."""
        query = self.query(text, filters or {}, match=match, ranked=sort == "relevance")
        searcher = self._fresh_searcher()
        options = {}
        if sort == "year":
            options = {"order_by_field": "year", "order": tantivy.Order.Desc}
        elif sort == "title":
            options = {"order_by_field": "sort_title", "order": tantivy.Order.Asc}
        aggregations = facet_aggregations(facet_size)
        if collapse:
            aggregations["works"] = {"cardinality": {"field": "work_id"}}
            keys, works, count = self._collapsed(searcher, query, offset, limit, options)
        else:
            found = searcher.search(query, max(limit, 1), offset=offset, count=True, **options)
            keys = self._keys(searcher, [address for _score, address in found.hits][:limit])
            works, count = {}, found.count
        aggregated = searcher.aggregate(query, aggregations)
        if collapse:
            count = min(count, round(aggregated.get("works", {}).get("value") or 0)) if count else 0
        facets = {name: [(b["key"], b["doc_count"]) for b in aggregated.get(name, {}).get("buckets", [])]
                  for name in FACETS}
        return Result(count=count, keys=keys, facets=facets, works=works)

    @staticmethod
    def _keys(searcher, addresses):
        """The cluster ids of these hits, from the `id` fast field (the stored key where a segment lacks it)."""
        ids = searcher.fast_field_values("id", addresses) if addresses else []
        return [int(searcher.doc(address)["key"][0]) if number is None else number
                for number, address in zip(ids, addresses, strict=True)]

    def _collapsed(self, searcher, query, offset, limit, options):
        """(keys, {key: work number}, count) of the works of [offset, offset + limit): the best ranked cluster
        of each work (by the `work_id` fast field), reading at most COLLAPSE_DEPTH hits (deeper pages of a
        collapsed search end there)."""
        seen, kept, read, total = set(), [], 0, None
        step = max(3 * (offset + limit), 60)
        while read < COLLAPSE_DEPTH and len(kept) < limit:
            found = searcher.search(query, step, offset=read, count=total is None, **options)
            total = found.count if total is None else total
            addresses = [address for _score, address in found.hits]
            for work, address in zip(searcher.fast_field_values("work_id", addresses), addresses, strict=True):
                if work in seen:
                    continue
                seen.add(work)
                if len(seen) > offset and len(kept) < limit:
                    kept.append((address, work))
            read += step
            if read >= total:
                break
        keys = self._keys(searcher, [address for address, _work in kept])
        return keys, {key: work for key, (_address, work) in zip(keys, kept, strict=True)}, total

    def query(self, text, filters=None, match="all", ranked=True):
        """The Tantivy query of a search (QueryError when the text cannot be read)."""
        clauses = parse(text)
        main = self._main(clauses, match) if clauses else None
        must = [main] if main is not None else []
        for name in FACETS:
            value = (filters or {}).get(name)
            if value:
                must.append(tantivy.Query.term_query(self.index.schema, name, value))
        low, high = (filters or {}).get("year_from"), (filters or {}).get("year_to")
        if low or high:
            must.append(self._years(int(low or 0), int(high or 9999)))
        should = []
        if ranked:
            should = [tantivy.Query.const_score_query(tantivy.Query.term_query(self.index.schema, "held", f"h{n}"),
                                                      HELD) for n in HELD_STEPS]
            if main is not None:
                should += self._boosts(clauses)
        if not must:
            must = [tantivy.Query.all_query()]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must]
                                           + [(tantivy.Occur.Should, q) for q in should])

    def _main(self, clauses, match):
        positive = [(tantivy.Occur.Must if match == "all" else tantivy.Occur.Should, self._node(node))
                    for sign, node in clauses if sign != "not"]
        if not positive:  # NOT alone: everything but
            positive = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        negative = [(tantivy.Occur.MustNot, self._node(node)) for sign, node in clauses if sign == "not"]
        return tantivy.Query.boolean_query(positive + negative)

    def _node(self, node):
        kind = node[0]
        if kind == "or":
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._node(n)) for n in node[1]])
        if kind == "year":
            return self._years(node[1], node[2])
        _kind, name, words = node
        schema = self.index.schema
        if name == "isbn":
            return tantivy.Query.term_query(schema, "isbn", words[0])
        fields = [name] if name else [f for f in BOOSTS if f != "isbn" or _digits(words)]

        def one(field_name):
            if field_name == "isbn":
                return tantivy.Query.term_query(schema, "isbn", words[0])
            if len(words) == 1:
                return tantivy.Query.term_query(schema, field_name, words[0])
            return tantivy.Query.phrase_query(schema, field_name, words)
        if len(fields) == 1:
            return one(fields[0])
        return tantivy.Query.disjunction_max_query(
            [tantivy.Query.boost_query(one(f), BOOSTS[f]) for f in fields], 0.1)

    def _boosts(self, clauses):
        """The phrase, title-start and whole-title boosts of the query's words for the title (and the author)."""
        words = [w for sign, node in clauses if sign == "must" and node[0] == "words" and node[1] in (None, "title")
                 for w in node[2]]
        if not words:
            return []
        schema, boost = self.index.schema, tantivy.Query.boost_query
        found = [boost(tantivy.Query.phrase_query(schema, "title_start", [START, *words]), START_BOOST),
                 boost(tantivy.Query.phrase_query(schema, "title_start", [START, *words, END]), WHOLE_TITLE_BOOST)]
        if len(words) > 1:
            found += [boost(tantivy.Query.phrase_query(schema, "title", words), PHRASE_BOOST),
                      boost(tantivy.Query.phrase_query(schema, "author", words), PHRASE_BOOST / 2)]
        return found

    def _years(self, low, high):
        return tantivy.Query.range_query(self.index.schema, "year", tantivy.FieldType.Integer, low, high)

    def _query(self, text, filters):
        return self.query(text, filters)


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


def search_options(get):
    """How a search request (page or API) wants its results: match "all" words (default) or "any"; collapse
    by work or not."""
    match = get.get("match") if get.get("match") in MATCHES else "all"
    return {"match": match, "collapse": get.get("collapse") in ("1", "true", "on", "yes")}


def widens(text):
    """Whether asking for any of the words could find more than all of them: two positive words or more."""
    return sum(len(node[1]) if node[0] == "or" else 1 for sign, node in parse(text) if sign == "must") > 1


def _isbn_term(value):
    digits = re.sub(r"[^0-9Xx]", "", value)
    try:
        return stdisbn.to_isbn13(stdisbn.validate(digits))
    except NumberInvalid:
        return digits


_ANALYZER = _fold_analyzer()  # the index's "fold" tokenizer, for the query's words


def _tokens(text):
    return _ANALYZER.analyze(fold(unicodedata.normalize("NFC", text)))


def _digits(words):
    return len(words) == 1 and bool(re.fullmatch(r"[0-9x]+", words[0]))


def _looks_like_isbn(word):
    return bool(re.fullmatch(r"[\d\-Xx]{10,17}", word)) and len(re.sub(r"[^0-9Xx]", "", word)) in (10, 13)


def parse(text):
    """The query as clauses [(sign, node)]: sign "must" or "not"; node ("words", field or None, [tokens]) — one
    token a word, several a phrase —, ("year", low, high) or ("or", [nodes]). A field prefix governs the words
    after it up to the next field, phrase or operator; AND is implied; OR joins the nodes on either side."""
    clauses, governing, pending = [], None, None  # pending: "or" or "not" from the last operator

    def add(node, sign="must"):
        nonlocal pending
        if pending == "not":
            sign = "not"
        if pending == "or" and clauses and clauses[-1][0] == "must" and sign == "must":
            last = clauses[-1][1]
            clauses[-1] = ("must", ("or", [*last[1], node] if last[0] == "or" else [last, node]))
        else:
            clauses.append((sign, node))
        pending = None

    for token in TOKEN.findall(text or ""):
        if token in ("AND", "OR", "NOT"):
            governing, pending = None, (None if token == "AND" else token.lower())
            continue
        prefix, colon, value = token.partition(":")
        name = FIELD_ALIASES.get(prefix.lower()) if colon else None
        sign = ""
        if name is None:
            value = token
            if token[0] in "+-" and len(token) > 1:
                sign, value = token[0], token[1:]
            if value.startswith('"'):
                governing = None  # a phrase without a field: any field, and the end of the last field's words
            name = governing
        elif name == "year":
            if not re.fullmatch(r"\d{4}|\[\d{4} TO \d{4}\]", value):
                raise QueryError(f"year: takes a year (2001) or a range ([1990 TO 2000]), not {value}")
            years = [int(y) for y in re.findall(r"\d{4}", value)]
            add(("year", years[0], years[-1]))
            governing = None
            continue
        elif not value:
            governing = name  # "author: garcia": the field governs the next words
            continue
        else:
            governing = None if value.startswith('"') or name == "isbn" else name  # an ISBN is one word
        phrase = value.startswith('"')
        if name == "isbn" or (name is None and not phrase and _looks_like_isbn(value)):
            node = ("words", "isbn", [_isbn_term(value)])
        else:
            words = _tokens(value.strip('"'))
            if not words:
                continue
            node = ("words", name, words)
        add(node, "not" if sign == "-" else "must")
    return clauses


def parse_query(text):
    """The query in Tantivy's query language (for other callers of the index; the back-end builds its queries
    from `parse`): every clause required (+) or excluded (-), fields named as ours, terms folded, ISBN-13."""
    def written(node):
        if node[0] == "or":
            return "(" + " OR ".join(written(n) for n in node[1]) + ")"
        if node[0] == "year":
            return f"year:{node[1]}" if node[1] == node[2] else f"year:[{node[1]} TO {node[2]}]"
        _kind, name, words = node
        term = words[0] if len(words) == 1 else '"' + " ".join(words) + '"'
        return f"{name}:{term}" if name else term
    return " ".join(("-" if sign == "not" else "+") + written(node) for sign, node in parse(text))


_backend = None


def backend():
    """The process's back-end (opened once)."""
    global _backend
    with _lock:
        if _backend is None or _backend.path != Path(settings.CATALOG_INDEX_DIR):
            _backend = TantivyBackend()
        return _backend
