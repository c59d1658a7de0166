"""A large scope spreadsheet is checked in two processes (core.halves): the second half of its rows by a forked
worker. What the reader finds must not depend on where the halves were cut: the same problems, named by the same
rows and columns, and the same figures."""

import pytest
from django.db import connection
from django.utils import translation

from sirbi.core import halves
from sirbi.stats.campaigns.services import units_for
from sirbi.stats.campaigns.spreadsheets import SheetErrors, read_scope_upload, template_csv
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)
from tests.stats.test_scope_upload import libraries  # noqa: F401  (fixture)
from tests.stats.test_spreadsheets import csv_rows, write_csv


def read(campaign, units, data, *, worker):  # noqa: F811
    """(problems, [(unit key, indicator, typology, value, row)]) of a reading, with or without the worker."""
    original = halves.MIN_ITEMS
    halves.MIN_ITEMS = 2 if worker else 10**9
    try:
        pairs = read_scope_upload(data, "all.csv", campaign, units)
    except SheetErrors as exc:
        return exc.problems, None
    finally:
        halves.MIN_ITEMS = original
    return [], [(unit.key, e.indicator.code, e.typology, e.value, e.row) for unit, e in pairs]


@pytest.fixture
def scope(network_manager_pe, campaign, libraries):  # noqa: F811
    units = {u.key: u for u in units_for(network_manager_pe, campaign, limit=None)}
    with translation.override("en"):
        rows = csv_rows(template_csv(campaign, list(units.values()), "en"))
    for k, row in enumerate(rows):
        row["value"] = f"{1_000 + k:,}"
    return units, rows


@pytest.mark.django_db
def test_the_worker_finds_what_one_process_finds(campaign, scope):  # noqa: F811
    units, rows = scope
    with translation.override("en"):
        assert read(campaign, units, write_csv(rows), worker=True) == read(campaign, units, write_csv(rows),
                                                                           worker=False)
        problems, figures = read(campaign, units, write_csv(rows), worker=True)
    assert not problems and len(figures) == len(rows) == 36
    assert figures[-1][3:] == (1_035, 37)  # the last row's figure and row, from the worker's half

    rows[30]["value"] = "12,5x"  # in the worker's half
    rows[2]["source"] = "rumour"  # in this process's half
    rows[25] = dict(rows[3], value="7")  # the second half repeats a figure of the first
    rows[33]["note"] = "<script>x</script>"
    with translation.override("en"):
        together, _figures = read(campaign, units, write_csv(rows), worker=True)
        alone, _figures = read(campaign, units, write_csv(rows), worker=False)
    assert together == alone
    assert [p.split(":")[0] for p in together] == ["all.csv, row 4, column source", "all.csv, row 27, column indicator",
                                                  "all.csv, row 32, column value", "all.csv, row 35, column note"]
    assert "is already on row 5" in together[1]


@pytest.mark.django_db
def test_a_worker_that_queries_the_database_is_refused_and_its_half_done_here(caplog):
    def count_rows(items):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return [item * 2 for item in items]

    assert halves.in_two_halves(count_rows, list(range(10)), min_items=2) == [k * 2 for k in range(10)]
    assert "does not use the database" in caplog.text
    with connection.cursor() as cursor:  # this process's connection still works
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
