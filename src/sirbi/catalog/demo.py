"""Demo catalog: the real LC records of data/lc-spa-por-sample.mrc in sources of demo libraries of six member
countries, with overlapping shares (so many editions are held in two or three countries). Safe to run
again: a source that already has records is left as it is."""

from pathlib import Path

from sirbi.registry.models import Library

from . import marc
from .ingest import import_file
from .models import Record, Source

DATA = Path(__file__).parent / "data" / "lc-spa-por-sample.mrc"
# Country → which records (by position modulo 6) its library holds: each record sits in 2–3 countries.
SHARES = {"PE": {0, 1, 2}, "AR": {1, 3, 5}, "MX": {0, 2, 4}, "CL": {3, 4}, "ES": {0, 5}, "BR": {1, 2, 4, 5}}


def load_catalog_demo():
    records = [p.raw for p in marc.read(DATA.read_bytes()) if p.record is not None]
    added = 0
    for country, share in SHARES.items():
        library = (Library.objects.filter(country__code=country, type="public", is_sample=True).order_by("pk")
                   .first())
        if library is None:
            continue
        code = f"demo-{country.lower()}"
        source, _created = Source.objects.get_or_create(code=code, defaults={
            "name": f"{library.name} (demo)", "library": library})
        if Record.objects.filter(source=source).exists():
            continue
        data = b"".join(raw for position, raw in enumerate(records) if position % 6 in share)
        added += import_file(source, data, "lc-spa-por-sample.mrc").added
    return {"records": added, "sources": Source.objects.filter(code__startswith="demo-").count()}
