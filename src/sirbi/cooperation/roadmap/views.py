"""Roadmap pages: the tree of lines, objectives and actions, the timeline, a country's commitments, an action with
its progress reports; and the actions' export (CSV/XLSX, with filters) and import page (check, then import)."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sirbi.core import permissions
from sirbi.core.downloads import export as download
from sirbi.core.tables import FileProblem
from sirbi.core.uploads import upload_limit
from sirbi.core.views import say_errors, say_form_errors
from sirbi.registry.models import Country
from sirbi.stats.services import country_table

from ..choices import CLOSED_STATUSES
from ..documents import send_file
from ..forms import ProgressReportForm
from ..models import Action, Agreement, Objective, ProgressReport
from . import services
from .spreadsheets import COLUMNS, EXPORT_COLUMNS, export_rows, import_actions


def roadmap_page(request):
    root = services.tree()
    return render(request, "cooperation/roadmap.html", {
        "root": root, "is_sample": any(line.obj.is_sample for line in root.objectives),
        "can_import": permissions.can_any(request.user, "add", Action),
        "countries": Country.objects.filter(is_member=True)})


def timeline_page(request):
    """Gantt-like bars of the actions, grouped by line (default) or by lead country."""
    by = "country" if request.GET.get("by") == "country" else "line"
    rows = services.action_rows(Action.objects.order_by("start", "code"))
    objectives = {o.pk: o for o in Objective.objects.select_related("line")}
    first, last, marks = services.timeline(rows)
    countries = {c.code: c for c in Country.objects.filter(code__in={r.lead for r in rows})}
    groups = {}
    for row in rows:
        row.objective = objectives[row.objective_id]
        key = (row.objective.line.order, row.objective.line.name) if by == "line" else (
            0, countries[row.lead].name)
        groups.setdefault(key, []).append(row)
    today = date.today()
    today_mark = round((today - first).days / max((last - first).days, 1) * 100, 2) if first else None
    return render(request, "cooperation/timeline.html", {
        "groups": [(name, items) for (_order, name), items in sorted(groups.items())], "by": by,
        "first": first, "last": last, "marks": marks,
        "today_mark": today_mark if today_mark is not None and 0 <= today_mark <= 100 else None,
        "is_sample": any(r.is_sample for r in rows)})


def country_jump(request):
    """The country chooser of the roadmap page works without JavaScript: ?code=PE goes to Peru's page."""
    code = (request.GET.get("code") or "").strip().upper()
    if len(code) != 2:
        raise Http404(_("Choose a country."))
    country = get_object_or_404(Country, code=code)
    return redirect("cooperation:country", code=country.code)


def country_page(request, code):
    country = get_object_or_404(Country, code=code.upper())
    rows = services.country_actions(country)
    led = [r for r in rows if r.lead == country.code]
    joined = [r for r in rows if r.lead != country.code]
    return render(request, "cooperation/country.html", {
        "country": country, "led": led, "joined": joined,
        "progress": services.weighted([(r.weight, r.progress) for r in led if r.counts]),
        "n_overdue": sum(1 for r in rows if r.overdue or r.overdue_milestones),
        "is_sample": any(r.is_sample for r in rows)})


def action_detail(request, code, form=None):
    """An action's page; `form` is a refused progress report, shown again with its errors and what was typed."""
    action = get_object_or_404(Action.objects.select_related("objective__line", "lead_country").prefetch_related(
        "countries", "networks__country", "partners", "need_areas", "milestones",
        "indicators__indicator", "indicators__country"), code=code)
    reports = action.reports.select_related("author")
    indicators = []
    for link in action.indicators.all():
        country = link.country or action.lead_country
        latest = country_table(link.indicator, link.typology, None, [country]).get(country.code)
        indicators.append((link, country, latest))
    can_report = services.can_report(request.user, action)
    today = date.today()
    return render(request, "cooperation/action_detail.html", {
        "action": action, "reports": reports, "indicators": indicators, "today": today,
        "overdue": action.end < today and action.status not in CLOSED_STATUSES,
        "can_report": can_report, "can_edit": permissions.can(request.user, "change", action),
        # Who reported is for members: public pages never name editors.
        "show_authors": permissions.is_member(request.user),
        "form": form or (ProgressReportForm(initial={"date": today, "progress": action.progress})
                         if can_report else None),
        "agreement": Agreement.objects.filter(action=action).select_related("meeting").first(),
        "is_sample": action.is_sample or any(r.is_sample for r in reports)})


@upload_limit("DOCUMENT_MAX_BYTES")
@login_required
@require_POST
def report_progress(request, code):
    action = get_object_or_404(Action.objects.select_related("lead_country"), code=code)
    # The permission is the service's (report_progress): one check, one reason, on the 403 page.
    form = ProgressReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_progress(action, request.user, progress=data["progress"], text=data["text"],
                                    day=data["date"], link=data["link"], upload=data["evidence"])
        except ValidationError as exc:
            say_errors(request, exc)
        else:
            messages.success(request, _("Progress reported: %(progress)s %%.") % {"progress": data["progress"]})
            return redirect(action)
    else:
        say_form_errors(request, form)
    # Refused: the page again, with the form as it was typed (the file must be chosen again).
    return action_detail(request, code, form=form)


def evidence_file(request, pk):
    report = get_object_or_404(ProgressReport.objects.exclude(evidence=""), pk=pk)
    return send_file(report.evidence, report.evidence_type, report.evidence_name,
                      inline=report.evidence_type.startswith("image/") or report.evidence_type == "application/pdf")


EXAMPLE = ["ejemplo-accion", "Título de la acción", "reading-plans", "PE", "CL|CO", "pe-public", "reading",
           "2026-01-01", "2027-06-30", "planned", "1", "Descripción (Markdown)"]


def _download(rows, columns, stem, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return download(rows, columns, fmt, stem)


def export(request, fmt):
    """All actions, or those of ?country=PE (leads or joins) or ?line=CODE."""
    actions = Action.objects.order_by("objective__line__order", "start", "code")
    if request.GET.get("country"):
        code = request.GET["country"].upper()
        actions = actions.filter(Q(lead_country__code=code) | Q(countries__code=code)).distinct()
    if request.GET.get("line"):
        actions = actions.filter(objective__line__code=request.GET["line"])
    return _download(export_rows(actions), EXPORT_COLUMNS, "sirbi-actions", fmt)


def template(request, fmt):
    return _download([dict(zip(COLUMNS, EXAMPLE, strict=True))], COLUMNS, "sirbi-actions-template", fmt)


@upload_limit("IMPORT_MAX_BYTES")
@login_required
def import_page(request):
    user = request.user
    if not (permissions.can_any(user, "add", Action) or permissions.can_any(user, "change", Action)):
        permissions.require(user, "add", Action)  # refused, with what the user's role covers
    context = {"columns": COLUMNS, "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
    if request.method == "POST":
        if not request.FILES.get("file"):
            context["problem"] = _("Choose a file.")
        else:
            upload = request.FILES["file"]
            try:
                context["report"] = import_actions(upload.read(), upload.name, user=user,
                                                   dry_run=bool(request.POST.get("dry_run")),
                                                   max_bytes=settings.IMPORT_MAX_BYTES)
            except FileProblem as problem:
                context["problem"] = str(problem)
    return render(request, "cooperation/import.html", context)
