"""Catalog search at one million records: p50/p95 of 100 keyword queries with facet counts over all matches,
through the catalog's search service, against bare Tantivy and bare SQLite FTS5 on the same documents; and
the p95 of the same queries collapsed by work.

The documents: the 250,000 real Library of Congress records of `BooksAll.2016.part01.utf8` (pymarc 5.4.0
sdist; downloaded once into benchmarks/.cache/, as catalog_ingest.py does), parsed and normalised by the
catalog's own code (marc.py, normalise.py; in two processes; the fields are cached in benchmarks/.cache/),
each indexed four times: as it is, and three variants with another year, without the ISBN or without the
subtitle, each held by 1–4 of 20,000 generated libraries in the 21 member countries. One index document per
cluster, built as catalog/indexing.py builds them (title, author, subject, notes, ISBN, publisher; facets country,
network, library, language, material, subject; year; sort title; the title proper for the title-start boost;
the work key, shared by a record's four variants as by the editions of a work; the holdings steps).

The queries (fixed seed): words of real titles (one, two, three), `author:` surnames, `subject:` words,
phrases, ISBNs, Spanish and Portuguese words typed without accents, OR and NOT. Each is timed once
after a warm-up pass.

Ours: `TantivyBackend.search(q)` with the catalog's semantics (issue #15: every word required, in any field,
ranked by field with the phrase, title-start, whole-title and holdings boosts; top 20, the cluster ids, the 20
most frequent values of six facets counted over all matches). Peer 1, bare Tantivy: the same query object
(built once, untimed) through `tantivy` directly, on the same index (top 20 + the same aggregations). Peer 2,
bare FTS5: an SQLite FTS5 table (unicode61, diacritics removed) over the same documents with a facet table;
the same words required (FTS5's implicit AND), top 20 by bm25 and the six facet counts over all matches by
GROUP BY. Also timed: `search(q, collapse=True)` (one result per work, the count of works).
Target (issues #5, #15): p95 at most 20 ms in-process.

Run from the repository root: `.venv/bin/python benchmarks/catalog_search.py [--records N] [--copies 4]`.
"""

import argparse
import json
import multiprocessing
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _setup
from catalog_ingest import CACHE, lc_records

TARGET_MS = 20
FACETS = ["country", "network", "library", "language", "material", "subject_facet"]


def _normalise_chunk(data):
    from sirbi.catalog import marc
    from sirbi.catalog.normalise import normalise
    out = []
    for parsed in marc.read(data, "iso2709"):
        if parsed.record is None:
            continue
        fields = normalise(parsed.record)
        if fields["title"]:
            out.append({k: fields[k] for k in ("title", "sort_title", "authors", "subjects", "isbns", "publisher",
                                                "language", "material", "year", "work_key", "notes")})
    return out


def normalised(n):
    """The normalised fields of the first n LC records (cached as JSON lines)."""
    cached = CACHE / f"lc-normalised-notes-{n}.jsonl"
    if cached.exists():
        return [json.loads(line) for line in cached.open(encoding="utf-8")]
    data, _count = lc_records(n)
    chunks, position, size = [], 0, 5_000_000
    while position < len(data):  # whole records per chunk
        end = position
        while end < len(data) and end - position < size:
            end += int(data[end:end + 5])
        chunks.append(data[position:end])
        position = end
    with multiprocessing.Pool(2) as pool:
        rows = [row for part in pool.map(_normalise_chunk, chunks) for row in part]
    with cached.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def libraries(rng, count=20_000):
    weights = _setup.COUNTRY_WEIGHTS
    codes = rng.choices(list(weights), weights=list(weights.values()), k=count)
    return [(str(k + 1), code, f"{code.lower()}-{'public' if k % 3 else 'school'}") for k, code in enumerate(codes)]


def documents(rows, copies, seed):
    """Index documents (as indexing.documents makes them), `copies` per record."""
    from sirbi.catalog.search import derived
    rng = random.Random(seed)
    held_by = libraries(rng)
    key = 0
    for row in rows:
        for copy in range(copies):
            key += 1
            title, isbns, year = row["title"], row["isbns"], row["year"]
            if copy == 1 and year:
                year += 1 + rng.randrange(5)
            elif copy == 2:
                isbns = []
            elif copy == 3:
                title = title.split(" : ")[0]
            holders = rng.sample(held_by, rng.randint(1, 4))
            yield {"key": str(key), "title": [title], "author": row["authors"], "subject": row["subjects"],
                   "notes": [row["notes"]],
                   "subject_facet": row["subjects"], "isbn": isbns, "publisher": [row["publisher"]],
                   "language": [row["language"]], "material": [row["material"]], "year": year,
                   "sort_title": row["sort_title"][:100], "library": sorted({h[0] for h in holders}),
                   "country": sorted({h[1] for h in holders}), "network": sorted({h[2] for h in holders}),
                   **derived(key, [title], row["work_key"], len(holders))}


def queries(rows, seed, fold):
    """100 queries people type, drawn from the records."""
    rng = random.Random(seed + 1)
    words = lambda text: [w for w in re.findall(r"\w+", text) if len(w) >= 5 and not w.isdigit()]  # noqa: E731
    titled = [r for r in rows if len(words(r["title"])) >= 3]
    latin = [r for r in titled if r["language"] in ("spa", "por")
             and any(fold(w) != w.lower() for w in words(r["title"]))]
    out = []
    for _ in range(30):
        out.append(rng.choice(words(rng.choice(titled)["title"])))
    for _ in range(15):
        out.append(" ".join(rng.sample(words(rng.choice(titled)["title"]), 2)))
    for _ in range(5):
        out.append(" ".join(rng.sample(words(rng.choice(titled)["title"]), 3)))
    for _ in range(10):
        authors = [r for r in rng.sample(rows, 50) if r["authors"] and words(r["authors"][0])]
        out.append("author:" + words(authors[0]["authors"][0])[0])
    for _ in range(10):
        subjects = [r for r in rng.sample(rows, 50) if r["subjects"] and words(r["subjects"][0])]
        out.append("subject:" + words(subjects[0]["subjects"][0])[0])
    def pairs(text):  # neighbouring words, for phrases
        tokens = re.findall(r"\w+", text)
        return [(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if len(a) >= 4 and len(b) >= 4]
    for _ in range(10):
        a, b = rng.choice(pairs(rng.choice([r for r in rng.sample(titled, 20) if pairs(r["title"])])["title"]))
        out.append(f'"{a} {b}"')
    for _ in range(5):
        out.append(rng.choice([r for r in rng.sample(rows, 50) if r["isbns"]])["isbns"][0])
    for _ in range(10):
        accented = [w for w in words(rng.choice(latin)["title"]) if fold(w) != w.lower()]
        out.append(fold(accented[0]))
    for _ in range(3):
        a, b = rng.choice(words(rng.choice(titled)["title"])), rng.choice(words(rng.choice(titled)["title"]))
        out.append(f"{a} OR {b}")
    for _ in range(2):
        title = words(rng.choice(titled)["title"])
        out.append(f"{title[0]} NOT {title[1]}")
    return out


def fts_query(clauses):
    """The parsed query (search.parse) in FTS5 syntax: required words joined by AND, fields as column filters,
    phrases and ISBNs quoted, excluded words after NOT."""
    def written(node):
        if node[0] == "or":
            return "(" + " OR ".join(written(n) for n in node[1]) + ")"
        _kind, name, words = node
        phrase = '"' + " ".join(words) + '"'
        return f"{name}:{phrase}" if name else phrase
    required = " AND ".join(written(node) for sign, node in clauses if sign == "must")
    return required + "".join(f" NOT {written(node)}" for sign, node in clauses if sign == "not")


def timed(function, items):
    for item in items[:10]:  # warm-up
        function(item)
    times, counts = [], []
    for item in items:
        started = time.perf_counter()
        counts.append(function(item))
        times.append((time.perf_counter() - started) * 1000)
    return times, counts


def pct(times, p):
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    args = parser.parse_args()
    _setup.start("search")
    from sirbi.catalog.search import TantivyBackend, facet_aggregations, parse
    from sirbi.core.text import fold

    started = time.perf_counter()
    rows = normalised(args.records)
    print(f"catalog_search: {len(rows):,} LC records read and normalised in {time.perf_counter() - started:.0f} s "
          f"({_setup.environment()})")
    work = Path(tempfile.mkdtemp(prefix="sirbi-search-", dir=_setup._tmp))
    ours = TantivyBackend(work / "tantivy")
    started = time.perf_counter()
    total = 0
    for document in documents(rows, args.copies, args.seed):
        ours.add(document)
        total += 1
    ours.commit()
    build_ours = time.perf_counter() - started

    started = time.perf_counter()
    db = sqlite3.connect(work / "fts.sqlite3")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, author, subject, isbn, publisher, notes, "
               "tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE TABLE facet (doc INTEGER, name TEXT, value TEXT)")
    for document in documents(rows, args.copies, args.seed):
        key = int(document["key"])
        db.execute("INSERT INTO docs(rowid, title, author, subject, isbn, publisher, notes) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (key, " ".join(document["title"]), " ; ".join(document["author"]),
                    " ; ".join(document["subject"]), " ".join(document["isbn"]), " ".join(document["publisher"]),
                    " ".join(document["notes"])))
        db.executemany("INSERT INTO facet VALUES (?, ?, ?)",
                       [(key, name, value) for name in FACETS for value in document[name] if value])
    db.execute("CREATE INDEX facet_doc ON facet (doc, name, value)")
    db.commit()
    build_fts = time.perf_counter() - started
    print(f"  {total:,} index documents; built in {build_ours:.0f} s (Tantivy through the service), "
          f"{build_fts:.0f} s (FTS5 with facet table)")

    asked = queries(rows, args.seed, fold)
    prepared = {q: ours.query(q) for q in asked}
    parsed = {q: parse(q) for q in asked}

    def through_service(q):
        return ours.search(q, limit=20, facet_size=20).count

    def collapsed(q):
        return ours.search(q, limit=20, facet_size=20, collapse=True).count

    index = ours.index
    searcher = index.searcher()

    def bare_tantivy(q):
        query = prepared[q]
        found = searcher.search(query, 20, count=True)
        [searcher.doc(address)["key"][0] for _s, address in found.hits]
        searcher.aggregate(query, facet_aggregations(20))
        return found.count

    def bare_fts(q):
        match = fts_query(parsed[q])
        db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 20", (match,)).fetchall()
        count = db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()[0]
        db.execute("SELECT name, value, count(*) FROM facet WHERE doc IN (SELECT rowid FROM docs WHERE docs MATCH ?) "
                   "GROUP BY name, value", (match,)).fetchall()
        return count

    results = {}
    for name, function in (("ours", through_service), ("tantivy", bare_tantivy), ("fts5", bare_fts),
                           ("collapsed", collapsed)):
        results[name] = timed(function, asked)
    if results["ours"][1] != results["tantivy"][1]:
        _setup.fail("the service and bare Tantivy found different numbers of documents")
    if results["ours"][1] != results["fts5"][1]:
        differ = [q for q, a, b in zip(asked, results["ours"][1], results["fts5"][1], strict=True) if a != b]
        print(f"  note: FTS5 counts differ from ours on {len(differ)} queries (tokenizers), e.g. {differ[:3]}")
    if not all(results["ours"][1]):
        empty = [q for q, c in zip(asked, results["ours"][1], strict=True) if not c]
        _setup.fail(f"queries found nothing: {empty}")
    matches = results["ours"][1]
    print(f"  100 queries, e.g. {', '.join(asked[i] for i in (0, 31, 50, 60, 70, 80, 85, 97))}; matches per query "
          f"median {statistics.median(matches):,.0f}, max {max(matches):,}")
    p95 = {name: pct(times, 95) for name, (times, _c) in results.items()}
    for name, label in (("tantivy", "peer  bare Tantivy:"), ("fts5", "peer  bare SQLite FTS5:")):
        times = results[name][0]
        print(f"{label:27} p50 {pct(times, 50):7.1f} ms  p95 {p95[name]:7.1f} ms")
    times = results["ours"][0]
    print(f"{'ours  search service:':27} p50 {pct(times, 50):7.1f} ms  p95 {p95['ours']:7.1f} ms  "
          f"ratio p95 ours/Tantivy {p95['ours'] / p95['tantivy']:.2f}x, ours/FTS5 {p95['ours'] / p95['fts5']:.2f}x  "
          f"target p95 <= {TARGET_MS} ms: {'met' if p95['ours'] <= TARGET_MS else 'NOT met'}")
    times, works = results["collapsed"]
    print(f"{'ours  collapsed by work:':27} p50 {pct(times, 50):7.1f} ms  p95 {p95['collapsed']:7.1f} ms  "
          f"ratio p95 collapsed/not {p95['collapsed'] / p95['ours']:.2f}x  (works per query median "
          f"{statistics.median(works):,.0f}, against {statistics.median(matches):,.0f} clusters)  "
          f"target p95 <= {TARGET_MS} ms: {'met' if p95['collapsed'] <= TARGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
