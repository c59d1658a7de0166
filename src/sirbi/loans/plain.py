"""Plain statements for the few reads and writes every step of a request makes (benchmarks/ill_flow.py): composing
them through the ORM cost several times running them. Reads and writes go through core.bulk's cursor (writes tell
the page cache, like any other); values go in prepared by each field as the ORM prepares them, and come out through
each field's converters, so rows written or read here are the rows the ORM writes and reads.

Model instances in, model instances out (`Model.from_db`, as the ORM builds them: with `only()`'s deferred fields
when a read takes some columns, and the related libraries, countries, policies and endpoints set as
`select_related()` sets them)."""

from django.db import connection, transaction

from sirbi.core import bulk
from sirbi.core.models import Role
from sirbi.registry.models import Country, Library

from .choices import RotaOutcome
from .models import LendingPolicy, LoanRequest, PartnerEndpoint, RotaEntry, Transition


class _Shape:
    """Columns of a model (all, or those of `attnames`) as this module reads and writes them, on one connection."""

    def __init__(self, model, attnames=None):
        quote = connection.ops.quote_name
        self.model = model
        # In the model's order: Model.from_db takes a partial row's values so.
        self.fields = [field for field in model._meta.concrete_fields if attnames is None or field.attname in attnames]
        self.attnames = None if attnames is None else [field.attname for field in self.fields]
        self.table = quote(model._meta.db_table)
        self.columns = [quote(field.column) for field in self.fields]
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                self.converters.append((index, column, found))
        self.inserted = [field for field in self.fields if not field.primary_key]

    def select(self, alias):
        return ", ".join(f"{alias}.{column}" for column in self.columns)

    def instance(self, values):
        """A model instance from a row's values (in `fields` order), converted as the ORM converts them (the
        fields not read are deferred, as with `only()`); None for a row of NULLs (an outer join's missing row)."""
        if values[0] is None:
            return None
        values = list(values)
        for index, column, found in self.converters:
            value = values[index]
            for converter in found:
                value = converter(value, column, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.attnames, values)

    def take(self, row, start):
        """This model's instance from `row` at `start`, and where the next model's columns start."""
        end = start + len(self.fields)
        return self.instance(row[start:end]), end


def _shape(model, *attnames):
    # Per connection (each thread has its own; the converters are the connection's). Partial shapes start with
    # the primary key (so that a row of NULLs is told apart).
    shapes = getattr(connection, "loans_plain_shapes", None)
    if shapes is None:
        shapes = connection.loans_plain_shapes = {}
    key = (model, attnames)
    if key not in shapes:
        shapes[key] = _Shape(model, ("id", *attnames) if attnames else None)
    return shapes[key]


def _rows(sql, params):
    with bulk.raw_cursor(writes=False) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def locked_request(pk):
    """(the request, its rota entry for its current lender or None), in one read, the request's row locked
    (FOR UPDATE where the database has it; SQLite's write transaction holds the only write lock from its start).
    Raises LoanRequest.DoesNotExist as `get` would."""
    request, entry = _shape(LoanRequest), _shape(RotaEntry)
    lock = " FOR UPDATE OF r" if connection.features.has_select_for_update_of else ""
    rows = _rows(f"SELECT {request.select('r')}, {entry.select('e')} FROM {request.table} r "
                 f"LEFT JOIN {entry.table} e ON e.request_id = r.id AND e.library_id = r.lender_id "
                 f"WHERE r.id = %s{lock}", [pk])
    if not rows:
        raise LoanRequest.DoesNotExist(f"No loan request {pk}")
    loan, start = request.take(rows[0], 0)
    return loan, entry.take(rows[0], start)[0]


def rota_entry(request_id, library_id):
    """The rota entry of `library_id` in a request, or None."""
    entry = _shape(RotaEntry)
    rows = _rows(f"SELECT {entry.select('e')} FROM {entry.table} e WHERE e.request_id = %s AND e.library_id = %s",
                 [request_id, library_id])
    return entry.instance(rows[0]) if rows else None


def insert(obj):
    """INSERT a new instance of Transition (the timeline's step); its id is set."""
    shape = _shape(type(obj))
    assert shape.model is Transition
    row = tuple(field.get_db_prep_save(field.pre_save(obj, True), connection) for field in shape.inserted)
    # In a transaction (the steps' own, else one here): on SQLite the new id is read back after the INSERT.
    with transaction.atomic(savepoint=False):
        obj.pk = bulk.insert_rows(shape.model, [field.attname for field in shape.inserted], [row])[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return obj


def update(obj, attnames):
    """UPDATE `attnames` of a stored request or rota entry (what `save(update_fields=...)` writes; the request's
    `updated` time is the caller's to set)."""
    assert type(obj) in (LoanRequest, RotaEntry)
    bulk.update_objects([obj], list(attnames))


def message_seen(message_key):
    return bool(_rows(f"SELECT 1 FROM {_shape(Transition).table} WHERE message_key = %s", [message_key]))


def staff_ids(library_ids):
    """{library id: [user ids]} of the active users on the staff of those libraries (only those that have some)."""
    from sirbi.core.models import RoleAssignment, User

    if not library_ids:
        return {}
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(library_ids))
    rows = _rows(f"SELECT DISTINCT a.library_id, a.user_id FROM {quote(RoleAssignment._meta.db_table)} a "
                 f"JOIN {quote(User._meta.db_table)} u ON u.id = a.user_id "
                 f"WHERE a.role = %s AND a.library_id IN ({marks}) AND u.is_active "
                 f"ORDER BY a.library_id, a.user_id", [Role.LIBRARY_STAFF.value, *library_ids])
    found = {}
    for library_id, user_id in rows:
        found.setdefault(library_id, []).append(user_id)
    return found


# Reads with the libraries they name, as the steps use them (the ORM's select_related() with only()).

def _library(*attnames):
    return _shape(Library, *attnames, "country_id"), _shape(Country, "code")


def _with_country(row, start, library_shape, country_shape):
    library, start = library_shape.take(row, start)
    country, start = country_shape.take(row, start)
    Library.country.field.set_cached_value(library, country)
    return library, start


def _with_library(shape, alias, link, library_fields, where, params):
    """The first row of `shape`'s table (as `alias`) matching `where`, with the library its column `link` names
    (`library_fields` and its country's code) read with it and set as select_related() sets it; or None."""
    library, country = _library(*library_fields)
    rows = _rows(f"SELECT {shape.select(alias)}, {library.select('l')}, {country.select('c')} "
                 f"FROM {shape.table} {alias} JOIN {library.table} l ON l.id = {alias}.{link} "
                 f"LEFT JOIN {country.table} c ON c.id = l.country_id WHERE {where} LIMIT 1", params)
    if not rows:
        return None
    found, start = shape.take(rows[0], 0)
    field = next(field for field in shape.fields if field.attname == link)
    field.set_cached_value(found, _with_country(rows[0], start, library, country)[0])
    return found


def partner_by_token(token_hash, library_fields):
    """The active partner endpoint with this token hash (the fields a message's handling uses), its library
    (`library_fields` and its country's code) read with it; or None."""
    partner = _shape(PartnerEndpoint, "library_id", "token_hash", "agency_id", "agency_id_type", "active")
    return _with_library(partner, "p", "library_id", library_fields, "p.token_hash = %s AND p.active ORDER BY p.id",
                         [token_hash])


def asked_of(request_id, borrower_isil, lender_id, library_fields):
    """The request `request_id` of the borrower with this ISIL (any case) asked of `lender_id` now: its keys, its
    borrower (`library_fields` and its country's code) read with it; or None."""
    return _with_library(_shape(LoanRequest, "borrower_id", "lender_id"), "r", "borrower_id", library_fields,
                         "r.request_id = %s AND UPPER(l.isil) = UPPER(%s) AND r.lender_id = %s",
                         [request_id, borrower_isil, lender_id])


def next_waiting(request_id, library_fields, policy_fields, endpoint_fields):
    """The first rota entry of a request not asked yet, with its library (`library_fields`, its country's code,
    its lending policy's `policy_fields` and its ISO 18626 endpoint's `endpoint_fields`, None where it has none)
    read with it; or None."""
    entry = _shape(RotaEntry)
    library, country = _library(*library_fields)
    policy = _shape(LendingPolicy, "library_id", *policy_fields)
    endpoint = _shape(PartnerEndpoint, "library_id", *endpoint_fields)
    rows = _rows(f"SELECT {entry.select('e')}, {library.select('l')}, {country.select('c')}, {policy.select('p')}, "
                 f"{endpoint.select('x')} FROM {entry.table} e JOIN {library.table} l ON l.id = e.library_id "
                 f"LEFT JOIN {country.table} c ON c.id = l.country_id "
                 f"LEFT JOIN {policy.table} p ON p.library_id = l.id "
                 f"LEFT JOIN {endpoint.table} x ON x.library_id = l.id "
                 f"WHERE e.request_id = %s AND e.outcome = %s ORDER BY e.position LIMIT 1",
                 [request_id, RotaOutcome.WAITING.value])
    if not rows:
        return None
    row = rows[0]
    found, start = entry.take(row, 0)
    lender, start = _with_country(row, start, library, country)
    lending_policy, start = policy.take(row, start)
    partner, start = endpoint.take(row, start)
    Library.lending_policy.related.set_cached_value(lender, lending_policy)
    Library.iso18626_endpoint.related.set_cached_value(lender, partner)
    RotaEntry.library.field.set_cached_value(found, lender)
    return found
