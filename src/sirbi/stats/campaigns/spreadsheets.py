"""Campaign spreadsheets: a template per campaign, reporting unit and language (XLSX or CSV), filled
offline and sent back. Reading one back is all or nothing: every problem is named by sheet, row and
column, and nothing is saved unless the whole file is right."""

import io
from operator import itemgetter

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sirbi.core import bulk
from sirbi.core.downloads import CsvDictWriter, xlsx_row
from sirbi.core.tables import FileProblem, read_table

from ..choices import REPORTED_SOURCES, Method, Source
from ..models import Indicator, Value
from ..numbers import NumberError, parse_number
from . import rules
from .services import CheckedPairs, Entry, figure_problems

TEMPLATE_VERSION = "1"
COLUMNS = ["template_version", "campaign", "unit", "language", "indicator", "typology", "name", "measure", "value",
           "source", "method", "note", "justification"]
EDITABLE_COLUMNS = {"value", "source", "method", "note", "justification"}
READ_COLUMNS = ["template_version", "campaign", "unit", "language", "indicator", "typology", "value", "source",
                "method", "note", "justification"]
SHEET = "figures"


class SheetErrors(Exception):
    """Problems of an uploaded template, each already naming where it is."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(problems))


def template_rows(campaign, units, language, stored=None):
    """The template's rows (dicts): for each unit, the campaign's indicators in order, with what is stored
    ({(unit key, indicator code, typology): Value})."""
    stored = stored or {}
    rows = []
    indicators = list(campaign.indicators.order_by("position"))
    with translation.override(language):
        names = {i.code: (str(i.name), str(i.get_unit_display())) for i in indicators}
        for unit in units:
            for indicator in indicators:
                for typology in unit.typologies(campaign):
                    value = stored.get((unit.key, indicator.code, typology))
                    rows.append({
                        "template_version": TEMPLATE_VERSION, "campaign": campaign.pk, "unit": unit.key,
                        "language": language, "indicator": indicator.code, "typology": typology,
                        "name": names[indicator.code][0], "measure": names[indicator.code][1],
                        "value": value.value if value else None, "source": value.source if value else "",
                        "method": value.method if value else Method.COUNT, "note": value.note if value else "",
                        "justification": value.justification if value else "",
                    })
    return rows


def stored_values(campaign, units):
    """{(unit key, indicator code, typology): Value} of these units in the campaign."""
    keys = {u.key for u in units}
    return {(v.unit_key, v.indicator.code, v.typology): v
            for v in Value.objects.filter(campaign=campaign).select_related("indicator") if v.unit_key in keys}


def template_xlsx(campaign, units, language, stored=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    grey = PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in template_rows(campaign, units, language, stored):
        sheet.append(xlsx_row(sheet, [row[c] for c in COLUMNS]))
    for column_cells in sheet.iter_cols(min_row=2):
        if column_cells and sheet.cell(1, column_cells[0].column).value not in EDITABLE_COLUMNS:
            for cell in column_cells:
                cell.fill = grey
    sources = DataValidation(type="list", formula1='"' + ",".join(REPORTED_SOURCES) + '"', allow_blank=True)
    methods = DataValidation(type="list", formula1='"' + ",".join(Method.values) + '"', allow_blank=True)
    numbers = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    for validation, name in ((sources, "source"), (methods, "method"), (numbers, "value")):
        letter = sheet.cell(1, COLUMNS.index(name) + 1).column_letter
        validation.add(f"{letter}2:{letter}{sheet.max_row}")
        sheet.add_data_validation(validation)
    for letter, width in (("G", 40), ("H", 22), ("I", 14), ("L", 30), ("M", 30)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "I2"
    about = workbook.create_sheet("about")
    with translation.override(language):
        about.append([_("SIRBI statistics template")])
        about.append(xlsx_row(about, [_("Campaign"), campaign.title]))
        about.append(xlsx_row(about, [_("Reporting for"), "; ".join(str(u) for u in units[:20])
                                      + ("…" if len(units) > 20 else "")]))
        about.append([_("Year reported"), campaign.year])
        about.append([_("Deadline"), campaign.deadline.isoformat()])
        about.append([_("Fill in the columns value, source, method, note and justification only. Leave a value "
                        "empty when you do not know it: empty is missing, not zero.")])
        about.append([_("Sources"), ", ".join(f"{code} = {label}" for code, label in Source.choices
                                                      if code in REPORTED_SOURCES)])
        about.append([_("Methods"), ", ".join(f"{code} = {label}" for code, label in Method.choices)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(campaign, units, language, stored=None):
    buffer = io.StringIO()
    writer = CsvDictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    with translation.override(language):
        for row in template_rows(campaign, units, language, stored):
            if row["value"] is not None:
                row["value"] = _written(row["value"], language)
            writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _written(number, language):
    from django.utils.formats import number_format

    with translation.override(language):
        return number_format(number, decimal_pos=None if not float(number).is_integer() else 0, use_l10n=True,
                             force_grouping=False)


def _where(sheet, line, column, message):
    return _("%(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
        "sheet": sheet, "row": line, "column": column, "message": message}


def read_upload(data, filename, campaign, unit):
    """The Entries of an uploaded template for `unit` in `campaign`; SheetErrors listing every problem."""
    return [entry for _unit, entry in read_scope_upload(data, filename, campaign, {unit.key: unit})]


def read_scope_upload(data, filename, campaign, units):
    """[(Unit, Entry)] of an uploaded template whose rows may be for any of `units` ({key: Unit});
    SheetErrors listing every problem. The entries come checked by the figure rules (services.CheckedPairs)."""
    with bulk.collection_paused():
        return _read_scope_upload(data, filename, campaign, units)


def _read_scope_upload(data, filename, campaign, units):
    try:
        table = read_table(data, filename, typed=True)
    except FileProblem as exc:
        raise SheetErrors([str(exc)]) from exc
    sheet = SHEET if table.kind == "xlsx" else filename
    header = [str(h).strip() for h in table.header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SheetErrors([_("%(sheet)s: this is not a template of this platform (missing columns: %(columns)s); "
                             "download the template again.") % {"sheet": sheet, "columns": ", ".join(missing)}])
    # The cells a row is read by, in one call per row (a scope's file has 100,000 rows).
    read_cells = itemgetter(*(header.index(name) for name in READ_COLUMNS))
    width = len(header)
    indicators = {i.code: i for i in Indicator.objects.all()}
    campaign_id = str(campaign.pk)
    problems, entries, seen = [], [], {}

    def problem(line, column, message):
        problems.append((line, _where(sheet, line, column, message)))

    for line, cells in table.rows:
        if len(cells) < width:
            cells = list(cells) + [""] * (width - len(cells))
        (version, campaign_cell, unit_cell, language, code, typology, raw, source, method, note,
         justification) = [value.strip() if value.__class__ is str else value for value in read_cells(cells)]
        if str(version) != TEMPLATE_VERSION:
            problem(line, "template_version", _("version “%(found)s” of the template is not the current one "
                                                "(%(current)s); download the template again.")
                    % {"found": version, "current": TEMPLATE_VERSION})
            continue
        if str(campaign_cell) != campaign_id:
            problem(line, "campaign", _("this row belongs to another campaign (%(found)s), not to “%(title)s”.")
                    % {"found": campaign_cell, "title": campaign.title})
            continue
        unit = units.get(str(unit_cell))
        if unit is None:
            if len(units) == 1:
                problem(line, "unit", _("this row reports for “%(found)s”, not for %(unit)s.")
                        % {"found": unit_cell, "unit": next(iter(units.values()))})
            else:
                problem(line, "unit", _("“%(found)s” is not one of the units you report for in this campaign.")
                        % {"found": unit_cell})
            continue
        indicator = indicators.get(str(code))
        if indicator is None:
            problem(line, "indicator", rules.unknown_indicator(code))
            continue
        typology = str(typology)
        key = (unit.key, indicator.code, typology)
        if key in seen:
            problem(line, "indicator", _("%(indicator)s (%(typology)s) is already on row %(row)s.")
                    % {"indicator": indicator.code, "typology": typology, "row": seen[key]})
            continue
        seen[key] = line
        number = None
        if raw not in ("", None):
            try:
                number = parse_number(raw, str(language) or "es")
            except NumberError as exc:
                problem(line, "value", str(exc))
                continue
        entries.append((unit, Entry(indicator, typology, number, str(source or ""), str(method or Method.COUNT),
                                    str(note or ""), str(justification or ""), row=line)))
    # The figure's own rules, as the services apply them to every door, so that one reading names every problem
    # (save_many does not run them again: CheckedPairs).
    for entry, column, message in figure_problems(campaign, entries):
        problem(entry.row, column, message)
    if problems:
        raise SheetErrors([text for _line, text in sorted(problems, key=itemgetter(0))])
    return CheckedPairs(entries, campaign.pk)
