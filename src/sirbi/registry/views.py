"""Registry pages: thin views over the models, the FilterSets, the forms and core's save_object."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods

from sirbi.core import permissions
from sirbi.core.changelog import ConflictError, delete_object, history, save_object, visible_changes
from sirbi.core.downloads import EXPORT_FORMATS, export
from sirbi.core.paginator import KeysFirstPaginator

from . import services
from .choices import LibraryStatus, LibraryType, ServicePointKind
from .exports import (
    LIBRARY_COLUMNS,
    LIBRARY_EXTRA_COLUMNS,
    NETWORK_COLUMNS,
    NETWORK_CONTACT_COLUMNS,
    library_rows,
    network_rows,
)
from .filters import LibraryFilter, NetworkFilter
from .forms import CountryForm, LibraryForm, NetworkForm, ServicePointForm
from .models import Country, Library, Network, ServicePoint


def index(request):
    """The registry's landing page: what each of its parts holds."""
    parts = [
        ("registry:networks", _("Networks"), _("The national library networks of the member countries.")),
        ("registry:libraries", _("Libraries"), _("Every library in the registry, with filters and downloads.")),
        ("registry:map", _("Map"), _("The libraries on a map.")),
        ("portal:home", _("Member countries"), _("The member countries and their networks.")),
        ("portal:open-data", _("Open data"), _("The registry as CSV, XLSX, JSON and GeoJSON files.")),
    ]
    if permissions.is_member(request.user):
        parts.append(("registry:import", _("Import"), _("Add or update many libraries from a spreadsheet.")))
    return render(request, "core/landing.html", {
        "title": _("Registry"),
        "lead": _("Who the national library networks are, who governs them, and which libraries belong to them."),
        "parts": [{"url": reverse(name), "title": title, "text": text} for name, title, text in parts],
    })


def _query_without(request, *names):
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def country_detail(request, code):
    country = get_object_or_404(Country, code=code.upper())
    networks = country.networks.order_by("type", "name")
    by_type = dict(country.libraries.values_list("type").annotate(n=Count("pk")).order_by())
    library_types = [(value, label, by_type.get(value, 0)) for value, label in LibraryType.choices]
    return render(request, "registry/country_detail.html", {
        "country": country,
        "networks": networks,
        "library_types": library_types,
        "library_count": sum(by_type.values()),
        "units_and_points": services.units_and_service_points(country.libraries.all()),
        "sample_count": country.libraries.filter(is_sample=True).count(),
        "can_change": permissions.can(request.user, "change", country),
        "can_add_network": permissions.can(request.user, "add", Network(country=country)),
        "changes": visible_changes(history(country)[:20], request.user),
    })


def network_list(request):
    filterset = NetworkFilter(request.GET, queryset=Network.objects.select_related("country").annotate(
        library_count=Count("libraries")))
    networks = filterset.qs
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS and fmt != "geojson":
        with_contacts = permissions.is_member(request.user)
        columns = NETWORK_COLUMNS + (NETWORK_CONTACT_COLUMNS if with_contacts else [])
        return export(network_rows(networks, with_contacts), columns, fmt, "sirbi-networks")
    return render(request, "registry/network_list.html", {
        "filter": filterset, "networks": networks, "query": _query_without(request, "export"),
    })


def network_detail(request, code):
    network = get_object_or_404(Network.objects.select_related("country"), code=code)
    libraries = network.libraries.select_related("country", "subdivision")
    by_type = libraries.values_list("type").annotate(n=Count("pk")).order_by()
    labels = dict(LibraryType.choices)
    return render(request, "registry/network_detail.html", {
        "network": network,
        "library_count": libraries.count(),
        "units_and_points": services.units_and_service_points(libraries),
        "sample_count": libraries.filter(is_sample=True).count(),
        "library_types": [(labels.get(t, t), n) for t, n in by_type],
        "can_change": permissions.can(request.user, "change", network),
        "can_delete": permissions.can(request.user, "delete", network),
        "changes": visible_changes(history(network)[:20], request.user),
    })


LIBRARY_PAGE_SIZE = 50


def library_list(request):
    filterset = LibraryFilter(request.GET, queryset=Library.objects.all())
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return export(library_rows(filterset.qs), LIBRARY_COLUMNS + LIBRARY_EXTRA_COLUMNS, fmt, "sirbi-libraries")
    # Networks of the page's libraries in one query, whatever the page size.
    queryset = filterset.qs.select_related("country", "subdivision").prefetch_related("networks")
    paginator = KeysFirstPaginator(queryset, LIBRARY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "registry/library_list.html", {
        "filter": filterset,
        "page_obj": page,
        "paginator": paginator,
        "libraries": page.object_list,
        "query": _query_without(request, "page", "export"),
        "export_query": _query_without(request, "page", "export"),
        "export_formats": EXPORT_FORMATS,
        "can_add": permissions.can_any(request.user, "add", Library),
    })


def library_detail(request, pk):
    library = get_object_or_404(Library.objects.with_related(), pk=pk)
    typology, rule = services.typology_of(library)
    points = list(library.service_points.all())
    return render(request, "registry/library_detail.html", {
        "library": library, "typology": typology, "typology_rule": rule,
        "service_points": points,
        # Drawn on the library's map beside its own marker.
        "located_points": [{"lat": p.latitude, "lon": p.longitude, "name": p.name, "kind": str(p.get_kind_display())}
                           for p in points if p.latitude is not None and p.longitude is not None],
        "can_change": permissions.can(request.user, "change", library),
        "can_delete": permissions.can(request.user, "delete", library),
        "changes": visible_changes(history(library)[:20], request.user),
    })


def library_map(request):
    filterset = LibraryFilter(request.GET, queryset=Library.objects.all())
    filterset.is_valid()
    return render(request, "registry/library_map.html", {
        "filter": filterset, "query": _query_without(request, "page", "export"),
        "count": filterset.qs.filter(latitude__isnull=False).count(),
        "sample_count": filterset.qs.filter(latitude__isnull=False, is_sample=True).count(),
    })


@gzip_page
def library_points(request):
    """Every located library of the filtered list, compactly: [id, latitude, longitude, name] (what the map
    draws; the map page must stay under 200 KB with the demo's 3,000 libraries: tests/e2e/test_page_weight.py)."""
    filterset = LibraryFilter(request.GET, queryset=Library.objects.all())
    rows = filterset.qs.filter(latitude__isnull=False, longitude__isnull=False).order_by().values_list(
        "pk", "latitude", "longitude", "name")
    points = [[pk, round(lat, 5), round(lon, 5), name] for pk, lat, lon, name in rows.iterator(5000)]
    # Their branches, mobile libraries and reading points where they have coordinates (the main building is the
    # library's own marker): [library id, latitude, longitude, name, kind].
    located = (ServicePoint.objects.filter(library__in=filterset.qs.values("pk"), latitude__isnull=False,
                                           longitude__isnull=False).exclude(kind=ServicePointKind.MAIN)
               .exclude(status=LibraryStatus.CLOSED).order_by().values_list("library_id", "latitude", "longitude",
                                                                             "name", "kind"))
    service_points = [[pk, round(lat, 5), round(lon, 5), name, kind]
                      for pk, lat, lon, name, kind in located.iterator(5000)]
    body = json.dumps({"fields": ["id", "latitude", "longitude", "name"], "points": points,
                       "service_points": service_points, "kinds": dict(ServicePointKind.choices)},
                      ensure_ascii=False, separators=(",", ":"), default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response


# Editing -------------------------------------------------------------------------------------------

def _edit(request, form, obj, template, m2m_names=(), prepare=None):
    """Validate and save a form through save_object; a conflict re-renders the form with its message.

    `prepare(form)` runs before the form is rendered (after validation), to trim long choice lists.
    """
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        m2m = {name: form.cleaned_data[name] for name in m2m_names}
        try:
            save_object(instance, user=request.user, m2m=m2m, expected_version=form.cleaned_data.get("base_version"),
                        message=form.cleaned_data.get("message", ""))
        except ConflictError as conflict:
            form.add_error(None, str(conflict))
            if prepare:
                prepare(form)
            return render(request, template, {"form": form, "object": obj}, status=409)
        messages.success(request, _("Saved: %(object)s.") % {"object": instance})
        return redirect(instance.get_absolute_url())
    if prepare:
        prepare(form)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "object": obj}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def country_edit(request, code):
    country = get_object_or_404(Country, code=code.upper())
    permissions.require(request.user, "change", country)
    form = CountryForm(request.POST or None, instance=country)
    return _edit(request, form, country, "registry/country_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def network_edit(request, code=None):
    network = get_object_or_404(Network.objects.select_related("country"), code=code) if code else Network()
    if network.pk:
        permissions.require(request.user, "change", network)
    else:
        permissions.require(request.user, "add", Network)
    initial = {"country": request.GET.get("country", "").upper()} if not network.pk else None
    form = NetworkForm(request.POST or None, instance=network, user=request.user, initial=initial)
    return _edit(request, form, network, "registry/network_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def library_edit(request, pk=None):
    library = get_object_or_404(Library.objects.with_related(), pk=pk) if pk else Library()
    if library.pk:
        permissions.require(request.user, "change", library)
    else:
        permissions.require(request.user, "add", Library)
    initial = None
    if not library.pk:
        countries = LibraryForm(user=request.user).fields["country"].queryset
        only = countries.first() if countries.count() == 1 else None
        initial = {"country": request.GET.get("country", "").upper() or (only.code if only else "")}
    form = LibraryForm(request.POST or None, instance=library, user=request.user, initial=initial)
    chosen = (request.POST.get("country") or request.GET.get("country", "").upper()
              or (library.country.code if library.pk else (initial or {}).get("country")))
    # With JavaScript, choosing a country reloads the subdivision and network lists for it (htmx).
    form.fields["country"].widget.attrs.update({
        "hx-get": request.path, "hx-trigger": "change", "hx-swap": "none", "hx-params": "country",
        "hx-select-oob": "#field-subdivision,#field-networks",
    })
    return _edit(request, form, library, "registry/library_form.html", m2m_names=("networks",),
                 prepare=lambda form: form.limit_choices_to_country(chosen))


@login_required
@require_http_methods(["GET", "POST"])
def service_point_edit(request, pk=None, library=None):
    """Add a service point to a library (`library`) or change one (`pk`), as the library's keepers."""
    if pk:
        point = get_object_or_404(ServicePoint.objects.select_related("library__country"), pk=pk)
        permissions.require(request.user, "change", point)
    else:
        point = ServicePoint(library=get_object_or_404(Library.objects.select_related("country"), pk=library))
        permissions.require(request.user, "add", point)
    form = ServicePointForm(request.POST or None, instance=point, user=request.user,
                            initial=None if pk else {"library": point.library_id})
    return _edit(request, form, point, "registry/service_point_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, kind, key):
    model, lookup, cancel = {
        "network": (Network, "code", "registry:network"),
        "library": (Library, "pk", "registry:library"),
        "service_point": (ServicePoint, "pk", "registry:library"),
    }[kind]
    obj = get_object_or_404(model, **{lookup: key})
    permissions.require(request.user, "delete", obj)
    if request.method == "POST":
        if kind == "network" and obj.libraries.exists():
            messages.error(request, _("This network still has libraries: move or remove them first."))
            return redirect(obj.get_absolute_url())
        # Back to what held it: a service point's library, a library's or network's country.
        holder = obj.library if kind == "service_point" else obj.country
        delete_object(obj, user=request.user, message=request.POST.get("message", "")[:500])
        messages.success(request, _("Deleted: %(object)s.") % {"object": obj})
        return redirect(holder.get_absolute_url())
    return render(request, "registry/confirm_delete.html", {"object": obj, "cancel_url": obj.get_absolute_url()})
