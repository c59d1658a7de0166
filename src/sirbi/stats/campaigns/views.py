"""Campaign pages: the list, a campaign's progress, the reporting form and the secretariat's review."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sirbi.core import jobs, permissions, uploads
from sirbi.core.changelog import ConflictError
from sirbi.core.models import Job
from sirbi.core.uploads import store_upload, upload_limit
from sirbi.core.views import JOB_OWNERS_ONLY, edit_page

from ..choices import REPORTED_SOURCES, Method, Source, Typology, ValueStatus
from ..forms import CampaignPageForm
from ..models import Campaign, Value
from ..numbers import NumberError, parse_number
from . import services
from .jobs import KIND as SCOPE_UPLOAD
from .services import CampaignError, Entry, Unit
from .spreadsheets import SheetErrors, read_upload, stored_values, template_csv, template_xlsx

# A filled template is a few kilobytes; anything far larger is not one.
UPLOAD_MAX_BYTES = 2 * 1024 * 1024


def _member(request):
    permissions.require_member(request.user, _("the campaigns"))


@login_required
def campaign_list(request):
    _member(request)
    rows = permissions.restrict(Campaign.objects.all(), request.user, "view").annotate(
        n_indicators=Count("indicators", distinct=True))
    return render(request, "stats/campaigns/list.html", {"campaigns": rows,
                                                         "is_secretariat": permissions.is_secretariat(request.user)})


@login_required
def campaign_edit(request, pk=None):
    """The secretariat opens a campaign (in preparation until it says open), extends or closes it."""
    return edit_page(request, Campaign, pk, CampaignPageForm, "stats/campaigns/form.html", m2m=("indicators",))


@login_required
def campaign_detail(request, pk):
    _member(request)
    campaign = _campaign_or_404(request, pk)
    units = services.units_for(request.user, campaign)
    statuses = {}
    for unit_key, status, n in (Value.objects.filter(campaign=campaign, unit_key__in=[u.key for u in units])
                                .values_list("unit_key", "status").annotate(n=Count("pk")).order_by()):
        statuses.setdefault(unit_key, {})[status] = n
    counts, reporting = services.progress(campaign)
    labels = dict(ValueStatus.choices)
    return render(request, "stats/campaigns/detail.html", {
        "campaign": campaign,
        "rows": [(unit, [(labels[s], n) for s, n in statuses.get(unit.key, {}).items()]) for unit in units],
        "counts": [(labels[s], n) for s, n in counts.items()], "reporting": reporting,
        "is_secretariat": permissions.is_secretariat(request.user),
    })


def _campaign_or_404(request, pk):
    """A campaign the user may read: one in preparation is the secretariat's alone (`Campaign.public_q`)."""
    readable = permissions.restrict(Campaign.objects.prefetch_related("indicators"), request.user, "view")
    return get_object_or_404(readable, pk=pk)


def _unit_or_404(key):
    try:
        return Unit.from_key(key)
    except LookupError:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk, unit_key):
    """The reporting form: every indicator of the campaign for each typology the unit reports for."""
    campaign = _campaign_or_404(request, pk)
    unit = _unit_or_404(unit_key)
    permissions.require(request.user, "add", unit.value(), label=unit)
    indicators = list(campaign.indicators.order_by("position"))
    typologies = unit.typologies(campaign)
    stored = services.campaign_values(campaign, unit)
    typed, errors = {}, {}
    if request.method == "POST":
        language = get_language()
        entries = []
        for indicator in indicators:
            for typology in typologies:
                prefix = f"{indicator.code}-{typology}"
                current = stored.get((indicator.code, typology))
                if current is not None and current.status not in services.EDITABLE:
                    continue  # sent figures are shown, not edited
                text = request.POST.get(f"{prefix}-value", "").strip()
                typed[prefix] = {name: request.POST.get(f"{prefix}-{name}", "")
                                 for name in ("value", "source", "method", "note", "justification")}
                number = None
                if text:
                    try:
                        number = parse_number(text, language)
                    except NumberError as exc:
                        errors[prefix] = str(exc)
                        continue
                entries.append(Entry(indicator=indicator, typology=typology, value=number,
                                     source=typed[prefix]["source"], method=typed[prefix]["method"] or Method.COUNT,
                                     note=typed[prefix]["note"], justification=typed[prefix]["justification"]))
        if errors:
            messages.error(request, _("Nothing was saved: correct the figures marked below."))
        else:
            submit = "submit" in request.POST
            try:
                services.save_figures(request.user, campaign, unit, entries, submit=submit)
            except (CampaignError, ConflictError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The figures were submitted for review.") if submit
                                 else _("The draft was saved. Submit it when it is complete."))
                return redirect("stats-campaigns:report", pk=campaign.pk, unit_key=unit.key)
        stored = services.campaign_values(campaign, unit)
    rows = []
    for indicator in indicators:
        for typology in typologies:
            prefix = f"{indicator.code}-{typology}"
            rows.append({"prefix": prefix, "indicator": indicator, "typology": typology,
                         "typology_label": Typology(typology).label,
                         "value": stored.get((indicator.code, typology)), "typed": typed.get(prefix),
                         "error": errors.get(prefix)})
    editable = any(r["value"] is None or r["value"].status in services.EDITABLE for r in rows)
    return render(request, "stats/campaigns/report.html", {
        "campaign": campaign, "unit": unit, "rows": rows, "methods": Method.choices, "editable": editable,
        "sources": [(code, label) for code, label in Source.choices if code in REPORTED_SOURCES],
    })


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk, unit_key):
    """The secretariat reads a unit's submitted figures and returns, accepts or publishes each one."""
    permissions.require_secretariat(request.user, services.REVIEW)
    campaign = _campaign_or_404(request, pk)
    unit = _unit_or_404(unit_key)
    values = services.campaign_values(campaign, unit)
    if request.method == "POST":
        value = get_object_or_404(Value, pk=request.POST.get("value"), campaign=campaign, unit_key=unit.key)
        action = request.POST.get("action")
        if action not in ("return", "accept", "publish"):
            raise Http404
        try:
            services.review(request.user, value, action, request.POST.get("comment", ""))
        except CampaignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(indicator)s: %(status)s.")
                             % {"indicator": value.indicator.name, "status": value.get_status_display()})
        return redirect("stats-campaigns:review", pk=campaign.pk, unit_key=unit.key)
    return render(request, "stats/campaigns/review.html", {
        "campaign": campaign, "unit": unit,
        "values": sorted(values.values(), key=lambda v: (v.indicator.position, v.typology)),
    })


@login_required
def template(request, pk, unit_key, fmt):
    """The spreadsheet template of a unit, in the language asked for (?language=) or the page's."""
    campaign = _campaign_or_404(request, pk)
    unit = _unit_or_404(unit_key)
    permissions.require(request.user, "add", unit.value(), label=unit)
    language = request.GET.get("language") or get_language()
    if language not in dict(settings.LANGUAGES):
        raise Http404
    stored = stored_values(campaign, [unit])
    name = f"sirbi-{campaign.year}-{unit.key.replace(':', '-')}-{language}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(template_xlsx(campaign, [unit], language, stored), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    elif fmt == "csv":
        response = HttpResponse(template_csv(campaign, [unit], language, stored),
                                content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@upload_limit(UPLOAD_MAX_BYTES)
@login_required
@require_POST
def upload(request, pk, unit_key):
    """A filled template sent back: saved as a draft if the whole file is right, else every problem listed."""
    campaign = _campaign_or_404(request, pk)
    unit = _unit_or_404(unit_key)
    permissions.require(request.user, "add", unit.value(), label=unit)
    sent = request.FILES.get("file")
    if sent is None:
        messages.error(request, _("Choose the filled template to send."))
    elif sent.size > UPLOAD_MAX_BYTES:
        messages.error(request, uploads.refusal(UPLOAD_MAX_BYTES))
    else:
        try:
            data = sent.read()
            entries = read_upload(data, sent.name, campaign, unit)
            services.save_figures(request.user, campaign, unit, entries, source="import", upload=(sent.name, data))
        except SheetErrors as exc:
            messages.error(request, _("Nothing was saved; correct the file and send it again."))
            for problem in exc.problems[:50]:
                messages.error(request, problem)
        except (CampaignError, ConflictError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The file was read and its figures saved as a draft: check them below, "
                                        "then submit."))
    return redirect("stats-campaigns:report", pk=campaign.pk, unit_key=unit.key)


@login_required
def scope_template(request, pk, fmt):
    """One template with every unit the user reports for in the campaign (a country with its networks
    and libraries, a network with its libraries)."""
    _member(request)
    campaign = _campaign_or_404(request, pk)
    language = request.GET.get("language") or get_language()
    if language not in dict(settings.LANGUAGES) or fmt not in ("xlsx", "csv"):
        raise Http404
    units = services.units_for(request.user, campaign, limit=None)
    if not units:
        raise PermissionDenied(_("Your role does not report in this campaign."))
    stored = stored_values(campaign, units)
    build = template_xlsx if fmt == "xlsx" else template_csv
    response = HttpResponse(build(campaign, units, language, stored), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
        else "text/csv; charset=utf-8"))
    response["Content-Disposition"] = f'attachment; filename="sirbi-{campaign.year}-all-{language}.{fmt}"'
    return response


@upload_limit("IMPORT_MAX_BYTES")
@login_required
@require_POST
def scope_upload(request, pk):
    _member(request)
    campaign = _campaign_or_404(request, pk)
    sent = request.FILES.get("file")
    if sent is None:
        messages.error(request, _("Choose the filled template to send."))
        return redirect(campaign)
    if sent.size > settings.IMPORT_MAX_BYTES:
        messages.error(request, uploads.refusal(settings.IMPORT_MAX_BYTES))
        return redirect(campaign)
    job = jobs.enqueue(SCOPE_UPLOAD, {
        "upload": store_upload(sent), "filename": Path(sent.name).name, "user_id": request.user.pk,
        "campaign_id": campaign.pk, "language": get_language(),
    }, user=request.user)
    return redirect("core:job", job.pk)


@login_required
def upload_result(request, job_id):
    """What the worker made of a scope's spreadsheet: the counts, or every problem with its row."""
    job = get_object_or_404(Job, pk=job_id, kind=SCOPE_UPLOAD)
    if job.created_by_id != request.user.pk and not permissions.is_secretariat(request.user):
        raise PermissionDenied(JOB_OWNERS_ONLY)
    if job.status != Job.Status.DONE:
        return redirect("core:job", job.pk)
    result = job.result or {}
    campaign = get_object_or_404(Campaign, pk=result.get("campaign"))
    return render(request, "stats/campaigns/upload_result.html", {"job": job, "result": result,
                                                                   "campaign": campaign})
