"""Precision and recall of the catalog's clustering on a labelled set built from real records.

The set: the 600 real Library of Congress records of src/sirbi/catalog/data/lc-spa-por-sample.mrc (Spanish
and Portuguese books), each catalogued again "as another library would" — the same edition with one to
three of: no ISBN, the ISBN as ISBN-10, no subtitle, accents dropped from the title, other punctuation,
264 instead of 260, another 001 and 005, local 9XX fields — and, for every third record, a look-alike that
must stay apart: the same title and author but another year and edition statement, or another valid ISBN.
The truth (which records are the same edition) is known by construction and printed with the figures.

Ours: the records imported through `catalog.ingest.import_file` into three sources (originals, variants,
look-alikes), clustered as the platform does. Peer, in the same run: exact-key clustering only (a shared
ISBN, or the same folded title + first author + year), what a union catalog without similarity does.
Pairwise precision and recall (over pairs of records put together). Target: precision >= 0.99, recall >= 0.95.

Run from the repository root: `.venv/bin/python benchmarks/catalog_dedup.py [--seed N]`.
"""

import argparse
import copy
import random
import sys
import time
import unicodedata
from itertools import combinations
from pathlib import Path

import _setup

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "sirbi" / "catalog" / "data" / "lc-spa-por-sample.mrc"
TARGET_PRECISION, TARGET_RECALL = 0.99, 0.95


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def same_edition(record, number, rng):
    """The record as another library catalogues it (1–3 changes that keep the edition)."""
    import pymarc
    from stdnum import isbn

    new = copy.deepcopy(record)
    for field in new.get_fields("001"):
        field.data = f"var-{number}"
    new.remove_fields("005")
    changes = rng.sample(["no_isbn", "isbn10", "no_subtitle", "accents", "punctuation", "264", "local"],
                         rng.randint(1, 3))
    title = new.get_fields("245")[0] if new.get_fields("245") else None
    for change in changes:
        if change == "no_isbn":
            new.remove_fields("020")
        elif change == "isbn10":
            for field in new.get_fields("020"):
                value = (field.get_subfields("a") or [""])[0].split(" ")[0]
                if isbn.is_valid(value):
                    field.delete_subfield("a")
                    field.add_subfield("a", isbn.format(isbn.to_isbn10(value) if len(isbn.compact(value)) == 13
                                                        else value))
        elif change == "no_subtitle" and title is not None:
            title.delete_subfield("b")
        elif change == "accents" and title is not None:
            title.subfields = [pymarc.Subfield(s.code, strip_accents(s.value)) for s in title.subfields]
        elif change == "punctuation" and title is not None:
            title.subfields = [pymarc.Subfield(s.code, s.value.rstrip(" /:;.,") + " .") for s in title.subfields]
        elif change == "264":
            for field in new.get_fields("260"):
                new.remove_field(field)
                field.tag = "264"
                field.indicators = pymarc.Indicators(" ", "1")
                new.add_ordered_field(field)
        elif change == "local":
            new.add_field(pymarc.Field(tag="949", indicators=pymarc.Indicators(" ", " "),
                                       subfields=[pymarc.Subfield("a", f"LOCAL-{number}")]))
    return new, changes


def look_alike(record, number, rng):
    """Another edition of the same work: another year and edition, or another valid ISBN."""
    import pymarc

    new = copy.deepcopy(record)
    for field in new.get_fields("001"):
        field.data = f"alike-{number}"
    new.remove_fields("005")
    fixed = new.get_fields("008")[0]
    year = fixed.data[7:11]
    from sirbi.catalog.normalise import isbns

    has_isbn = bool(isbns(record))
    # "Another ISBN" only for a record that has one: an ISBN where the original has none could be the same
    # edition catalogued more fully, so it is no test of look-alikes.
    if year.isdigit() and (rng.random() < 0.6 or not has_isbn):
        later = str(int(year) + rng.randint(1, 6))
        fixed.data = fixed.data[:7] + later + fixed.data[11:]
        for field in new.get_fields("260", "264"):
            field.subfields = [pymarc.Subfield(s.code, later + "." if s.code == "c" else s.value)
                               for s in field.subfields]
        new.remove_fields("250", "020")
        new.add_field(pymarc.Field(tag="250", indicators=pymarc.Indicators(" ", " "),
                                   subfields=[pymarc.Subfield("a", f"{rng.randint(2, 5)}a ed.")]))
        return new, "another year and edition"
    if not has_isbn:  # no year and no ISBN to tell them apart: another edition statement
        new.remove_fields("250")
        new.add_field(pymarc.Field(tag="250", indicators=pymarc.Indicators(" ", " "),
                                   subfields=[pymarc.Subfield("a", f"{rng.randint(2, 5)}a ed.")]))
        return new, "another edition"
    new.remove_fields("020")
    new.add_field(pymarc.Field(tag="020", indicators=pymarc.Indicators(" ", " "),
                               subfields=[pymarc.Subfield("a", _random_isbn(rng))]))
    return new, "another ISBN"


def _random_isbn(rng):
    from stdnum import ean

    body = "978" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return body + ean.calc_check_digit(body)  # an ISBN-13 is an EAN-13


def pairs(groups):
    """The set of unordered pairs of items that share a group."""
    by_group = {}
    for item, group in groups.items():
        by_group.setdefault(group, []).append(item)
    return {tuple(sorted(pair)) for members in by_group.values() for pair in combinations(members, 2)}


def score(predicted, truth):
    p, t = pairs(predicted), pairs(truth)
    precision = len(p & t) / len(p) if p else 1.0
    recall = len(p & t) / len(t) if t else 1.0
    return precision, recall


def exact_keys(record_fields):
    from sirbi.core.text import fold_words

    keys = [f"isbn:{n}" for n in record_fields["isbns"]]
    if record_fields["year"]:
        keys.append(f"t:{fold_words(record_fields['title'])}|{fold_words((record_fields['authors'] or [''])[0])}|"
                    f"{record_fields['year']}")
    return keys


def peer_clusters(fields_by_id):
    """Union-find over shared exact keys."""
    parent = {i: i for i in fields_by_id}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner = {}
    for item, fields in fields_by_id.items():
        for key in exact_keys(fields):
            if key in owner:
                parent[find(item)] = find(owner[key])
            else:
                owner[key] = item
    return {item: find(item) for item in fields_by_id}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=_setup.SEED)
    parser.add_argument("--explain", type=int, default=0, help="print this many wrong merges and misses")
    args = parser.parse_args()
    _setup.start("dedup")
    import pymarc

    from sirbi.catalog import marc
    from sirbi.catalog.ingest import import_file
    from sirbi.catalog.models import Record, Source
    from sirbi.registry.models import Country, Library

    rng = random.Random(args.seed)
    originals = [p.record for p in marc.read(SAMPLE.read_bytes()) if p.record]
    country = Country.objects.get(code="PE")
    sources = [Source.objects.create(code=f"s{i}", name=f"s{i}", library=Library.objects.create(
        name=f"Biblioteca {i}", country=country, type="public")) for i in range(3)]
    files = [[], [], []]
    truth, kinds = {}, {}
    for number, record in enumerate(originals):
        control = (record.get_fields("001")[0].data.strip() if record.get_fields("001") else f"orig-{number}")
        truth[("s0", control)] = number
        files[0].append(record)
        variant, changes = same_edition(record, number, rng)
        truth[("s1", f"var-{number}")] = number
        files[1].append(variant)
        for change in changes:
            kinds[change] = kinds.get(change, 0) + 1
        if number % 3 == 0:
            alike, kind = look_alike(record, number, rng)
            truth[("s2", f"alike-{number}")] = f"alike-{number}"
            files[2].append(alike)
            kinds[kind] = kinds.get(kind, 0) + 1
    started = time.perf_counter()
    for source, records in zip(sources, files, strict=True):
        import_file(source, b"".join(r.as_marc() for r in records), f"{source.code}.mrc")
    elapsed = time.perf_counter() - started
    rows = list(Record.objects.select_related("source"))
    predicted = {(r.source.code, r.local_id): r.cluster_id for r in rows}
    if set(predicted) != set(truth):
        _setup.fail(f"{len(set(truth) - set(predicted))} records of the set were not imported")
    fields = {(r.source.code, r.local_id): {"isbns": r.isbns, "title": r.title, "authors": r.authors,
                                            "year": r.year} for r in rows}
    ours = score(predicted, truth)
    peer = score(peer_clusters(fields), truth)
    print(f"catalog_dedup: {len(truth):,} records ({len(originals)} real LC records, {len(files[1])} same-edition "
          f"variants, {len(files[2])} look-alike editions; seed {args.seed}) ({_setup.environment()})")
    print("  variants: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"  truth: {len(pairs(truth)):,} pairs of records of the same edition; import and clustering took "
          f"{elapsed:.1f} s ({len(truth) / elapsed:,.0f} records/s)")
    print(f"peer  exact keys only:       precision {peer[0]:.4f}  recall {peer[1]:.4f}")
    met = ours[0] >= TARGET_PRECISION and ours[1] >= TARGET_RECALL
    print(f"ours  keys + similarity:     precision {ours[0]:.4f}  recall {ours[1]:.4f}  "
          f"(recall {ours[1] / peer[1]:.2f}x the peer's)  target precision >= {TARGET_PRECISION}, recall >= "
          f"{TARGET_RECALL}: {'met' if met else 'NOT met'}")
    if args.explain:
        by_key = {(r.source.code, r.local_id): r for r in rows}
        wrong = sorted(pairs(predicted) - pairs(truth))[:args.explain]
        missed = sorted(pairs(truth) - pairs(predicted))[:args.explain]
        for label, items in (("merged but different", wrong), ("same but apart", missed)):
            for a, b in items:
                ra, rb = by_key[a], by_key[b]
                for key, row in ((a, ra), (b, rb)):
                    print(f"  {label}: {key} {row.title!r} {row.year} {row.isbns} {row.edition!r} {row.match_reason}")
    del pymarc
    return 0


if __name__ == "__main__":
    sys.exit(main())
