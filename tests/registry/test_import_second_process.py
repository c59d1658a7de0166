"""A large library import is checked by a second process while this one writes (`FORK_ROWS`), and sets the
library table's indexes aside on SQLite while it adds more rows than the table holds: the same report, the same
rows, all or nothing. The thresholds are lowered here so that a few rows take that path."""

import time

import pytest
from django.db import connection
from django.utils import translation

from sirbi.core.models import ChangeLog
from sirbi.registry.imports import libraries as importer
from sirbi.registry.models import Library
from tests.registry.test_imports import HUANUCO, MIRAFLORES, csv_bytes, run, stored_state, with_cell


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    return monkeypatch


def many_rows(count):
    return [with_cell(with_cell(MIRAFLORES, "isil", f"PE-N{n:04d}"), "name", f"Biblioteca {n}") for n in range(count)]


def library_indexes():
    with connection.cursor() as cursor:
        return sorted(name for name, _sql in connection.introspection.get_constraints(cursor, "registry_library")
                      .items() if _sql["index"])


def outcome(report):
    return [(row.line, row.action, row.name, row.errors) for row in report.rows], report.messages()


def test_a_file_with_errors_gets_the_same_report_from_the_second_process(small_chunks, coordinator_pe, lima_library):
    bad_isil = with_cell(HUANUCO, "isil", "AR-HUA01")
    twice = with_cell(many_rows(1)[0], "name", "Otra")  # row 8 repeats row 3's ISIL, in a later chunk
    rows = [*many_rows(3), bad_isil, with_cell(MIRAFLORES, "latitude", "-95"), HUANUCO, twice]
    state = stored_state()
    with translation.override("en"):  # the child writes its messages in the language active here
        alone = outcome(run(csv_bytes(rows), coordinator_pe, dry_run=True))
        small_chunks.setattr(importer, "FORK_ROWS", 1)
        report = run(csv_bytes(rows), coordinator_pe)
        assert outcome(report) == alone and not report.applied
        assert "bibliotecas.csv, row 8, column isil: the ISIL PE-N0000 is also on row 2." in report.messages()
    assert stored_state() == state and library_indexes()


def test_a_large_import_writes_the_same_libraries_and_keeps_the_indexes(small_chunks, coordinator_pe, pe_public):
    small_chunks.setattr(importer, "FORK_ROWS", 3)
    indexes = library_indexes()

    report = run(csv_bytes(many_rows(7)), coordinator_pe)

    assert report.applied and report.summary()["create"] == 7
    names = dict(Library.objects.values_list("pk", "name"))
    assert [names[row.library_id] for row in report.rows] == [f"Biblioteca {n}" for n in range(7)]
    assert dict(ChangeLog.objects.values_list("object_id", "row")) == {row.library_id: row.line
                                                                        for row in report.rows}
    assert Library.objects.filter(networks=pe_public).count() == 7
    assert library_indexes() == indexes
    # The unique ISIL index is there again: the database itself refuses a second PE-N0003.
    with pytest.raises(Exception, match="UNIQUE|unique"):
        Library.objects.create(name="Copia", country=Library.objects.first().country, type="public", isil="pe-n0003")


def test_a_large_import_stopped_half_way_leaves_nothing(small_chunks, secretary, lima_library):
    small_chunks.setattr(importer, "FORK_ROWS", 3)
    real = importer._insert_libraries
    calls = []

    def stop_at_the_second_chunk(rows):
        calls.append(rows)
        if len(calls) == 2:
            raise RuntimeError("the server stopped")
        return real(rows)

    small_chunks.setattr(importer, "_insert_libraries", stop_at_the_second_chunk)
    state, indexes = stored_state(), library_indexes()
    with pytest.raises(RuntimeError, match="the server stopped"):
        run(csv_bytes(many_rows(6)), secretary)
    assert stored_state() == state and library_indexes() == indexes


def test_a_failure_of_the_checking_process_fails_the_import(small_chunks, coordinator_pe, lima_library):
    small_chunks.setattr(importer, "FORK_ROWS", 1)
    small_chunks.setattr(importer, "check_row", lambda values, ctx, errors: 1 / 0)  # in the child only
    state = stored_state()
    with pytest.raises(RuntimeError, match="the process checking the rows failed"):
        run(csv_bytes(many_rows(4)), coordinator_pe)
    assert stored_state() == state


def test_a_checking_process_that_hangs_is_stopped_and_the_import_fails(small_chunks, coordinator_pe, lima_library):
    small_chunks.setattr(importer, "FORK_ROWS", 1)
    small_chunks.setattr(importer, "CHILD_SILENCE_SECONDS", 1)
    small_chunks.setattr(importer, "check_row", lambda values, ctx, errors: time.sleep(600))  # in the child only
    state = stored_state()
    with pytest.raises(RuntimeError, match="sent nothing for 1 seconds"):  # stopped, not waited for
        run(csv_bytes(many_rows(4)), coordinator_pe)
    assert stored_state() == state
