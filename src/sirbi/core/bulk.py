"""Bulk writes for imports: many rows in few statements, with the change log, on SQLite and PostgreSQL.

The ORM's bulk_create builds a model instance and compiles every value of every row; for 100,000 rows
that is most of an import's time. These helpers take plain tuples (already in the database's types)
and hand them to the driver's own cursor.
"""

import gc
import json
import sqlite3
from contextlib import contextmanager

from django.db import connection

from . import pagecache
from .models import ChangeLog

BATCH_ROWS = 10_000  # rows per executemany call
LOG_FIELDS = ["time", "user", "user_name", "action", "content_type", "object_id", "object_repr", "country",
              "before", "after", "message", "source", "batch", "row"]


@contextmanager
def raw_cursor(writes=True):
    """The database's own cursor (%s parameters on SQLite and PostgreSQL alike), without Django's query
    log: with DEBUG on, that log would format and keep every batch of values. Django's cursors tell the
    page cache about writes; this one says so itself unless `writes` is False."""
    try:
        with connection.cursor() as cursor, connection.wrap_database_errors:
            yield cursor.cursor
    finally:
        if writes:
            pagecache.written(connection)


@contextmanager
def collection_paused():
    """Python's cyclic garbage collector paused while a large import builds its rows. Each of its full passes
    walks every live object, and an import of 100,000 rows keeps millions alive and triggers many passes: about
    a third of a scope spreadsheet's time. Nothing an import builds needs the collector (no cycles to free); it
    resumes at the end, unless it was already off."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@contextmanager
def checkpoints_spaced(pages=25_000):
    """SQLite: while a large import commits batch after batch, copy the write-ahead log back into the database
    every `pages` pages (about 100 MB) instead of every 1,000 (SQLite's default; each copy ends with an fsync): an
    import of 100,000 catalog records spent a third of its time in those copies. The log is copied as usual
    again from the first commit after. Nothing to do on other databases."""
    if connection.vendor != "sqlite":
        yield
        return
    with raw_cursor(writes=False) as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    try:
        yield
    finally:
        with raw_cursor(writes=False) as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")


def max_params():
    return connection.features.max_query_params or 30000


def statement_params():
    """How many parameters one statement may carry: SQLite's own limit (32,766 since 3.32; Django assumes the old
    999), PostgreSQL's 65,535 less a margin."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max_params()


def insert_values(cursor, table, columns, rows):
    """INSERT `rows` (tuples) into `table` (quoted) `columns` (quoted), as many rows per statement as the
    parameter limit allows (at most 2,000): one multi-row INSERT costs SQLite less than executemany's
    statement per row (the change log: 0.75 -> 0.42 s for 100,000 entries), and PostgreSQL fewer round trips."""
    if not rows:
        return
    width = len(rows[0])
    size = max(1, min(2000, statement_params() // width))
    if connection.vendor == "sqlite":
        # SQLite's own marks, given to the driver's execute: Django's would rewrite every %s of a 30,000-mark
        # statement into ? each time.
        mark, execute = "?", sqlite3.Cursor.execute
    else:
        mark, execute = "%s", type(cursor).execute
    placeholder = "(" + ", ".join([mark] * width) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    full = head + ", ".join([placeholder] * size)
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        sql = full if len(chunk) == size else head + ", ".join([placeholder] * len(chunk))
        execute(cursor, sql, [value for row in chunk for value in row])


@contextmanager
def indexes_set_aside(model):
    """On SQLite, drop the secondary indexes of `model`'s table for the block and create them again after it, in
    the caller's transaction: building an index once from all the rows costs less than updating six indexes row by
    row (100,000 new libraries: 1.2 s of CPU less). Only worth it when the block adds more rows than the table
    holds. A unique index is checked again as it is created (a violation raises, the transaction rolls back);
    if the block raises, the rollback brings the indexes back. Readers of other connections keep seeing the
    committed schema and rows (WAL); no other connection can write meanwhile (the transaction holds SQLite's
    write lock from the first DROP)."""
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes are set aside only inside a transaction")
    with raw_cursor(writes=False) as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL", [model._meta.db_table])
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with raw_cursor(writes=False) as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


def select_in(sql, values, params=(), chunk=5000):
    """All rows of `sql`, whose `{in}` stands for a list of `values` (sent `chunk` at a time, after
    `params`), on the driver's cursor: for the large `IN (...)` lists of imports, which the ORM would
    prepare value by value."""
    values = list(values)
    rows = []
    with raw_cursor(writes=False) as cursor:
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            cursor.execute(sql.format(**{"in": ", ".join(["%s"] * len(part))}), [*params, *part])
            rows.extend(cursor.fetchall())
    return rows


def execute_in(sql, values, params=(), chunk=5000):
    """Run the write `sql`, whose `{in}` stands for a list of `values` (sent `chunk` at a time, after `params`),
    on the driver's cursor: `select_in` for UPDATE and DELETE."""
    values = list(values)
    with raw_cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            cursor.execute(sql.format(**{"in": ", ".join(["%s"] * len(part))}), [*params, *part])


def json_value(value):
    """A JSON column's value read by `select_in`: SQLite gives the text, PostgreSQL the decoded value."""
    if value == "[]":  # the commonest (no ISBN, no subject): not worth the decoder's call
        return []
    return json.loads(value) if isinstance(value, str) else value


def reserve_ids(model, count):
    """`count` new primary keys of `model`, in ascending order, for rows this transaction inserts with them (with
    "id" among `insert_rows`' columns) before it reserves again: so that rows that name each other (a record and
    the record it joined a cluster with) are written once, not inserted and then updated."""
    if not connection.in_atomic_block:
        raise RuntimeError("ids are reserved only inside a transaction")
    if count <= 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with raw_cursor(writes=False) as cursor:
        if connection.vendor == "sqlite":
            # The transaction holds SQLite's only write lock from its BEGIN (transaction_mode IMMEDIATE), so no
            # one else takes these ids; AUTOINCREMENT's counter keeps ids of deleted rows from coming back.
            cursor.execute(f"SELECT max({connection.ops.quote_name(pk)}) FROM {connection.ops.quote_name(table)}")
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + count))
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk, count])
            return sorted(row[0] for row in cursor.fetchall())
    raise RuntimeError(f"ids are reserved on SQLite and PostgreSQL, the platform's databases, not on "
                       f"{connection.vendor}")


def insert_rows(model, attnames, rows):
    """INSERT `rows` (tuples in `attnames` order) into `model`'s table; their new ids, in the same order."""
    quote = connection.ops.quote_name
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = ", ".join(quote(fields[name]) for name in attnames)
    if not rows:
        return []
    with raw_cursor() as cursor:
        if connection.vendor == "sqlite":
            # One prepared statement for every row. From its first row on, the transaction holds SQLite's
            # only write lock, and ids only grow: the new rows are the ones with the largest ids.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(attnames))})",
                               rows)
            cursor.execute(f"SELECT {pk} FROM {table} ORDER BY {pk} DESC LIMIT %s", [len(rows)])
            return [row[0] for row in reversed(cursor.fetchall())]
        if connection.features.can_return_rows_from_bulk_insert:  # PostgreSQL: INSERT ... RETURNING
            placeholder = "(" + ", ".join(["%s"] * len(attnames)) + ")"
            size = max(1, min(1000, max_params() // len(attnames)))
            ids = []
            for start in range(0, len(rows), size):
                chunk = rows[start:start + size]
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} "
                               f"RETURNING {pk}", [value for row in chunk for value in row])
                # Ids grow in the order of the VALUES; RETURNING need not keep that order.
                ids.extend(sorted(row[0] for row in cursor.fetchall()))
            return ids
    objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects)
    return [obj.pk for obj in objects]


def update_rows(model, attnames, rows):
    """UPDATE `model` rows: each row is the `attnames` values followed by the primary key."""
    quote = connection.ops.quote_name
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    sql = (f"UPDATE {quote(model._meta.db_table)} SET "
           + ", ".join(f"{quote(fields[name])} = %s" for name in attnames)
           + f" WHERE {quote(model._meta.pk.column)} = %s")
    with raw_cursor() as cursor:
        for start in range(0, len(rows), BATCH_ROWS):
            cursor.executemany(sql, rows[start:start + BATCH_ROWS])


def update_objects(objects, attnames):
    """`update_rows` for model instances: their `attnames` values, prepared for the database by each field."""
    if not objects:
        return
    model = type(objects[0])
    fields = [model._meta.get_field(name) if not name.endswith("_id") else
              next(f for f in model._meta.concrete_fields if f.attname == name) for name in attnames]
    rows = [tuple(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields) + (obj.pk,)
            for obj in objects]
    update_rows(model, [field.attname for field in fields], rows)


def insert_log_rows(rows):
    """INSERT change-log entries: tuples of LOG_FIELDS values, ready for the database. Only
    core.changelog.BatchLog calls this: it alone knows the columns' meaning."""
    quote = connection.ops.quote_name
    columns = [quote(ChangeLog._meta.get_field(name).column) for name in LOG_FIELDS]
    with raw_cursor() as cursor:
        insert_values(cursor, quote(ChangeLog._meta.db_table), columns, rows)

