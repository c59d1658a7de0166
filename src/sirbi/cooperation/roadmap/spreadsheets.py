"""Roadmap actions to and from spreadsheets (CSV or XLSX), with the registry import's rules: every row is
checked by the same form as the admin and the API (dates, weights, codes), permission-checked (the lead
country's coordinator or the secretariat), and written all or nothing, each with its change-log entry.
Problems name the file, the line and the column."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from sirbi.core import batches, permissions
from sirbi.core.changelog import save_object
from sirbi.core.models import ImportBatch
from sirbi.core.tables import FileProblem, read_table

from ..forms import ActionForm
from ..models import Action

# The file's columns: what import reads (multi-valued cells separated by "|"). Export adds the computed ones.
COLUMNS = ["code", "title", "objective", "lead_country", "countries", "networks", "need_areas", "start", "end",
           "status", "weight", "description"]
REQUIRED = {"code", "title", "objective", "lead_country", "start", "end"}
MULTI = {"countries", "networks", "need_areas"}
EXPORT_ONLY = ["line", "progress", "overdue"]


EXPORT_COLUMNS = COLUMNS + EXPORT_ONLY


def export_rows(actions, today=None):
    """One dict per action, with the columns import reads plus line, progress and overdue."""
    today = today or date.today()
    for action in actions.select_related("objective__line", "lead_country").prefetch_related(
            "countries", "networks", "need_areas"):
        yield {"code": action.code, "title": action.title, "objective": action.objective.code,
               "lead_country": action.lead_country.code,
               "countries": "|".join(sorted(c.code for c in action.countries.all())),
               "networks": "|".join(sorted(n.code for n in action.networks.all())),
               "need_areas": "|".join(sorted(a.code for a in action.need_areas.all())),
               "start": action.start.isoformat(), "end": action.end.isoformat(), "status": action.status,
               "weight": str(action.weight.normalize()), "description": action.description,
               "line": action.objective.line.code, "progress": action.progress,
               "overdue": "yes" if action.end < today and action.status not in ("done", "cancelled") else "no"}


@dataclass
class Report:
    filename: str
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (line, column, message)
    ignored: list = field(default_factory=list)  # columns read but not imported
    dry_run: bool = False
    batch: object = None  # the core.ImportBatch a real import made

    @property
    def ok(self):
        return not self.errors

    @property
    def applied(self):
        return self.ok and not self.dry_run

    def messages(self):
        return [_("%(file)s, line %(line)s, column %(column)s: %(message)s")
                % {"file": self.filename, "line": line, "column": column, "message": message}
                for line, column, message in self.errors]


def _cell(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def import_actions(data, filename, *, user, dry_run=False, progress=None, message="", max_bytes=None):
    """Create or update actions from a file (at most `max_bytes` long, when given); nothing is written unless
    every row is right."""
    table = read_table(data, filename, typed=False, max_bytes=max_bytes)
    header = [str(h).strip().lower() for h in table.header]
    missing = sorted(REQUIRED - set(header))
    if missing:
        raise FileProblem(filename, _("columns missing: %(columns)s (the template has them all).")
                          % {"columns": ", ".join(missing)}, table.header_line)
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise FileProblem(filename, _("columns repeated: %(columns)s.") % {"columns": ", ".join(duplicated)},
                          table.header_line)
    report = Report(filename=filename, dry_run=dry_run,
                    ignored=[h for h in header if h and h not in COLUMNS])
    existing = {a.code: a for a in Action.objects.filter(
        code__in=[_cell(cells[header.index("code")]) for _line, cells in table.rows
                  if len(cells) > header.index("code")]).select_related("lead_country")}
    seen, planned = {}, []
    total = len(table.rows)
    for done, (line, cells) in enumerate(table.rows, 1):
        values = {name: _cell(cells[i]) if i < len(cells) else "" for i, name in enumerate(header) if name in COLUMNS}
        code = values.get("code", "")
        if code in seen:
            report.errors.append((line, "code", _("the code %(code)s is also on line %(other)s.")
                                  % {"code": code, "other": seen[code]}))
            continue
        seen[code] = line
        instance = existing.get(code)
        if instance is not None:
            # Columns left out of the file, and empty cells, keep their stored values.
            stored = next(export_rows(Action.objects.filter(pk=instance.pk)))
            values = {**{name: stored[name] for name in COLUMNS},
                      **{name: value for name, value in values.items() if value != ""}}
        data_row = {name: (value.split("|") if value else []) if name in MULTI else value
                    for name, value in values.items()}
        data_row.setdefault("status", "planned")
        data_row.setdefault("weight", "1")
        form = ActionForm(data=data_row, instance=instance or Action())
        if not form.is_valid():
            for name, errors in form.errors.get_json_data().items():
                column = name if name in COLUMNS else "-"
                report.errors.extend((line, column, e["message"]) for e in errors)
            continue
        action = form.save(commit=False)
        verb = "change" if instance is not None else "add"
        if not permissions.can(user, verb, action) or (instance and not permissions.can(user, "change", instance)):
            report.errors.append((line, "lead_country", _("you may not import actions led by %(country)s.")
                                  % {"country": action.lead_country}))
            continue
        planned.append((line, action, {name: [obj.pk for obj in form.cleaned_data[name]] for name in MULTI}))
        if progress:
            progress(done, total, _("checking"))
    if report.errors or dry_run:
        if report.ok:
            for _line, action, _m2m in planned:
                (report.updated if action.pk else report.created).append(action.code)
        return report
    try:
        with transaction.atomic():
            batch = batches.open_batch(user=user, kind=ImportBatch.Kind.ROADMAP_ACTIONS, filename=filename, data=data,
                                       message=message or filename)
            for done, (line, action, m2m) in enumerate(planned, 1):
                was_new = action.pk is None
                before = action.version
                save_object(action, user=user, m2m=m2m, batch=batch, row=line)
                if was_new:
                    report.created.append(action.code)
                elif action.version != before:
                    report.updated.append(action.code)
                else:
                    report.unchanged.append(action.code)
                if progress:
                    progress(done, len(planned), _("saving"))
            report.batch = batches.close_batch(batch, create=len(report.created), update=len(report.updated),
                                               unchanged=len(report.unchanged))
    except PermissionDenied as exc:  # checked above; a concurrent change of role lands here
        report.errors.append(("-", "-", str(exc)))
        report.created, report.updated, report.unchanged = [], [], []
    return report
