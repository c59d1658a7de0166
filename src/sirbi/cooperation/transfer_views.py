"""Export of roadmap actions (CSV/XLSX, with filters) and their import page (check, then import)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sirbi.core import permissions
from sirbi.core.downloads import export as download
from sirbi.core.tables import FileProblem
from sirbi.core.uploads import too_large

from .models import Action
from .transfer import COLUMNS, EXPORT_COLUMNS, export_rows, import_actions

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


@login_required
def import_page(request):
    user = request.user
    if not (permissions.can_any(user, "add", Action) or permissions.can_any(user, "change", Action)):
        raise PermissionDenied(_("Only the secretariat and national coordinators import actions."))
    context = {"columns": COLUMNS, "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
    if request.method == "POST":
        if too_large(request, settings.IMPORT_MAX_BYTES):
            context["problem"] = _("The file is larger than the limit of %(limit)s.") % {"limit": context["limit"]}
        elif not request.FILES.get("file"):
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
