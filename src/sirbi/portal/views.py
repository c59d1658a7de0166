"""Public pages: the members' map and the open data downloads."""


from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sirbi.core.changelog import readable_changes
from sirbi.core.models import ChangeLog
from sirbi.registry.models import Country, Library, Network
from sirbi.stats.exports import FORMATS as STATS_FORMATS
from sirbi.stats.models import Indicator, Value

from . import datasets, dcat


def root_redirect(request):
    """/ goes to the visitor's language (Accept-Language, or the language cookie), Spanish by default."""
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        return redirect(reverse("portal:home"))


def home(request):
    members = list(Country.objects.filter(is_member=True))
    # Two grouped counts rather than one join of networks × libraries, which grows with their product.
    networks = dict(Network.objects.values_list("country").annotate(n=Count("pk")).order_by())
    libraries = dict(Library.objects.values_list("country").annotate(n=Count("pk")).order_by())
    for country in members:
        country.network_count = networks.get(country.pk, 0)
        country.library_count = libraries.get(country.pk, 0)
    members.sort(key=lambda c: c.name)
    map_data = {
        c.numeric: {
            "name": c.name,
            "url": c.get_absolute_url(),
            "networks": c.network_count,
            "summary": ngettext("%(n)d network", "%(n)d networks", c.network_count) % {"n": c.network_count}
            + " · "
            + ngettext("%(n)d library", "%(n)d libraries", c.library_count) % {"n": c.library_count},
        }
        for c in members
    }
    return render(request, "portal/home.html", {
        "members": members,
        "map_data": map_data,
        "network_total": sum(networks.values()),
        "library_total": sum(libraries.values()),
        "sample_count": Library.objects.filter(is_sample=True).count(),
        "without_network": sum(1 for c in members if not c.network_count),
    })


def open_data(request):
    # The last change anyone may see: a draft figure's or a waiting practice's time is not public.
    stamp = readable_changes(ChangeLog.objects.all(), AnonymousUser()).aggregate(last=Max("time"))["last"]
    sample = Library.objects.filter(is_sample=True).count()
    published = Value.objects.published().aggregate(n=Count("pk"), last=Max("updated"))
    return render(request, "portal/open_data.html", {
        "updated": stamp,
        "library_count": Library.objects.count(),
        "network_count": Network.objects.count(),
        "country_count": Country.objects.filter(Q(is_member=True)).count(),
        "sample_count": sample,
        "formats": ["csv", "xlsx", "json", "geojson"],
        "value_count": published["n"],
        "values_updated": published["last"],
        "indicator_count": Indicator.objects.filter(is_active=True).count(),
        "stats_formats": STATS_FORMATS,
        "title": _("Open data"),
    })


def catalogue(request, fmt=None):
    """The open data as a DCAT-AP 3 catalogue: /opendata/catalog.ttl, .jsonld and .rdf, or /opendata/catalog
    in the format the Accept header prefers (Turtle when it names none of them)."""
    if fmt is None:
        by_type = {media_type: key for key, (_name, media_type) in dcat.FORMATS.items()}
        fmt = by_type.get(request.get_preferred_type(list(by_type)), "ttl")
    elif fmt not in dcat.FORMATS:
        raise Http404(_("Unknown format."))
    graph = dcat.catalogue_graph(request.build_absolute_uri("/"), **datasets.catalogue())
    body, media_type = dcat.serialise(graph, fmt)
    response = HttpResponse(body, content_type=f"{media_type}; charset=utf-8")
    if "fmt" not in request.resolver_match.kwargs:
        patch_vary_headers(response, ["Accept"])
    return response
