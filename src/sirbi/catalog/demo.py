"""Demo catalog: the real LC records of data/lc-region-demo.mrc.gz (the region's authors, books in Spanish and
Portuguese; see its README) held by the registry demo's sample libraries in every member country. The
descriptions are real; the holdings are invented and say so: each member's public network gets a source whose
records carry one 852 per copy (ISIL in $a, call number in $h, barcode in $p, status in $z, the note
"sample holding" in $x), read through the source's holdings mapping like any library's export. Bigger
networks hold more of the titles. The same data give the same holdings (fixed seed). Safe to run again: a
source that already has records is left as it is."""

import gzip
import random
import re
import zlib
from pathlib import Path

import pymarc
from django.db import connection

from sirbi.core.text import fold
from sirbi.registry.models import Library, Network

from . import marc
from .indexing import index_stale
from .ingest import import_file
from .models import Record, Source

DATA = Path(__file__).parent / "data" / "lc-region-demo.mrc.gz"
SEED = 2026
# The words of the source data; the catalog's status vocabulary reads them (English, as a system exports them).
STATUSES = {"available": 75, "on loan": 15, "reference only": 7, "missing": 3}
SAMPLE_NOTE = "sample holding: invented for the SIRBI demonstration"
HOLDINGS = {"holdings_tag": "852", "holdings_library": "a", "holdings_call_number": "h", "holdings_barcode": "p",
            "holdings_status": "z"}


def lc_cutter(name):
    """A Cutter number after the Library of Congress's table ("Borges" → "B67"): the initial and two digits."""
    letters = re.sub(r"[^a-z]", "", fold(name or ""))
    if not letters:
        return "A1"
    first, rest = letters[0], letters[1:] or "a"
    if first in "aeiou":
        table = [("b", 2), ("d", 3), ("l", 4), ("n", 5), ("p", 6), ("r", 7), ("t", 8), ("z", 9)]
    elif first == "s":
        table = [("a", 2), ("d", 3), ("g", 4), ("i", 5), ("p", 6), ("t", 7), ("v", 8), ("z", 9)]
    elif first == "q":
        table = [("t", 2), ("z", 3)] if not rest.startswith("u") else [("a", 3), ("e", 4), ("i", 5), ("z", 6)]
        rest = rest[1:] if rest.startswith("u") and len(rest) > 1 else rest
    else:
        table = [("a", 3), ("e", 4), ("i", 5), ("o", 6), ("r", 7), ("u", 8), ("z", 9)]
    second = next(digit for letter, digit in table if rest[0] <= letter)
    third = rest[1] if len(rest) > 1 else "a"
    expansion = next(digit for letter, digit in [("d", 3), ("h", 4), ("l", 5), ("o", 6), ("s", 7), ("v", 8),
                                                 ("z", 9)] if third <= letter)
    return f"{first.upper()}{second}{expansion}"


def call_number(record):
    """A plausible call number: the record's Dewey number (082) or LC class (050), with a Cutter for its main
    entry (or its title), e.g. "863.64 B67" or "PQ7797.B635 A6"."""
    entry = next((f.get_subfields("a")[0] for f in record.get_fields("100", "110", "111") if f.get_subfields("a")),
                 None) or next((f.get_subfields("a")[0] for f in record.get_fields("245") if f.get_subfields("a")), "")
    dewey = next((f.get_subfields("a")[0] for f in record.get_fields("082") if f.get_subfields("a")), "")
    if dewey:
        return f"{dewey.replace('/', '').strip()} {lc_cutter(entry)}"
    for field in record.get_fields("050"):
        parts = field.get_subfields("a")[:1] + field.get_subfields("b")[:1]
        if parts:
            return " ".join(p.strip() for p in parts) if len(parts) > 1 else f"{parts[0].strip()} {lc_cutter(entry)}"
    return f"{lc_cutter(entry)}"


def networks_with_libraries():
    """[(network, [its sample libraries with an ISIL])] of each member's public network, largest first."""
    found = []
    for network in Network.objects.filter(type="public", country__is_member=True).select_related("country"):
        libraries = list(Library.objects.filter(networks=network, is_sample=True).exclude(isil=None)
                         .order_by("pk").values_list("isil", flat=True))
        if libraries:
            found.append((network, libraries))
    return sorted(found, key=lambda item: (-len(item[1]), item[0].code))


def holdings_plan(count, networks, rng):
    """{network position: {record position: number of copies}}: each network holds a share of the titles
    that grows with its number of libraries (from 3% to a third), every title is held somewhere."""
    largest = max(len(libraries) for _n, libraries in networks)
    shares = [0.03 + 0.3 * (len(libraries) / largest) ** 2 for _n, libraries in networks]
    plan = {n: {} for n in range(len(networks))}
    for position in range(count):
        held = [n for n, share in enumerate(shares) if rng.random() < share]
        for n in held or [rng.choices(range(len(networks)), weights=shares)[0]]:
            plan[n][position] = rng.choices([1, 2, 3, 4], weights=[55, 25, 12, 8])[0]
    return plan


def with_copies(record, isils, copies, rng):
    """The record's bytes with one invented 852 per copy at `copies` of the libraries."""
    record.remove_fields("852")
    number = call_number(record)
    for isil in rng.sample(isils, min(copies, len(isils))):
        barcode = f"{zlib.crc32(f'{isil}{number}{rng.random()}'.encode()):010d}"
        status = rng.choices(list(STATUSES), weights=list(STATUSES.values()))[0]
        record.add_ordered_field(pymarc.Field(tag="852", indicators=["8", " "], subfields=[
            pymarc.Subfield("a", isil), pymarc.Subfield("h", number), pymarc.Subfield("p", barcode),
            pymarc.Subfield("z", status), pymarc.Subfield("x", SAMPLE_NOTE)]))
    return record.as_marc()


def load_catalog_demo():
    records = [p.record for p in marc.read(gzip.decompress(DATA.read_bytes())) if p.record is not None]
    networks = networks_with_libraries()
    if not networks:
        return {"records": 0, "sources": 0}
    rng = random.Random(SEED)
    plan = holdings_plan(len(records), networks, rng)
    added = 0
    for n, (network, isils) in enumerate(networks):
        code = f"demo-{network.code}"
        source, _created = Source.objects.get_or_create(code=code, defaults={
            "name": f"{network.name} (demo)", "network": network, **HOLDINGS})
        if Record.objects.filter(source=source).exists():
            continue
        data = b"".join(with_copies(records[position], isils, copies, rng)
                        for position, copies in sorted(plan[n].items()))
        added += import_file(source, data, DATA.name.removesuffix(".gz"), index=False).added
    if connection.vendor == "postgresql":
        # Thousands of records just arrived: without fresh statistics PostgreSQL may plan the index's reads for the
        # nearly empty tables it last analysed (20 s a statement in CI).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_record, catalog_holding, catalog_cluster, registry_library")
    index_stale()
    return {"records": added, "sources": Source.objects.filter(code__startswith="demo-").count()}
