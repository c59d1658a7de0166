from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from sirbi.catalog import marc
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Cluster, Holding, Record, Rejected, Source
from sirbi.catalog.normalise import normalise
from sirbi.core.text import fold_words

DATA = Path(__file__).resolve().parents[1] / "data" / "marc"


def read(name):
    return (DATA / name).read_bytes()


@pytest.fixture
def source(lima_library):
    return Source.objects.create(code="lima", name="Biblioteca de Lima", library=lima_library)


def test_normalised_fields_of_a_real_record():
    record = next(marc.read(read("pymarc-marc.dat"))).record
    fields = normalise(record)
    assert fields["title"] == "The pragmatic programmer : from journeyman to master"
    assert fields["sort_title"] == "pragmatic programmer from journeyman to master"
    assert fields["authors"] == ["Hunt, Andrew", "Thomas, David"]
    assert fields["isbns"] == ["9780201616224"]  # ISBN-10 0201616221 with its check digit, as ISBN-13
    assert (fields["year"], fields["language"], fields["material"]) == (2000, "eng", "book")
    assert fold_words("Educación, 2.ª ed.") == "educacion 2 a ed"


def test_import_keeps_the_original_bytes_and_quarantines_unreadable_records(source):
    data = read("pymarc-bad_records.mrc")
    report = import_file(source, data, "bad.mrc")
    # Its two readable records are the same record (same 001, same bytes): stored once.
    assert report.added == 1 and report.unchanged == 1 and len(report.rejected) == 7
    assert Rejected.objects.filter(source=source).count() == 7
    assert any("BaseAddress" in r.reason for r in Rejected.objects.all())
    good = [p for p in marc.read(data) if p.record]
    stored = Record.objects.get(source=source)
    assert stored.local_id.startswith("sha256:")  # no 001: identified by its content
    assert bytes(stored.raw) == good[0].raw  # byte-exact
    assert Holding.objects.filter(record=stored, library=source.library).count() == 1


def test_reimporting_the_same_file_changes_nothing(source):
    first = import_file(source, read("pymarc-marc.dat"), "marc.dat")
    again = import_file(source, read("pymarc-marc.dat"), "marc.dat")
    assert first.added == 20 and again.unchanged == 20 and again.added == again.updated == 0
    assert Record.objects.count() == 20 and Holding.objects.count() == 20


def test_marc8_and_marcxml_are_read(source):
    import_file(source, read("pymarc-marc8.dat"), "marc8.dat")
    import_file(source, read("pymarc-batch.xml"), "batch.xml")
    assert Record.objects.get(raw_format="iso2709").title == "Escape from loneliness"
    assert set(Record.objects.filter(raw_format="marcxml").values_list("material", flat=True)) == {"sound",
                                                                                                    "electronic"}


@pytest.mark.parametrize("payload, message", [
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><collection>&b;</collection>',
     "entities"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><collection>&x;</collection>',
     "entities"),
    (b"<collection><record>", "malformed"),
])
def test_dangerous_or_broken_xml_is_refused_whole(source, payload, message):
    with translation.override("en"), pytest.raises(marc.FileError, match=message):
        import_file(source, payload, "bomb.xml")
    assert not Record.objects.exists()


def test_same_edition_from_two_libraries_is_one_cluster_with_both_holdings(source, cusco_library):
    other = Source.objects.create(code="cusco", name="Cusco", library=cusco_library)
    import_file(source, read("pymarc-marc.dat"), "marc.dat")
    import_file(other, read("pymarc-marc.dat"), "marc.dat")
    assert Record.objects.count() == 40 and Cluster.objects.count() == 20
    cluster = Record.objects.get(source=source, title__startswith="The pragmatic programmer").cluster
    libraries = set(Holding.objects.filter(record__cluster=cluster).values_list("library__isil", flat=True))
    assert libraries == {"PE-LIM01", "PE-CUS01"}
    assert cluster.representative is not None


def test_import_marc_command_creates_the_source(lima_library, librarian_lima, coordinator_cl, tmp_path, capsys):
    from sirbi.core.changelog import history
    from sirbi.core.models import ImportBatch

    path = tmp_path / "marc.dat"
    path.write_bytes(read("pymarc-marc.dat"))
    with pytest.raises(CommandError, match="may not create this source"):
        call_command("import_marc", str(path), "--source", "lima-files", "--library", "pe-lim01",
                     "--user", coordinator_cl.username, verbosity=0)
    assert not Source.objects.filter(code="lima-files").exists()
    call_command("import_marc", str(path), "--source", "lima-files", "--library", "pe-lim01",
                 "--user", librarian_lima.username, verbosity=0)
    out = capsys.readouterr().out
    assert "20 added" in out
    source = Source.objects.get(code="lima-files")
    assert source.library == lima_library
    # The new source is logged like one made on its page; the file is one import batch, kept.
    assert history(source).get().user_name == librarian_lima.username
    batch = ImportBatch.objects.get()
    assert f"import #{batch.pk}" in out
    assert batch.file.read() == path.read_bytes() and batch.counts == {"create": 20}
    assert batch.kind == "catalog-records" and batch.user == librarian_lima and batch.country == "PE"
    with pytest.raises(CommandError, match="may not import into the source"):
        call_command("import_marc", str(path), "--source", "lima-files", "--user", coordinator_cl.username,
                     verbosity=0)
    with pytest.raises(CommandError, match="give --library or --network"):
        call_command("import_marc", str(path), "--source", "unknown", "--user", librarian_lima.username,
                     verbosity=0)


def test_sources_are_kept_by_their_library_network_and_country(source, cusco_library, librarian_lima,
                                                               network_manager_pe, coordinator_pe, coordinator_cl):
    from sirbi.core import permissions
    cusco = Source.objects.create(code="cusco", name="Cusco", library=cusco_library)
    assert permissions.can(librarian_lima, "change", source)
    assert not permissions.can(librarian_lima, "change", cusco)
    assert permissions.can(network_manager_pe, "change", source)  # Lima's library is in pe-public
    assert permissions.can(coordinator_pe, "change", cusco) and not permissions.can(coordinator_cl, "change", cusco)
    assert list(permissions.restrict(Source.objects.all(), librarian_lima, "change")) == [source]


def test_worker_processes_prepare_what_the_importing_process_would(monkeypatch):
    """A large ISO 2709 file is cut where pymarc cuts it and prepared in a spawned worker: the same records,
    positions, reasons and keys as when prepared in the importing process, broken records included."""
    from sirbi.catalog import prepare

    # The last broken record says it is longer than it is: it runs to the next record terminator, which is the
    # end of the first record of the file after it; reading goes on from there.
    data = read("pymarc-marc.dat") + read("pymarc-bad_records.mrc") + read("pymarc-marc.dat")
    config = prepare.HoldingsConfig()
    alone = [item for batch in prepare.prepared_batches(data, "iso2709", config, processes=0) for item in batch]
    monkeypatch.setattr(prepare, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(prepare, "CHUNK_RECORDS", 4)
    chunks = list(prepare.iso2709_chunks(data, 4))
    assert b"".join(chunk for chunk, _first in chunks) == data and [f for _c, f in chunks][:3] == [1, 5, 9]
    parallel = [item for batch in prepare.prepared_batches(data, "iso2709", config, processes=1) for item in batch]
    assert len(alone) == len(parallel) == 48
    assert [(i.position, i.error, i.local_id, i.keys, i.digest) for i in alone] == \
        [(i.position, i.error, i.local_id, i.keys, i.digest) for i in parallel]
    assert sum(bool(i.error) for i in parallel) == 7


def test_a_broken_record_length_does_not_hide_the_rest_of_the_file(source):
    data = bytearray(read("pymarc-marc.dat"))
    second = int(data[:5])
    data[second:second + 5] = b"0x123"  # the second record's length is not a number
    report = import_file(source, bytes(data), "damaged.mrc")
    assert report.added == 19 and [r[0] for r in report.rejected] == [2]
    assert "RecordLengthInvalid" in report.rejected[0][1]
    data = read("pymarc-marc.dat") + b"\n" + read("pymarc-marc.dat")[:300]  # a line end, then a record cut off
    report = import_file(source, data, "cut.mrc")
    assert (report.added, report.unchanged) == (1, 19) and "TruncatedRecord" in report.rejected[0][1]


def test_blocking_keys_are_narrow_and_shared_with_and_without_subtitle():
    from sirbi.catalog.normalise import keys_of

    with_subtitle = keys_of({"title": "La educación popular : teoría y práctica", "authors": ["Freire, Paulo"],
                             "year": 1987})
    without = keys_of({"title": "Educación popular", "authors": ["Freire, P."], "year": 1987})
    assert "blk:educacion popular|1987" in with_subtitle and "blk:educacion popular|1987" in without
    assert "blk:educacion popular|freire" in with_subtitle and "blk:educacion popular|freire" in without


def test_the_workers_json_text_is_json_dumps():
    """SQLite stores the lists as the text the workers make (prepare._json_list): it must read back as json.dumps'."""
    import json

    from sirbi.catalog.prepare import _json_list

    for values in ([], ["Borges, Jorge Luis"], ['Cortázar, "Julio"', "back\\slash", "中文\n", "\u0301combining"]):
        assert _json_list(values) == json.dumps(values)
