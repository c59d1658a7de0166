"""The fast MARC reader (rmarc) reads as the reference (pymarc) does: the same records read, the same refused
with the same reason, the same normalised fields; a record rmarc refuses is still read by pymarc."""

import gzip
from pathlib import Path

import pymarc
import pytest
import rmarc

from sirbi.catalog import marc
from sirbi.catalog.demo import DATA as DEMO
from sirbi.catalog.normalise import normalise
from sirbi.catalog.prepare import HoldingsConfig, prepared_batches

MARC = Path(__file__).resolve().parents[1] / "data" / "marc"


@pytest.mark.parametrize("name", ["pymarc-marc.dat", "pymarc-marc8.dat", "pymarc-diacritic.dat",
                                  "pymarc-bad_indicator.dat", "pymarc-bad_records.mrc"])
def test_pymarc_test_files_read_alike(name):
    data = (MARC / name).read_bytes()
    assert marc.reader_differences(data, normalise) == []
    fast = list(marc.read(data, "iso2709", fast=True))
    assert any(isinstance(p.record, rmarc.Record) for p in fast) or all(p.record is None for p in fast)


def test_the_demo_catalog_reads_alike_with_both_readers():
    data = gzip.decompress(DEMO.read_bytes())
    assert marc.reader_differences(data, normalise) == []
    parsed = list(marc.read(data, fast=True))
    assert len(parsed) == 4125 and all(isinstance(p.record, rmarc.Record) for p in parsed)


def test_a_record_the_fast_reader_refuses_goes_through_pymarc(monkeypatch):
    data = (MARC / "pymarc-marc.dat").read_bytes()

    def refuse(*args, **kwargs):
        raise rmarc.exceptions.BaseAddressInvalid

    monkeypatch.setattr(rmarc, "Record", refuse)
    parsed = list(marc.read(data, fast=True))
    assert len(parsed) == 20 and all(isinstance(p.record, pymarc.Record) for p in parsed)
    prepared = [item for batch in prepared_batches(data, "iso2709", HoldingsConfig(), 0) for item in batch]
    assert [item.fields["title"] for item in prepared][:1] == ["The pragmatic programmer : from journeyman to master"]


def test_only_pymarc_refusals_reach_the_quarantine():
    data = (MARC / "pymarc-bad_records.mrc").read_bytes()
    refused = [p.error for p in marc.read(data, fast=True) if p.record is None]
    assert len(refused) == 7
    assert refused == [p.error for p in marc.read(data) if p.record is None]  # pymarc's reasons, word for word
    assert "BaseAddressInvalid: Base address exceeds size of record" in refused
