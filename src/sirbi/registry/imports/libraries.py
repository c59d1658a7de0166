"""Bulk import of libraries: one row = one library, validated by the registry's rules, applied all or nothing.

`import_libraries(data, filename, user=...)` is used by the `sirbi import-libraries` command, the web
upload and the benchmark alike. Rows match existing libraries by ISIL, else by country + name +
locality, and update them (only the columns the file has). Every problem is reported as (row, column,
message); one bad row changes nothing unless `skip_invalid` is set, and then the skipped rows are listed.

Speed matters (100,000 rows in a few seconds): everything a row is checked against is read once
(`Context`), a row costs no query, and the writes go to the database in large batches of plain values
(no model instances), in one transaction. The rules are the registry's (`registry.rules`), the ones the edit
form applies; the import is one batch of `core.batches`, with the file kept and a compact change-log entry per
library written by `core.changelog.BatchLog`.
"""

import os
import pickle
import queue
import re
import signal
import threading
import traceback
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirbi.core import bulk, permissions
from sirbi.core.batches import close_batch, open_batch, pack_in_background
from sirbi.core.changelog import BatchLog, snapshot_fields, snapshot_values
from sirbi.core.tables import FileProblem, read_table
from sirbi.core.text import fold

from .. import rules
from ..choices import SERVICES, IsoSubtype, IsoType, LibraryStatus, LibraryType
from ..exports import LIBRARY_COLUMNS, LIBRARY_EXTRA_COLUMNS
from ..models import Country, Library, Network, Subdivision, library_search_text

# Column code -> label; a template's header uses the labels of its language, and the importer accepts
# the codes and the labels in any of the three languages.
COLUMN_LABELS = {
    "isil": gettext_lazy("ISIL"),
    "name": gettext_lazy("name"),
    "country": gettext_lazy("country"),
    "subdivision": gettext_lazy("subdivision"),
    "networks": gettext_lazy("networks"),
    "type": gettext_lazy("type"),
    "status": gettext_lazy("status"),
    "iso_type": gettext_lazy("ISO 2789 type"),
    "iso_subtype": gettext_lazy("ISO 2789 subtype"),
    "statutory": gettext_lazy("run by a public authority"),
    "locality": gettext_lazy("locality"),
    "address": gettext_lazy("address"),
    "postal_code": gettext_lazy("postal code"),
    "latitude": gettext_lazy("latitude"),
    "longitude": gettext_lazy("longitude"),
    "website": gettext_lazy("website"),
    "email": gettext_lazy("e-mail"),
    "phone": gettext_lazy("phone"),
    "services": gettext_lazy("services"),
    "description": gettext_lazy("description"),
}
REQUIRED_COLUMNS = ("name", "country", "type")
LIST_SPLIT = re.compile(r"\s*[|,;]\s*")
SERVICE_FIELDS = [f"service_{code}" for code in SERVICES]
PLAIN_FIELDS = rules.PLAIN_FIELDS


@dataclass
class RowResult:
    line: int
    action: str = ""  # create, update, unchanged, error, skipped
    name: str = ""
    library_id: int | None = None
    errors: list = field(default_factory=list)  # [(column, message)]

    def as_dict(self):
        return {"line": self.line, "action": self.action, "name": self.name, "library_id": self.library_id,
                "errors": [{"column": c, "message": m} for c, m in self.errors]}


@dataclass
class ImportReport:
    filename: str
    rows: list = field(default_factory=list)
    problem: str = ""  # a problem with the whole file (nothing read)
    dry_run: bool = False
    skip_invalid: bool = False
    applied: bool = False
    encoding: str = ""
    delimiter: str = ""
    batch_id: int | None = None  # the import batch an applied import made (core.batches)

    @property
    def batch_url(self):
        return reverse("core:batch", args=[self.batch_id]) if self.batch_id else ""

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def error_rows(self):
        return [row for row in self.rows if row.errors]

    @property
    def ok(self):
        return not self.problem and not self.error_rows

    def summary(self):
        return {action: self.count(action) for action in ("create", "update", "unchanged", "error", "skipped")}

    def messages(self):
        """Every error as one line: 'file, row 12, column isil: message' ('file, row 12: message' when the
        error is about the whole row)."""
        if self.problem:
            return [self.problem]
        return [
            (_("%(file)s, row %(row)s: %(message)s") if column == "*" else
             _("%(file)s, row %(row)s, column %(column)s: %(message)s"))
            % {"file": self.filename, "row": row.line, "column": column, "message": message}
            for row in self.error_rows for column, message in row.errors
        ]

    def as_dict(self, limit=None):
        rows = self.rows if limit is None else [r for r in self.rows if r.errors] + \
            [r for r in self.rows if not r.errors][:limit]
        return {"filename": self.filename, "problem": self.problem, "dry_run": self.dry_run,
                "skip_invalid": self.skip_invalid, "applied": self.applied, "summary": self.summary(),
                "encoding": self.encoding, "delimiter": self.delimiter, "batch_id": self.batch_id,
                "batch_url": self.batch_url,
                "rows": [row.as_dict() for row in sorted(rows, key=lambda r: r.line)],
                "rows_total": len(self.rows)}


def column_aliases():
    """Folded header text -> column code: codes, and the labels in es, pt and en."""
    aliases = {}
    for code, label in COLUMN_LABELS.items():
        aliases[fold(code)] = code
        aliases[fold(code.replace("_", " "))] = code
        for language in ("es", "pt", "en"):
            with translation.override(language):
                aliases.setdefault(fold(str(label)), code)
    for code in LIBRARY_EXTRA_COLUMNS:
        aliases[fold(code)] = code
    return aliases


def choice_aliases(choices):
    aliases = {}
    for value, label in choices:
        aliases[fold(value)] = value
        for language in ("es", "pt", "en"):
            with translation.override(language):
                aliases.setdefault(fold(str(label)), value)
    return aliases


# Library attributes: those a row sets, those stored, and those a change-log snapshot holds (core's definition).
_LIBRARY_FIELDS = [f for f in Library._meta.concrete_fields if not f.primary_key]
STORED = [f.attname for f in _LIBRARY_FIELDS]
LOGGED = [attname for _name, attname in snapshot_fields(Library)]
DEFAULTS = {f.attname: getattr(f.get_default(), "value", f.get_default()) for f in _LIBRARY_FIELDS}
# The attributes each column sets; an update changes only the columns present in the file.
COLUMN_FIELDS = {
    "isil": ["isil"], "name": ["name"], "country": ["country_id"], "subdivision": ["subdivision_id"],
    "type": ["type"], "status": ["status"], "iso_type": ["iso_type"], "iso_subtype": ["iso_subtype"],
    "statutory": ["statutory"], "latitude": ["latitude", "longitude"],
    "longitude": ["latitude", "longitude"], "services": SERVICE_FIELDS,
    **{name: [name] for name in PLAIN_FIELDS},
}
SERVICE_ATTNAMES = [(code, f"service_{code}") for code in SERVICES]
OPEN = LibraryStatus.OPEN.value


def search_text(values):
    return library_search_text(values["name"], values["locality"], values["isil"], values["address"])


def snapshot(values, networks):
    return snapshot_values(Library, values, {"networks": networks})


class Context:
    """Everything a row is checked against, read once per import so that a row costs no query."""

    def __init__(self, user, network_code=None):
        self.user = user
        all_countries = list(Country.objects.all())
        self.countries = {c.code: c for c in all_countries if c.is_member}
        self.country_by_id = {c.pk: c for c in all_countries}
        self.subdivisions = {}
        self.subdivision_names = {}
        self.subdivision_by_id = {}
        for sub in Subdivision.objects.filter(country__is_member=True).select_related("country"):
            self.subdivisions[sub.code.upper()] = sub
            self.subdivision_names.setdefault((sub.country.code, fold(sub.name)), sub)
            self.subdivision_by_id[sub.pk] = sub
        self.networks = {n.code.lower(): n for n in Network.objects.select_related("country")}
        self.network_by_id = {n.pk: n for n in self.networks.values()}
        self.types = choice_aliases(LibraryType.choices)
        self.statuses = choice_aliases(LibraryStatus.choices)
        self.iso_types = choice_aliases(IsoType.choices)
        self.iso_subtypes = choice_aliases(IsoSubtype.choices)
        self.services = choice_aliases(list(SERVICES.items()))
        self.fixed_network = None
        if network_code:
            self.fixed_network = self.networks.get(network_code.lower())
            if self.fixed_network is None:
                raise FileProblem("--network", _("there is no network with the code %(code)s.")
                                  % {"code": network_code})
        self.by_isil = {}  # lower-case ISIL -> library id
        self.by_place = {}  # (country id, folded name, folded locality) -> [library id, ...]
        self.names = {}  # library id -> name, for messages
        self.refusals = {}  # (network ids before, after) -> rules.membership_refusal's answer for the user

    def load_libraries(self, countries):
        """Every library with an ISIL (for uniqueness), and the libraries of the file's countries."""
        for pk, name, isil in Library.objects.filter(isil__isnull=False).exclude(isil="").values_list(
                "pk", "name", "isil"):
            self.by_isil[isil.lower()] = pk
            self.names[pk] = name
        country_ids = [self.countries[c].pk for c in countries if c in self.countries]
        for pk, name, country_id, locality in Library.objects.filter(country_id__in=country_ids).values_list(
                "pk", "name", "country_id", "locality"):
            self.by_place.setdefault((country_id, fold(name), fold(locality)), []).append(pk)
            self.names[pk] = name


def _header(table):
    """The column code of each position of the header (None for an unnamed column)."""
    aliases = column_aliases()
    line = table.header_line
    columns, unknown, seen = [], [], {}
    for position, text in enumerate(table.header):
        code = aliases.get(fold(text.strip()))
        if code is None:
            if text.strip():
                unknown.append(text.strip())
            columns.append(None)
            continue
        if code in seen:
            raise FileProblem(table.filename, _("the column %(column)s appears twice (columns %(a)s and %(b)s).")
                              % {"column": code, "a": seen[code] + 1, "b": position + 1}, line)
        seen[code] = position
        columns.append(code)
    if not seen:
        raise FileProblem(table.filename, _("the first line is not a header: it must name the columns, for "
                                            "example %(columns)s.") % {"columns": ", ".join(LIBRARY_COLUMNS)}, line)
    if unknown:
        raise FileProblem(table.filename, _("unknown columns: %(columns)s. The columns are: %(known)s.")
                          % {"columns": ", ".join(unknown), "known": ", ".join(LIBRARY_COLUMNS)}, line)
    missing = [code for code in REQUIRED_COLUMNS if code not in seen]
    if missing:
        raise FileProblem(table.filename, _("required columns are missing: %(columns)s.")
                          % {"columns": ", ".join(missing)}, line)
    return columns


def _number(text):
    """A coordinate written with a decimal point or a decimal comma."""
    return float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)


def check_row(values, ctx, errors):
    """Turn one row's texts into library attribute values; append (column, message) for each problem, by the
    registry's rules (`registry.rules`, the edit form's).

    Returns the attributes (as stored: country_id, subdivision_id...) plus "country" (the Country or
    None) and "networks" (the Network objects named, with the --network one).
    """
    out = {}
    text_errors = rules.text_errors
    for name in PLAIN_FIELDS:
        text = values.get(name, "").strip()
        for message in text_errors(name, text):
            errors.append((name, message))
        out[name] = text
    if not out["name"]:
        errors.append(("name", _("a library needs a name.")))
    for name, rule in (("website", rules.website_error), ("email", rules.email_error)):
        message = rule(out[name])
        if message:
            errors.append((name, message))

    code = values.get("country", "").strip().upper()
    country = ctx.countries.get(code)
    if country is None:
        errors.append(("country", _("unknown country “%(value)s”: give the ISO alpha-2 code of a member, e.g. PE.")
                       % {"value": values.get("country", "")}))
    out["country"] = country
    out["country_id"] = country.id if country is not None else None

    type_text = values.get("type", "").strip()
    kind = ctx.types.get(type_text) or ctx.types.get(fold(type_text))
    if kind is None:
        errors.append(("type", rules.unknown_type(values.get("type", ""))))
    out["type"] = kind
    status_text = values.get("status", "").strip()
    out["status"] = (ctx.statuses.get(status_text) or ctx.statuses.get(fold(status_text))) if status_text \
        else OPEN
    if out["status"] is None:
        errors.append(("status", rules.unknown_status(status_text)))

    for name, aliases, choices in (("iso_type", ctx.iso_types, IsoType.values),
                                   ("iso_subtype", ctx.iso_subtypes, IsoSubtype.values)):
        text = values.get(name, "").strip()
        out[name] = (aliases.get(text) or aliases.get(fold(text))) if text else ""
        if out[name] is None:
            errors.append((name, rules.unknown_choice(text, choices)))
            out[name] = ""
    out["statutory"], message = rules.yes_or_no(values.get("statutory", ""))
    if message:
        errors.append(("statutory", message))

    sub_text = values.get("subdivision", "").strip()
    out["subdivision_id"] = None
    if sub_text and country is not None:
        sub = ctx.subdivisions.get(sub_text.upper()) or ctx.subdivision_names.get((country.code, fold(sub_text)))
        if sub is None:
            errors.append(("subdivision", _("unknown subdivision “%(value)s” of %(country)s: give its ISO 3166-2 "
                                            "code (e.g. PE-LIM) or its name.") % {"value": sub_text,
                                                                                 "country": country.code}))
        elif message := rules.subdivision_error(sub, country):
            errors.append(("subdivision", message))
        else:
            out["subdivision_id"] = sub.id

    networks = []
    networks_text = values.get("networks", "").strip()
    for text in filter(None, LIST_SPLIT.split(networks_text)) if networks_text else ():
        network = ctx.networks.get(text.lower())
        if network is None:
            errors.append(("networks", _("unknown network code “%(value)s”.") % {"value": text}))
        elif network not in networks:
            networks.append(network)
    if country is not None and networks:
        message = rules.networks_error(country, networks)
        if message:
            errors.append(("networks", message))
            networks = [network for network in networks if network.country_id == country.id]
    if ctx.fixed_network is not None:
        if country is not None and ctx.fixed_network.country_id != country.id:
            errors.append(("country", _("the library is not in the country of the network %(code)s (%(other)s).")
                           % {"code": ctx.fixed_network.code, "other": ctx.fixed_network.country.code}))
        elif ctx.fixed_network not in networks:
            networks.append(ctx.fixed_network)
    out["networks"] = networks

    coordinates = {}
    for axis in ("latitude", "longitude"):
        text = values.get(axis, "").strip()
        coordinates[axis] = None
        if not text:
            continue
        try:
            number = _number(text)
        except ValueError:
            errors.append((axis, _("“%(value)s” is not a number.") % {"value": text}))
            continue
        message = rules.coordinate_error(axis, number)
        if message:
            errors.append((axis, message))
            continue
        coordinates[axis] = number
    if not any(column in ("latitude", "longitude") for column, _m in errors):
        message = rules.coordinates_error(coordinates["latitude"], coordinates["longitude"])
        if message:
            errors.append(("latitude", message))
    out.update(coordinates)

    services = set()
    services_text = values.get("services", "").strip()
    for text in filter(None, LIST_SPLIT.split(services_text)) if services_text else ():
        service = ctx.services.get(text) or ctx.services.get(fold(text))
        if service is None:
            errors.append(("services", rules.unknown_service(text)))
        services.add(service)
    for code, attname in SERVICE_ATTNAMES:
        out[attname] = code in services

    isil = rules.normalise_isil(values.get("isil"))
    if isil:
        # Uniqueness is the matching's business: an ISIL already registered says which library the row updates.
        message = rules.isil_error(isil, country.code if country else None)
        if message:
            errors.append(("isil", message))
    out["isil"] = isil
    return out


def import_libraries(data, filename, *, user, network=None, dry_run=False, skip_invalid=False, progress=None,
                     message=""):
    """Read, check and (unless `dry_run`) apply a file of libraries. Returns an ImportReport.

    A real import reads what it checks against and writes in one transaction: it sees the registry as it
    is when it writes, and changes all or nothing. A dry run only reads.
    """
    report = ImportReport(filename=filename, dry_run=dry_run, skip_invalid=skip_invalid)
    progress = progress or (lambda done, total=None, stage=None: None)
    # The kept file (core.batches), hashed and compressed in a thread while the rows are read and checked.
    packed = None if dry_run else pack_in_background(data)
    progress(0, None, _("reading the file"))
    opened = open_table(report, data, filename, _header)
    if opened is None:
        return report
    table, columns = opened
    with _fast_path():
        if dry_run:
            _check_and_apply(table, columns, report, user, network, message, progress, data)
            return report
        with transaction.atomic():
            _check_and_apply(table, columns, report, user, network, message, progress, packed)
            if not report.applied:
                transaction.set_rollback(True)
    return report


def open_table(report, data, filename, header):
    """Read the file and its header (`header(table)` -> the column codes): (table, columns), or None with the
    file's problem in `report`."""
    try:
        table = read_table(data, filename)
        report.encoding, report.delimiter = table.encoding, table.delimiter
        return table, header(table)
    except FileProblem as problem:
        report.problem = str(problem)
        return None


@contextmanager
def _fast_path():
    """The garbage collector paused (core.bulk.collection_paused) and, on SQLite, a page cache large enough for
    the indexes of 100,000 new rows. Both are restored afterwards."""
    cache_size = None
    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                (cache_size,) = cursor.fetchone()
                cursor.execute("PRAGMA cache_size = -131072")  # KiB: at most 128 MB, taken only as needed
        with bulk.collection_paused():
            yield
    finally:
        if cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _check_and_apply(table, columns, report, user, network, message, progress, data):
    """Check the rows and, as each chunk of them is checked, plan and write it.

    The checking (pure computation over the values `Context` read) runs in a second process for a large file
    (`_checked_in_child`), so that it overlaps the writing here. Writing before every row is checked keeps
    all or nothing: an error ends the writing and the caller rolls the transaction back; and a row's verdict
    never changes after its chunk (a duplicate ISIL or library is the later row's error).
    """
    try:
        ctx = Context(user, network)
    except FileProblem as problem:
        report.problem = str(problem)
        return
    country_position = columns.index("country")
    ctx.load_libraries({cells[country_position].strip().upper() for _line, cells in table.rows
                        if len(cells) > country_position})
    total = len(table.rows)
    writer = None if report.dry_run else _Writer(report, user, data, message, progress, total)
    chunks = (_checked_in_child(table, columns, ctx) if total >= FORK_ROWS and hasattr(os, "fork")
              else _checked_chunks(table, columns, ctx))
    done, failed = 0, False
    with ExitStack() as stack:
        if writer is not None and total >= FORK_ROWS and total > Library.objects.count():
            stack.enter_context(bulk.indexes_set_aside(Library))
        for chunk in chunks:
            checked = []
            for line, name, errors, out, existing in chunk:
                result = RowResult(line=line, name=name, errors=errors)
                report.rows.append(result)
                checked.append((result, out, existing))
            done += len(chunk)
            progress(done, total, _("checking rows"))
            plan = _plan(checked, columns, ctx, user)
            for result, _out, _pk in checked:
                if result.errors:
                    result.action = "skipped" if report.skip_invalid else "error"
                    failed = True
            if writer is not None and (report.skip_invalid or not failed):
                writer.write(plan)
    if report.dry_run or (report.error_rows and not report.skip_invalid):
        return
    report.applied = True
    if writer.batch is not None:
        report.batch_id = writer.finish().pk


FORK_ROWS = 5000  # from this many rows on, a second process checks them
# A chunk takes the checking process well under a second; this long without one, it is taken to hang (killed, and
# the import fails with nothing written) rather than holding the database's write lock for ever.
CHILD_SILENCE_SECONDS = 120
CHUNK_ROWS = 5000  # rows checked, sent back, planned and written at a time


def _checked_chunks(table, columns, ctx):
    """Check every row and find the library it updates, if any, in order; yields lists of
    (line, name, errors, values, library id or None), CHUNK_ROWS at a time. Reads nothing: the rows and `ctx`."""
    width = len(columns)
    named = [(position, code) for position, code in enumerate(columns) if code]
    unnamed = [position for position, code in enumerate(columns) if code is None]
    simple = not unnamed
    seen_isils = {}  # lower-case ISIL -> row
    seen_targets = {}  # library id -> row
    chunk = []
    for line, cells in table.rows:
        errors = []
        count = len(cells)
        if count != width and (table.kind == "csv" or count > width):
            errors.append(("*", _("this row has %(n)s cells but the header has %(m)s columns (a stray "
                                  "separator, a broken quotation mark or a cut-off line?).")
                           % {"n": count, "m": width}))
        for position in unnamed:
            if position < count and cells[position].strip():
                errors.append(("*", _("column %(position)s has a value but no name in the header.")
                               % {"position": position + 1}))
        if simple and count == width:
            values = dict(zip(columns, cells, strict=True))
        else:
            values = {code: cells[position] for position, code in named if position < count}
        out = check_row(values, ctx, errors)
        country, isil = out["country"], out["isil"]
        place = (country.id, fold(out["name"]), fold(out["locality"])) if country is not None else None
        existing = None
        if isil:
            key = isil.lower()
            if key in seen_isils:
                errors.append(("isil", _("the ISIL %(isil)s is also on row %(row)s.")
                               % {"isil": isil, "row": seen_isils[key]}))
            else:
                seen_isils[key] = line
            existing = ctx.by_isil.get(key)
            others = ctx.by_place.get(place, ()) if existing is not None and place is not None else ()
            if len(others) == 1 and others[0] != existing:
                errors.append(("isil", _("another library already has the ISIL %(isil)s: “%(holder)s”; this row's "
                                         "country, name and locality are those of “%(other)s”.")
                               % {"isil": isil, "holder": ctx.names[existing], "other": ctx.names[others[0]]}))
        if existing is None and place is not None:
            matches = ctx.by_place.get(place, ())
            if len(matches) > 1:
                errors.append(("name", _("%(n)s libraries of this country have this name and locality; "
                                         "give the ISIL to say which one.") % {"n": len(matches)}))
            elif matches:
                existing = matches[0]
        if existing is not None:
            if existing in seen_targets:
                errors.append(("*", _("row %(row)s already changes the library “%(name)s”; a library may "
                                      "appear on one row only.")
                               % {"row": seen_targets[existing], "name": ctx.names[existing]}))
            else:
                seen_targets[existing] = line
        if existing is None and not errors:
            out["search_text"] = search_text(out)  # a creation's; here, because this may run in the second process
        chunk.append((line, out["name"], errors, out, existing))
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError("the process checking rows may not use the database")


def _checked_in_child(table, columns, ctx):
    """`_checked_chunks` run by a forked process, which sees `ctx` and the rows as they are here (nothing to
    send it) and sends back each chunk pickled, with ids for the Country and Network objects. The child never
    touches the database (a query would raise) and leaves by os._exit: no atexit handler, no connection closed.

    A thread here reads the pipe as fast as the child writes (a pipe holds 64 KB, a chunk about 2 MB): the
    child checks on while this process writes."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_end)
            with connection.execute_wrapper(_no_queries), os.fdopen(write_end, "wb") as pipe:
                for chunk in _checked_chunks(table, columns, ctx):
                    for row in chunk:
                        out = row[3]
                        out["country"] = out["country"].pk if out["country"] is not None else None
                        out["networks"] = [network.pk for network in out["networks"]]
                    frame = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.write(len(frame).to_bytes(8, "big") + frame)
            status = 0
        except BaseException:  # noqa: BLE001 - reported by the parent as a failed check
            traceback.print_exc()
        finally:
            os._exit(status)
    os.close(write_end)
    frames = queue.SimpleQueue()
    reader = threading.Thread(target=_read_frames, args=(read_end, frames), daemon=True)
    reader.start()
    finished = False
    try:
        while (frame := _next_frame(frames)) is not None:
            chunk = pickle.loads(frame)
            for row in chunk:
                out = row[3]
                out["country"] = ctx.country_by_id[out["country"]] if out["country"] is not None else None
                out["networks"] = [ctx.network_by_id[pk] for pk in out["networks"]]
            yield chunk
        _pid, status = os.waitpid(pid, 0)
        finished = True
        if status != 0:
            raise RuntimeError(f"the process checking the rows failed (status {status})")
    finally:
        if not finished:  # the writing failed or stopped: the child's rows are not wanted any more
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        reader.join()


def _next_frame(frames):
    try:
        return frames.get(timeout=CHILD_SILENCE_SECONDS)
    except queue.Empty:
        raise RuntimeError(f"the process checking the rows sent nothing for {CHILD_SILENCE_SECONDS} seconds: "
                           "stopped") from None


def _read_frames(fd, frames):
    """Put each length-prefixed frame the child writes into `frames`, then None (end of the pipe)."""
    try:
        with os.fdopen(fd, "rb") as pipe:
            while (head := pipe.read(8)) and len(head) == 8:
                frame = pipe.read(int.from_bytes(head, "big"))
                frames.put(frame)
    finally:
        frames.put(None)


@dataclass
class Plan:
    checked: list = field(default_factory=list)  # (result, values, library id or None): the rows planned
    creates: list = field(default_factory=list)  # (result, values, network ids)
    updates: list = field(default_factory=list)  # (result, id, version, values, network ids or None, before, after)


def _current(ids):
    """{id: stored values (with "version")} and {id: network ids} of the libraries `ids`, in chunks.

    Read with plain SQL: building a query of 900 ids and model values for each row would cost more than
    the rest of an import that changes nothing."""
    values, networks = {}, {}
    fields = {f.attname: f for f in _LIBRARY_FIELDS}
    attnames = ["version", *LOGGED]
    booleans = [attname for attname in attnames if fields[attname].get_internal_type() == "BooleanField"]
    quote = connection.ops.quote_name
    pk = quote(Library._meta.pk.column)
    select = (f"SELECT {pk}, {', '.join(quote(fields[attname].column) for attname in attnames)} "
              f"FROM {quote(Library._meta.db_table)} WHERE {pk} IN ")
    through = Library.networks.through
    library_column = quote(through._meta.get_field("library").column)
    select_networks = (f"SELECT {library_column}, {quote(through._meta.get_field('network').column)} "
                       f"FROM {quote(through._meta.db_table)} WHERE {library_column} IN ")
    # Within the import's transaction on PostgreSQL, the rows it will update are locked as they are read: an edit
    # committed meanwhile is read (and its version counted), one made afterwards waits and then meets a new version
    # (409). SQLite's write transaction already keeps other writers out.
    lock = " FOR UPDATE" if connection.features.has_select_for_update and connection.in_atomic_block else ""
    with bulk.raw_cursor(writes=False) as cursor:
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            marks = "(" + ", ".join(["%s"] * len(chunk)) + ")"
            cursor.execute(select + marks + lock, chunk)
            for row in cursor.fetchall():
                stored = dict(zip(attnames, row[1:], strict=True))
                for attname in booleans:  # SQLite answers 0 and 1
                    stored[attname] = None if stored[attname] is None else bool(stored[attname])
                values[row[0]] = stored
            cursor.execute(select_networks + marks, chunk)
            for library_id, network_id in cursor.fetchall():
                networks.setdefault(library_id, set()).add(network_id)
    return values, networks


def _plan(checked, columns, ctx, user):
    """Compare each valid row with its library and check the permissions; append errors, write nothing."""
    present = {code for code in columns if code in COLUMN_FIELDS or code == "networks"}
    row_fields = sorted({attname for code in present for attname in COLUMN_FIELDS.get(code, ())})
    current, current_networks = _current([pk for result, _o, pk in checked if pk and not result.errors])
    fixed = ctx.fixed_network
    plan = Plan(checked=checked)
    for result, out, pk in checked:
        if result.errors:
            continue
        country = out["country"]
        if pk is None:
            values = {**DEFAULTS, **out}
            networks = {n.id for n in out["networks"]}
            keys = permissions.ScopeKeys(countries=frozenset({country.code}), networks=frozenset(networks))
            if not permissions.can_keys(user, "add", Library, keys):
                result.errors.append(("country", _("you may not add libraries in %(country)s%(networks)s.")
                                      % {"country": country.code, "networks": _networks_note(out)}))
                continue
            if _membership_refused(result, user, set(), networks, ctx):
                continue
            result.action = "create"
            plan.creates.append((result, values, networks))
            continue
        stored = current[pk]
        old_networks = current_networks.get(pk, set())
        values = dict(stored)
        for attname in row_fields:
            values[attname] = out[attname]
        if stored["isil"] and (not values["isil"] or values["isil"].lower() == stored["isil"].lower()):
            # An empty cell does not take a library's ISIL away, and an ISIL is the same without regard to
            # case: the registered one stays as it is.
            values["isil"] = stored["isil"]
        if "networks" in present:
            networks = {n.id for n in out["networks"]}
        else:
            networks = old_networks | ({fixed.pk} if fixed is not None else set())
        if values["country_id"] != stored["country_id"] and _moved_out_of_place(result, values, networks, ctx,
                                                                                 country):
            continue
        old_country = ctx.country_by_id[stored["country_id"]]
        before_keys = permissions.ScopeKeys(countries=frozenset({old_country.code}),
                                            networks=frozenset(old_networks), libraries=frozenset({pk}))
        after_keys = permissions.ScopeKeys(countries=frozenset({country.code}),
                                           networks=frozenset(networks), libraries=frozenset({pk}))
        if not (permissions.can_keys(user, "change", Library, before_keys)
                and permissions.can_keys(user, "change", Library, after_keys)):
            result.errors.append(("*", _("you may not change the library %(name)s (%(country)s).")
                                  % {"name": stored["name"], "country": old_country.code}))
            continue
        if _membership_refused(result, user, old_networks, networks, ctx):
            continue
        result.library_id = pk
        if values == stored and networks == old_networks:
            result.action = "unchanged"
            continue
        before = snapshot(stored, old_networks)
        after = snapshot(values, networks)
        if before == after:
            result.action = "unchanged"
            continue
        result.action = "update"
        plan.updates.append((result, pk, stored["version"] + 1, values,
                             networks if networks != old_networks else None, before, after))
    return plan


def _membership_refused(result, user, old_networks, networks, ctx):
    """The rule on network memberships (rules.membership_refusal), for one row's network ids."""
    if old_networks == networks:
        return False
    key = (frozenset(old_networks), frozenset(networks))  # the same few network sets come back row after row
    refusal = ctx.refusals.get(key)
    if refusal is None:
        refusal = ctx.refusals[key] = rules.membership_refusal(
            user, [ctx.network_by_id[pk] for pk in old_networks], [ctx.network_by_id[pk] for pk in networks])
    if refusal:
        result.errors.append(("networks", refusal))
    return bool(refusal)


def _moved_out_of_place(result, values, networks, ctx, country):
    """A row that moves a library to another country must not leave it with a subdivision, networks or an
    ISIL of the old one (the file may not have those columns): the same rules as for the row's own values."""
    errors = rules.place_errors(country=country, subdivision=ctx.subdivision_by_id.get(values["subdivision_id"]),
                                networks=[ctx.network_by_id[pk] for pk in networks], isil=values["isil"])
    for column, message in errors.items():
        if not any(known == column for known, _m in result.errors):
            result.errors.append((column, message))
    return bool(errors)


def _insert_libraries(rows):
    """INSERT the rows (tuples in STORED order); their new ids, in the same order."""
    return bulk.insert_rows(Library, STORED, rows)


UPDATED = ["version", "updated", "search_text", *LOGGED]


def _update_libraries(rows):
    """UPDATE libraries: rows are tuples of the UPDATED values followed by the id."""
    bulk.update_rows(Library, UPDATED, rows)


def _replace_networks(library_ids, pairs):
    """Remove the network memberships of `library_ids`, then add `pairs` (library id, network id)."""
    through = Library.networks.through
    quote = connection.ops.quote_name
    table = quote(through._meta.db_table)
    library_column = quote(through._meta.get_field("library").column)
    network_column = quote(through._meta.get_field("network").column)
    with bulk.raw_cursor() as cursor:
        for start in range(0, len(library_ids), 900):
            chunk = library_ids[start:start + 900]
            cursor.execute(f"DELETE FROM {table} WHERE {library_column} IN ({', '.join(['%s'] * len(chunk))})",
                           chunk)
        bulk.insert_values(cursor, table, [library_column, network_column], pairs)


class _Writer:
    """Writes the planned creates and updates chunk by chunk, with their networks, and one change-log entry per
    library (pointing at the batch and the file's line). The batch is opened by the first chunk that changes
    something: an import that changes nothing leaves no batch."""

    def __init__(self, report, user, data, message, progress, total):
        self.report, self.user, self.data, self.message = report, user, data, message
        self.progress, self.total = progress, total
        self.batch = self.log = None
        self.countries = set()  # of the valid rows: the batch's country when there is one
        self.creates = self.updates = self.done = 0
        self.stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        self.codes = dict(Country.objects.values_list("id", "code"))

    def write(self, plan):
        self.countries.update(out["country"].code for result, out, _pk in plan.checked if not result.errors)
        if not plan.creates and not plan.updates:
            return
        if self.batch is None:
            self.batch = open_batch(user=self.user, kind="libraries", filename=self.report.filename, data=self.data,
                                    message=self.message)
            self.log = BatchLog(self.batch, Library)
        stamp, codes, log = self.stamp, self.codes, self.log
        pairs, replaced = [], []
        stored_values, updated_values = itemgetter(*STORED), itemgetter(*UPDATED)
        rows = []
        for _result, values, _networks in plan.creates:
            values["version"] = 1
            values["created"] = values["updated"] = stamp
            rows.append(stored_values(values))
        ids = _insert_libraries(rows)
        for (result, values, networks), pk in zip(plan.creates, ids, strict=True):
            result.library_id = pk
            if networks:
                pairs.extend((pk, network_id) for network_id in networks)
            log.created(pk, values["name"], codes[values["country_id"]], result.line)
        rows = []
        for result, pk, version, values, networks, before, after in plan.updates:
            values["version"], values["updated"], values["search_text"] = version, stamp, search_text(values)
            rows.append((*updated_values(values), pk))
            if networks is not None:
                replaced.append(pk)
                pairs.extend((pk, network_id) for network_id in networks)
            log.updated(pk, values["name"], codes[values["country_id"]], result.line, before, after)
        _update_libraries(rows)
        _replace_networks(replaced, pairs)
        self.creates += len(plan.creates)
        self.updates += len(plan.updates)
        self.done += len(plan.checked)
        self.progress(self.done, self.total, _("saving"))

    def finish(self):
        """Write the change-log entries and close the batch; returns the batch."""
        self.log.write()
        if len(self.countries) == 1:
            self.batch.country = next(iter(self.countries))
            self.batch.save(update_fields=["country"])
        report = self.report
        close_batch(self.batch, create=self.creates, update=self.updates, unchanged=report.count("unchanged"),
                    skipped=report.count("skipped"))
        self.progress(self.total, self.total, _("saved"))
        return self.batch


def _networks_note(out):
    if not out["networks"]:
        return ""
    return " (" + ", ".join(n.code for n in out["networks"]) + ")"
