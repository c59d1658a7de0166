"""Bulk import of service points: one row = one service point of a registered library, all or nothing.

A national coordinator keeps the libraries in one sheet and their branches, mobile libraries and reading points in
another: `import_service_points(data, filename, user=...)` reads that second file (CSV, or the first sheet of an
XLSX workbook). Each row names its library by ISIL (or by its number in the registry, as exports and the API give
it) and is checked by the service point's form (`registry.forms.ServicePointForm`, which the page and the API use
too, with `registry.rules`), permission-checked per row, and saved through `core.changelog.save_object` in one
import batch (`core.batches`), so its history reads "from FILE, row N" and the batch page undoes it. Files of
service points are small (a country has thousands, not hundreds of thousands): row by row is fast enough.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirbi.core import permissions
from sirbi.core.batches import close_batch, open_batch
from sirbi.core.changelog import save_object
from sirbi.core.models import ImportBatch
from sirbi.core.tables import FileProblem
from sirbi.core.text import fold

from ..choices import LibraryStatus, ServicePointKind
from ..forms import ServicePointForm
from ..models import Library, ServicePoint
from .libraries import ImportReport, RowResult, choice_aliases, open_table

# Column code -> label (the template's header in its language; codes and labels in es/pt/en are read).
POINT_COLUMN_LABELS = {
    "library": gettext_lazy("library (ISIL)"),
    "kind": gettext_lazy("kind"),
    "name": gettext_lazy("name"),
    "address": gettext_lazy("address"),
    "locality": gettext_lazy("locality"),
    "latitude": gettext_lazy("latitude"),
    "longitude": gettext_lazy("longitude"),
    "opening_hours": gettext_lazy("opening hours"),
    "status": gettext_lazy("status"),
}
LIBRARY_ALONE = gettext_lazy("library")
POINT_COLUMNS = list(POINT_COLUMN_LABELS)
POINT_REQUIRED = ("library", "kind", "name")
IGNORED = ("id", "sample", "updated")  # what an export adds
# The form's field names are the columns' codes; what the form says about the whole row goes to "*".
FORM_FIELDS = frozenset(POINT_COLUMNS)
STORED = ["kind", "name", "address", "locality", "latitude", "longitude", "opening_hours", "status"]


def point_column_aliases():
    """Folded header text -> column code: codes, and the labels in es, pt and en ("library" alone too)."""
    aliases = {}
    for code, label in (*POINT_COLUMN_LABELS.items(), ("library", LIBRARY_ALONE)):
        aliases[fold(code)] = code
        aliases[fold(code.replace("_", " "))] = code
        for language in ("es", "pt", "en"):
            with translation.override(language):
                aliases.setdefault(fold(str(label)), code)
    return aliases


def _header(table):
    aliases = point_column_aliases()
    columns, unknown, seen = [], [], {}
    for position, text in enumerate(table.header):
        folded = fold(text.strip())
        code = aliases.get(folded)
        if code is None:
            if text.strip() and folded not in IGNORED:
                unknown.append(text.strip())
            columns.append(None)
            continue
        if code in seen:
            raise FileProblem(table.filename, _("the column %(column)s appears twice (columns %(a)s and %(b)s).")
                              % {"column": code, "a": seen[code] + 1, "b": position + 1}, table.header_line)
        seen[code] = position
        columns.append(code)
    if unknown:
        raise FileProblem(table.filename, _("unknown columns: %(columns)s. The columns are: %(known)s.")
                          % {"columns": ", ".join(unknown), "known": ", ".join(POINT_COLUMNS)}, table.header_line)
    missing = [code for code in POINT_REQUIRED if code not in seen]
    if missing:
        raise FileProblem(table.filename, _("required columns are missing: %(columns)s.")
                          % {"columns": ", ".join(missing)}, table.header_line)
    return columns


def _coordinate(text):
    """A decimal comma read as a point (as the library import reads it); anything else goes to the form as is."""
    return text.replace(",", ".") if text.count(",") == 1 and "." not in text else text


class _Lookups:
    """The libraries the file names and their service points, read once."""

    def __init__(self, references):
        isils = {ref.lower() for ref in references if not ref.isdigit()}
        ids = {int(ref) for ref in references if ref.isdigit() and len(ref) < 18}
        libraries = list(Library.objects.filter(pk__in=ids).select_related("country"))
        isils = sorted(isils)
        for start in range(0, len(isils), 500):  # ISILs are matched without regard to case
            libraries.extend(Library.objects.alias(isil_lower=Lower("isil")).filter(
                isil_lower__in=isils[start:start + 500]).select_related("country"))
        self.by_isil = {library.isil.lower(): library for library in libraries if library.isil}
        self.by_id = {library.pk: library for library in libraries}
        self.points = {}
        for point in ServicePoint.objects.filter(library__in=self.by_id):
            self.points.setdefault((point.library_id, point.kind, fold(point.name)), point)
        self.kinds = choice_aliases(ServicePointKind.choices)
        self.statuses = choice_aliases(LibraryStatus.choices)

    def library(self, reference):
        if reference.isdigit() and len(reference) < 18:
            return self.by_id.get(int(reference))
        return self.by_isil.get(reference.lower())


def check_rows(table, columns, user, report):
    """Check every row with the service point's form and the permissions; returns [(result, point)] to save."""
    rows = [(line, {code: (cells[position].strip() if position < len(cells) else "")
                    for position, code in enumerate(columns) if code})
            for line, cells in table.rows]
    lookups = _Lookups({values.get("library", "") for _line, values in rows if values.get("library")})
    planned, seen = [], {}
    for line, values in rows:
        result = RowResult(line=line, name=values.get("name", ""))
        report.rows.append(result)
        library = lookups.library(values["library"]) if values.get("library") else None
        if library is None:
            result.errors.append(("library", _("no registered library has the ISIL (or number) “%(value)s”.")
                                  % {"value": values.get("library", "")} if values.get("library")
                                  else _("name the library by its ISIL.")))
        kind_text = values.get("kind", "")
        kind = lookups.kinds.get(kind_text) or lookups.kinds.get(fold(kind_text)) or kind_text
        status_text = values.get("status", "")
        status = (lookups.statuses.get(status_text) or lookups.statuses.get(fold(status_text)) or status_text)
        if result.errors:
            continue
        key = (library.pk, kind, fold(values["name"]))
        if key in seen:
            result.errors.append(("name", _("the same service point is also on row %(other)s.")
                                  % {"other": seen[key]}))
            continue
        seen[key] = line
        point = lookups.points.get(key)
        stored = [getattr(point, name) for name in STORED] if point is not None else None
        data = {"library": library.pk, "kind": kind}
        # An update changes only the columns the file has; a new point starts from the model's defaults.
        for code in ("name", "address", "locality", "opening_hours"):
            data[code] = values[code] if code in values else (getattr(point, code) if point else "")
        for axis in ("latitude", "longitude"):
            data[axis] = _coordinate(values[axis]) if axis in values else (
                "" if point is None or getattr(point, axis) is None else getattr(point, axis))
        data["status"] = (status or LibraryStatus.OPEN) if "status" in values or point is None else point.status
        if point is not None:
            data["base_version"] = point.version
        form = ServicePointForm(data, instance=point or ServicePoint(), user=user)
        if not form.is_valid():
            for name, messages in form.errors.items():
                column = name if name in FORM_FIELDS else "*"
                result.errors.extend((column, message) for message in messages)
            continue
        candidate = form.save(commit=False)
        verb = "change" if point is not None else "add"
        if not permissions.can(user, verb, candidate):
            result.errors.append(("library", permissions.refusal(user, verb, candidate)))
            continue
        result.library_id = library.pk
        if point is not None and [getattr(candidate, name) for name in STORED] == stored:
            result.action = "unchanged"
            continue
        result.action = "update" if point is not None else "create"
        planned.append((result, candidate))
    return planned


def import_service_points(data, filename, *, user, dry_run=False, skip_invalid=False, progress=None, message=""):
    """Read, check and (unless `dry_run`) apply a file of service points. Returns an ImportReport (the library
    import's), whose rows name the service point."""
    report = ImportReport(filename=filename, dry_run=dry_run, skip_invalid=skip_invalid)
    progress = progress or (lambda done, total=None, stage=None: None)
    progress(0, None, _("reading the file"))
    opened = open_table(report, data, filename, _header)
    if opened is None:
        return report
    table, columns = opened
    with transaction.atomic():
        planned = check_rows(table, columns, user, report)
        progress(len(table.rows), len(table.rows), _("checking rows"))
        for result in report.error_rows:
            result.action = "skipped" if skip_invalid else "error"
        if dry_run or (report.error_rows and not skip_invalid):
            return report
        if planned:
            countries = {candidate.library.country.code for _result, candidate in planned}
            batch = open_batch(user=user, kind=ImportBatch.Kind.LIBRARIES, filename=filename, data=data,
                               message=message, country=next(iter(countries)) if len(countries) == 1 else "")
            try:
                for done, (result, point) in enumerate(planned, 1):
                    save_object(point, user=user, batch=batch, row=result.line)
                    result.name = point.name
                    progress(done, len(planned), _("saving"))
            except PermissionDenied as refused:  # a role taken away meanwhile: nothing stays written
                transaction.set_rollback(True)
                result.errors.append(("library", str(refused)))
                result.action = "error"
                return report
            report.batch_id = close_batch(batch, create=report.count("create"), update=report.count("update"),
                                          unchanged=report.count("unchanged"), skipped=report.count("skipped")).pk
        report.applied = True
    return report
