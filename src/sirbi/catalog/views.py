"""Catalog pages: search with facets (one result per cluster, with where it is held), a cluster's page with
its member records and every holding, and each record's downloads (MARC, MARCXML, JSON)."""

import io
from urllib.parse import urlencode

import pymarc
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sirbi.core import jobs, permissions
from sirbi.core.downloads import CsvWriter
from sirbi.core.languages import language_name
from sirbi.core.models import Job
from sirbi.core.params import whole_number
from sirbi.core.uploads import store_upload, upload_limit
from sirbi.core.views import edit_page
from sirbi.registry.models import Country, Library, LibraryStatus, Network, ServicePoint, ServicePointKind

from . import clusters, crosswalk
from .forms import SourceForm
from .indexing import index_clusters
from .jobs import HARVEST as HARVEST_KIND
from .jobs import KIND as IMPORT_KIND
from .labels import material_name, status_name
from .marc import read
from .models import Cluster, Holding, Record, Source
from .samples import sample_clusters
from .search import FACETS, SORTS, QueryError, backend, search_options, search_params, widens

PAGE_SIZE = 20
MAX_PAGES = 50_000  # a million results deep: further pages are clamped to it


class _Found(list):
    """What the paginator pages: the search result's count, without materialising all of it."""

    def __init__(self, count):
        super().__init__()
        self._count = count

    def count(self):
        return self._count


def cluster_rows(keys, collapsed=False):
    """For each cluster key in order: its representative and where it is held ((library, country) pairs); for a
    collapsed search also how many editions and translations its work (the representative's) has here."""
    found = Cluster.objects.in_bulk(keys)
    representatives = Record.objects.in_bulk([c.representative_id for c in found.values() if c.representative_id])
    places = {}
    for cluster_id, library_id, name, code in (Holding.objects.filter(record__cluster_id__in=keys,
                                                                       record__deleted=False,
                                                                       library__isnull=False)
                                               .values_list("record__cluster_id", "library_id", "library__name",
                                                            "library__country__code").distinct()):
        places.setdefault(cluster_id, {})[library_id] = (name, code)
    editions = clusters.editions_count(r.work_key for r in representatives.values()) if collapsed else {}
    rows = []
    for key in keys:
        cluster = found.get(key)
        if cluster is None:
            continue
        libraries = places.get(key, {})
        rows.append({"cluster": cluster, "record": representatives.get(cluster.representative_id),
                     "libraries": len(libraries), "countries": sorted({code for _n, code in libraries.values()}),
                     "names": sorted(name for name, _c in libraries.values())[:3],
                     "editions": editions.get(getattr(representatives.get(cluster.representative_id), "work_key",
                                                      ""), 1)})
    return rows


def _facet_labels(facets):
    """Facet values as people read them: country and network names, library names."""
    countries = {c.code: c.name for c in Country.objects.filter(code__in=[v for v, _n in facets.get("country", [])])}
    networks = {code: f"{name} ({country})" for code, name, country in Network.objects.filter(
        code__in=[v for v, _n in facets.get("network", [])]).values_list("code", "name", "country__code")}
    libraries = {str(pk): name for pk, name in Library.objects.filter(
        pk__in=[int(v) for v, _n in facets.get("library", []) if v.isdigit()]).values_list("pk", "name")}
    labels = {"country": countries, "network": networks, "library": libraries,
              "language": {v: language_name(v) for v, _n in facets.get("language", [])},
              "material": {v: material_name(v) for v, _n in facets.get("material", [])}}
    return {name: [(value, labels.get(name, {}).get(value, value), count) for value, count in values]
            for name, values in facets.items()}


def _filter_value(labelled, name, value):
    """A chosen filter as people read it: its facet's label (a language's name, not 'spa'), else the value."""
    shown = {str(v): label for v, label, _count in labelled.get(name, [])}
    if str(value) in shown:
        return shown[str(value)]
    return {"language": language_name, "material": material_name}.get(name, str)(value)


def search_page(request):
    q, filters, sort = search_params(request.GET)
    options = search_options(request.GET)
    page_number = whole_number(request.GET.get("page"), 1, low=1, high=MAX_PAGES)
    error, widened = None, None
    try:
        result = backend().search(q, filters, sort, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE, **options)
        if result.count and (page_number - 1) * PAGE_SIZE >= result.count:
            # Past the last page (a link kept while the catalog shrank, or a hand-made URL): show the last one.
            page_number = (result.count - 1) // PAGE_SIZE + 1
            result = backend().search(q, filters, sort, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                                      **options)
        if not result.count and options["match"] == "all" and widens(q):
            # Nothing has every word: say how many have some of them, one click away.
            widened = backend().search(q, filters, sort, limit=1, facet_size=1, match="any").count
    except QueryError as exc:
        error, result = str(exc), None
    context = {"q": q, "filters": filters, "sort": sort, "sorts": SORTS, "error": error, "options": options,
               "widened": widened}
    names = {"country": _("Country"), "network": _("Network"), "library": _("Library"), "language": _("Language"),
             "material": _("Material type"), "subject_facet": _("Subject")}
    if result is not None:
        paginator = Paginator(_Found(result.count), PAGE_SIZE)
        page = Page([], page_number, paginator) if result.count else None
        base = {"q": q, "sort": sort, **{k: v for k, v in filters.items()}}
        if options["match"] != "all":
            base["match"] = options["match"]
        if options["collapse"]:
            base["collapse"] = "1"
        labelled = _facet_labels(result.facets)
        context.update(result=result, rows=cluster_rows(result.keys, options["collapse"]),
                       page_obj=page, query=urlencode(base),
                       any_words=urlencode({**base, "match": "any"}),
                       facet_blocks=[(names[name], name, labelled.get(name, [])[:12]) for name in FACETS],
                       active=[(names.get(name, name), _filter_value(labelled, name, value),
                                urlencode({k: v for k, v in base.items() if k != name}))
                               for name, value in filters.items()])
    return render(request, "catalog/search.html", context)


def cluster_page(request, pk):
    cluster = get_object_or_404(Cluster, pk=pk)
    records = list(cluster.records.filter(deleted=False).select_related(*SOURCE_SCOPE).prefetch_related(
        "source__library__networks"))
    if not records:
        raise Http404
    # A library's main building (its service point), when recorded, says where to go and when it opens.
    main_points = Prefetch("library__service_points", to_attr="main_points", queryset=ServicePoint.objects.filter(
        kind=ServicePointKind.MAIN).exclude(status=LibraryStatus.CLOSED).order_by("pk"))
    holdings = list(Holding.objects.filter(record__in=records).select_related("library__country", "record__source")
                    .prefetch_related("library__networks", main_points)
                    .order_by("library__country__code", "library__name"))
    for holding in holdings:
        holding.main_point = next(iter(getattr(holding.library, "main_points", ())), None)
        holding.status_name = status_name(holding.status_code)
        holding.status_detail = any(c.isdigit() for c in holding.status)  # a due date: the source's text too
    points = [{"name": h.library.name, "url": h.library.get_absolute_url(), "lat": h.library.latitude,
               "lon": h.library.longitude, "place": h.library.locality or h.library.country.name, "exact": True}
              for h in holdings if h.library and h.library.latitude is not None]
    representative = next((r for r in records if r.pk == cluster.representative_id), records[0])
    representative.language_name = language_name(representative.language)
    representative.material_name = material_name(representative.material)
    for member in records:
        member.reason = _reason(member.match_reason)
        member.may_split = len(records) > 1 and permissions.can(request.user, "change", member.source)
    near = clusters.near_candidates(cluster)
    for other, _scores in near:
        other.may_merge = permissions.can(request.user, "change", other.source)
    editions = clusters.other_editions(cluster, records)
    for edition in editions:
        edition.language_name = language_name(edition.language)
    return render(request, "catalog/cluster.html", {
        "cluster": cluster, "record": representative, "records": records, "holdings": holdings, "near": near,
        "editions": editions,
        "points": points, "countries": sorted({h.library.country.name for h in holdings if h.library})})


# What Source.scope_keys reads, so that the permission checks of a page cost no query per record.
SOURCE_SCOPE = ("source__library__country", "source__network__country")


def _reason(reason):
    """Why a record is in its cluster, as a sentence."""
    if not reason:
        return ""
    if reason.get("split"):
        return _("taken apart by a cataloguer")
    if reason.get("decision"):
        return _("put here by a cataloguer")
    if reason.get("key"):
        kind, _sep, value = reason["key"].partition(":")
        labels = {"isbn": _("same ISBN %(value)s"), "issn": _("same ISSN %(value)s"),
                  "tay": _("same title, author, year and edition")}
        return labels.get(kind, "%(value)s") % {"value": value}
    scores = reason.get("scores") or {}
    return _("similar: title %(title)s %%, author %(author)s, same year and edition") % {
        "title": scores.get("title"), "author": "—" if scores.get("author") is None else f"{scores['author']} %"}


def _cataloguer(request, record):
    # The reason says what the user's role covers and where the record's source is (permissions.refusal).
    permissions.require(request.user, "change", record.source)


@login_required
@require_POST
def record_split(request, pk):
    record = get_object_or_404(Record.objects.select_related("source"), pk=pk, deleted=False)
    _cataloguer(request, record)
    touched = clusters.split(record, request.user)
    index_clusters(touched)
    messages.success(request, _("The record is in a group of its own now, and stays apart after re-imports."))
    return redirect("catalog:cluster", pk=Record.objects.get(pk=pk).cluster_id)


@login_required
@require_POST
def record_merge(request, pk):
    record = get_object_or_404(Record.objects.select_related("source"), pk=pk, deleted=False)
    target = get_object_or_404(Record, pk=request.POST.get("into"), deleted=False)
    _cataloguer(request, record)
    touched = clusters.merge(record, target, request.user)
    index_clusters(touched)
    messages.success(request, _("The record joined this group, and stays in it after re-imports."))
    return redirect("catalog:cluster", pk=target.cluster_id)


def record_download(request, pk, fmt):
    record = get_object_or_404(Record, pk=pk, deleted=False)
    name = f"sirbi-record-{record.pk}"
    if fmt == "json":
        fields = ["title", "sort_title", "authors", "isbns", "issns", "other_ids", "year", "language", "material",
                  "edition", "publisher", "place", "series", "subjects", "notes", "work_key"]
        data = {"id": record.pk, "source": record.source.code, "local_id": record.local_id,
                "cluster": record.cluster_id, **{f: getattr(record, f) for f in fields},
                "is_sample": record.cluster_id in sample_clusters([record.cluster_id])}
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    parsed = _parsed(record)
    if fmt == "mrc":
        body = bytes(record.raw) if record.raw_format == Record.Format.ISO2709 else parsed.as_marc()
        response = HttpResponse(body, content_type="application/marc")
    elif fmt == "xml":
        body = pymarc.record_to_xml(parsed, namespace=True)
        response = HttpResponse(b'<?xml version="1.0" encoding="UTF-8"?>\n' + body,
                                content_type="application/marcxml+xml")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _parsed(record):
    for parsed in read(bytes(record.raw), record.raw_format):
        if parsed.record is not None:
            return parsed.record
    raise Http404


def csv_template(request):
    """The catalog's CSV column set (docs/catalog-csv.md) with the page language's column names and one
    example row, for libraries without a library system."""
    language = (get_language() or "es")[:2]
    headers = crosswalk.TEMPLATE_HEADERS.get(language, crosswalk.TEMPLATE_HEADERS["en"])
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(headers)
    writer.writerow(crosswalk.TEMPLATE_EXAMPLE)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sirbi-catalog-{language}.csv"'
    return response


def source_list(request):
    """Every source with its library or network, kind and number of live records; the staff may add one."""
    sources = (Source.objects.select_related("library__country", "network__country")
               .annotate(live=Count("records", filter=Q(records__deleted=False))).order_by("code"))
    return render(request, "catalog/sources.html", {
        "sources": sources,
        "may_add": request.user.is_authenticated and permissions.can_any(request.user, "add", Source)})


@login_required
def source_edit(request, code=None):
    """Set up a new source, or change one, for the staff of its library or network (change log, versions)."""
    pk = get_object_or_404(Source, code=code).pk if code else None
    return edit_page(request, Source, pk, SourceForm, "catalog/source_form.html")


def source_page(request, code):
    """A source: its records, the last imports, the rejected records (its validation report); upload for its
    library's or network's staff."""
    source = get_object_or_404(Source.objects.select_related("library__country", "network"), code=code)
    may_import = permissions.can(request.user, "change", source)
    rejected = source.rejected.order_by("-created", "position")
    if request.GET.get("format") == "csv":
        return _rejected_csv(source, rejected)
    jobs = Job.objects.filter(kind__in=[IMPORT_KIND, HARVEST_KIND], params__source_id=source.pk).order_by(
        "-created")[:10] if may_import else []
    return render(request, "catalog/source.html", {
        "source": source, "records": source.records.filter(deleted=False).count(),
        "rejected": rejected[:200], "rejected_count": rejected.count(), "may_import": may_import, "jobs": jobs,
        "limit": filesizeformat(settings.CATALOG_UPLOAD_MAX_BYTES)})


def _rejected_csv(source, rejected):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sirbi-rejected-{source.code}.csv"'
    writer = CsvWriter(response)
    writer.writerow(["file", "position", "reason", "received", "raw_hex"])
    for row in rejected:
        writer.writerow([row.filename, row.position, row.reason, row.created.isoformat(), bytes(row.raw)[:2000].hex()])
    return response


@upload_limit("CATALOG_UPLOAD_MAX_BYTES")
@login_required
@require_POST
def source_upload(request, code):
    source = get_object_or_404(Source, code=code)
    permissions.require(request.user, "change", source)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect(source)
    job = jobs.enqueue(IMPORT_KIND, {"upload": store_upload(upload), "filename": upload.name[:200],
                                     "source_id": source.pk, "user_id": request.user.pk}, user=request.user)
    return redirect("core:job", pk=job.pk)


@login_required
@require_POST
def source_harvest(request, code):
    source = get_object_or_404(Source, code=code, kind=Source.Kind.OAI)
    permissions.require(request.user, "change", source)
    running = Job.objects.filter(kind=HARVEST_KIND, params__source_id=source.pk,
                                 status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    if running:
        messages.info(request, _("A harvest of this source is already under way."))
        return redirect("core:job", pk=running.pk)
    job = jobs.enqueue(HARVEST_KIND, {"source_id": source.pk, "full": bool(request.POST.get("full")),
                                      "user_id": request.user.pk}, user=request.user)
    return redirect("core:job", pk=job.pk)
