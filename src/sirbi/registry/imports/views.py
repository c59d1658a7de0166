"""The web import: upload, a preview with every row's result, confirm, and the templates to fill."""

import io
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from sirbi.core import jobs, permissions
from sirbi.core.downloads import CsvWriter
from sirbi.core.models import Job
from sirbi.core.uploads import store_upload, upload_limit, upload_path

from ..choices import SERVICES, IsoSubtype, IsoType, LibraryStatus, LibraryType, ServicePointKind
from ..exports import LIBRARY_COLUMNS
from ..models import Library, Network, ServicePoint
from .jobs import KIND
from .libraries import COLUMN_LABELS
from .service_points import POINT_COLUMN_LABELS, POINT_COLUMNS


class NetworkChoiceField(forms.ModelChoiceField):
    """A network named so that two of the same name differ: its name and its country."""

    def label_from_instance(self, network):
        return f"{network.name} ({network.country.name})"


HOLDS = [("libraries", gettext_lazy("Libraries (one per row)")),
         ("service_points", gettext_lazy("Service points of registered libraries (one per row)"))]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))
    holds = forms.ChoiceField(choices=HOLDS, initial="libraries", required=False, label=gettext_lazy("The file holds"),
                              help_text=gettext_lazy("Import the libraries first, then their service points: a "
                                                     "service point names its library by ISIL."))
    network = NetworkChoiceField(
        Network.objects.none(), to_field_name="code", required=False,
        label=gettext_lazy("Add every library to this network"),
        help_text=gettext_lazy("Only the networks you may add libraries to."),
    )
    skip_invalid = forms.BooleanField(
        required=False, label=gettext_lazy("Import the valid rows and skip the rows with errors"),
        help_text=gettext_lazy("Otherwise one bad row stops the whole import and nothing changes."),
    )
    message = forms.CharField(label=gettext_lazy("Note for the change log"), required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Adding a library to a network is changing the network's membership (registry.rules.membership_refusal).
        self.fields["network"].queryset = permissions.restrict(
            Network.objects.select_related("country"), user, "change").order_by("country__code", "name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file has %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
                % {"size": round(upload.size / 1048576, 1), "limit": round(settings.IMPORT_MAX_BYTES / 1048576, 1)})
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        return upload


def _may_import(user):
    return any(permissions.can_any(user, action, model) for model in (Library, ServicePoint)
               for action in ("add", "change"))


@upload_limit("IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    if not _may_import(request.user):
        permissions.require(request.user, "add", Library)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        params = {
            "upload": store_upload(form.cleaned_data["file"]),
            "filename": Path(form.cleaned_data["file"].name).name,
            "user_id": request.user.pk,
            "network": form.cleaned_data["network"].code if form.cleaned_data["network"] else None,
            "dry_run": True,
            "skip_invalid": form.cleaned_data["skip_invalid"],
            "language": get_language(),
            "message": form.cleaned_data["message"],
            "holds": form.cleaned_data["holds"] or "libraries",
        }
        job = jobs.enqueue(KIND, params, user=request.user)
        return redirect("core:job", job.pk)
    return render(request, "registry/import_upload.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def preview(request, pk):
    job = get_object_or_404(Job, pk=pk, kind=KIND)
    if job.created_by_id != request.user.pk and not permissions.is_secretariat(request.user):
        raise PermissionDenied(_("Only the person who sent the file and the regional secretariat see its preview."))
    if not job.is_finished:
        return redirect("core:job", job.pk)
    result = job.result or {}
    if request.method == "POST":
        if not job.params.get("dry_run") or job.status != Job.Status.DONE or result.get("problem"):
            raise Http404
        if result["summary"]["error"] and not job.params.get("skip_invalid"):
            raise Http404
        if not upload_path(job.params["upload"]).exists():
            raise Http404
        params = dict(job.params, dry_run=False, language=get_language())
        confirmed = jobs.enqueue(KIND, params, user=request.user)
        return redirect("core:job", confirmed.pk)
    summary = result.get("summary", {})
    can_confirm = (job.params.get("dry_run") and job.status == Job.Status.DONE and not result.get("problem")
                   and (summary.get("create") or summary.get("update"))
                   and (not summary.get("error") or job.params.get("skip_invalid")))
    return render(request, "registry/import_preview.html", {
        "job": job, "result": result, "summary": summary, "can_confirm": can_confirm,
        "rows": result.get("rows", []),
    })


def template(request, fmt):
    """The import template in the page's language: translated headers, and an instructions sheet.
    `?holds=service_points`: the template of a file of service points."""
    if request.GET.get("holds") == "service_points":
        labels, codes, helps, what = POINT_COLUMN_LABELS, POINT_COLUMNS, point_column_help(), "service-points"
        sheet_title = _("service points")
    else:
        labels, codes, helps, what = COLUMN_LABELS, LIBRARY_COLUMNS, column_help(), "libraries"
        sheet_title = _("libraries")
    header = [str(labels[code]) for code in codes]
    name = f"sirbi-{what}-template-{get_language()}"
    if fmt == "csv":
        buffer = io.StringIO()
        CsvWriter(buffer).writerow(header)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = sheet_title[:31]
        sheet.append(header)
        help_sheet = workbook.create_sheet(_("instructions")[:31])
        help_sheet.append([_("column"), _("what to write")])
        for code, text in helps.items():
            help_sheet.append([str(labels[code]), text])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def column_help():
    return {
        "isil": _("ISO 15511 identifier, e.g. PE-BNP; optional, unique."),
        "name": _("Required."),
        "country": _("Required: ISO 3166-1 alpha-2 code of a member country, e.g. PE."),
        "subdivision": _("ISO 3166-2 code (e.g. PE-LIM) or the subdivision's name."),
        "networks": _("Codes of the library's networks, separated by |."),
        "type": _("Required: one of %(values)s.") % {"values": ", ".join(LibraryType.values)},
        "status": _("One of %(values)s; open when empty.") % {"values": ", ".join(LibraryStatus.values)},
        "iso_type": _("One of %(values)s; empty: as the type says.") % {"values": ", ".join(IsoType.values)},
        "iso_subtype": _("One of %(values)s; may be empty.") % {"values": ", ".join(IsoSubtype.values)},
        "statutory": _("yes or no: is it run by a public authority? No for community libraries; empty: as the type "
                       "says."),
        "locality": _("Town or city."),
        "address": _("Street and number."),
        "postal_code": "",
        "latitude": _("Decimal degrees, −90 to 90, with a point or a comma."),
        "longitude": _("Decimal degrees, −180 to 180, with a point or a comma."),
        "website": _("Full address, https://…"),
        "email": "",
        "phone": "",
        "services": _("Codes separated by |: %(values)s.") % {"values": ", ".join(SERVICES)},
        "description": "",
    }


def point_column_help():
    return {
        "library": _("Required: the ISIL of a registered library (or its number in the registry)."),
        "kind": _("Required: one of %(values)s.") % {"values": ", ".join(ServicePointKind.values)},
        "name": _("Required. A row with the library, kind and name of a recorded service point updates it."),
        "address": _("Street and number."),
        "locality": _("Town or city."),
        "latitude": _("Decimal degrees, −90 to 90, with a point or a comma."),
        "longitude": _("Decimal degrees, −180 to 180, with a point or a comma."),
        "opening_hours": _("Days and hours, as text."),
        "status": _("One of %(values)s; open when empty.") % {"values": ", ".join(LibraryStatus.values)},
    }
