"""Every URL of the platform, fed hostile values, answers 2xx, 3xx or 4xx — never a 500.

The walk takes every pattern the resolver knows (pages, API, admin), fills its path parameters with
hostile values (zero, negative, 20-digit, letters, "../", unicode) and with values that exist, adds the
query parameters lists and filters read (page, year, ordering, ...) with hostile values, and asks as an
anonymous visitor and as the secretariat (who may open every page). API endpoints also get writes with
bodies that are not an object (null, a list, a string, broken JSON) and objects whose fields hold the
wrong types; pages get form posts whose ids are not numbers.
"""

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from sirbi.core.models import Role
from tests.conftest import make_user

HOSTILE = ["0", "-1", "99999999999999999999", "abc", "../", "ñandú😀", "1e309", "null", " ", "2026-13-45"]
# The parameters the issue names first (each also tried alone), then others that lists and filters read.
QUERY_PARAMETERS = ["page", "page_size", "year", "year_min", "year_max", "id", "indicator", "country", "ordering",
                    "q", "format", "unit", "sort", "since", "until", "year_from", "year_to", "from", "code", "library"]
MORE_PARAMETERS = ["export", "typology", "level", "status", "network", "type", "after", "before", "updated_since",
                   "object_id", "model", "sdg", "theme", "month", "kind", "period", "lang", "next", "to", "by"]
FORM_FIELDS = ["id", "pk", "library", "network", "networks", "country", "countries", "indicator", "unit", "year",
               "version", "base_version", "action", "objective", "meeting", "participant", "record", "cluster",
               "page", "progress", "figures", "submit", "frequency", "status", "decision", "target", "source",
               "typology", "period", "value", "date", "start", "end", "theme", "themes", "sdgs", "owner"]
BODIES = ["null", "[]", '"text"', "42", "{", '{"name": ["a", "b"], "country": ["PE"], "networks": "pe-public", '
          '"figures": "x", "unit": ["PE"], "version": "abc", "progress": "abc", "type": {"a": 1}}',
          '{"id": 99999999999999999999, "version": 99999999999999999999, "year": 99999999999999999999}']
# Patterns left out, with why.
SKIP = {
    "es/accounts/logout/",  # signs the walker out half-way
    "es/admin/logout/",
}


def route_of(prefix, pattern):
    """A pattern as a template with {name} placeholders for its parameters."""
    text = str(pattern.pattern)
    if hasattr(pattern.pattern, "converters") and "^" not in text:
        return prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    # Regular expressions (the API router's, the admin's catch-all): named groups become placeholders.
    text = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", r"{\1}", text)
    text = text.replace("^", "").replace("$", "").replace("\\", "").replace("/?", "/")
    if re.search(r"[()|*+\[\]]", text):
        return None  # an alternation the walker cannot fill (the admin's app list: reached by its own URL)
    return prefix + text


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = route_of(prefix, pattern) if str(pattern.pattern) else prefix
            if inner is not None:
                yield from walk(pattern, inner.replace("{", "").replace("}", "") if "{" not in prefix else inner)
        elif isinstance(pattern, URLPattern):
            route = route_of(prefix, pattern)
            if route is not None and route not in SKIP:
                yield route


def every_route():
    # The language prefix of i18n_patterns is the active language's: a test before this one may have left pt or en.
    with translation.override("es"):
        routes = sorted(set(walk()))
    # One language is enough: /pt/ and /en/ resolve to the same views.
    return [route for route in routes if not route.startswith(("pt/", "en/"))]


def fill(route, value):
    names = re.findall(r"{(\w+)}", route)
    url = route
    for name in names:
        url = url.replace("{" + name + "}", quote(value(name), safe=""))
    return "/" + url


def existing_value(objects):
    """A value of each parameter that names something that exists, so the query walk reaches past the 404."""
    def value(name):
        return objects.get(name, objects["pk"])
    return value


@pytest.fixture(autouse=True)
def no_throttles(settings):
    """The walk sends thousands of requests from one address: a 429 would hide what a request would do."""
    settings.API_THROTTLE_RATES = {"anonymous": "1000000/s", "user": "1000000/s", "write": "1000000/s"}
    settings.AXES_ENABLED = False


@pytest.fixture
def objects(lima_library, pe_public):
    from sirbi.cooperation.models import Line, Objective

    line = Line.objects.create(code="L1", name="Line", order=1)
    Objective.objects.create(code="L1.1", name="Objective", line=line)
    return {"pk": str(lima_library.pk), "code": "PE", "country": "PE", "isil": lima_library.isil,
            "fmt": "csv", "format": "json", "slug": "pe-public", "network": "pe-public", "indicator": "visits",
            "object_id": str(lima_library.pk), "content_type_id": "1", "app_label": "registry", "url": "x",
            "uidb64": "MQ", "token": "set-password", "id": str(lima_library.pk)}


@pytest.fixture
def walkers(secretary, reader):
    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(secretary)
    staff = make_user("staff_lima", Role.COORDINATOR, country="PE")
    coordinator = Client(raise_request_exception=False)
    coordinator.force_login(staff)
    return {"anonymous": anonymous, "secretariat": signed_in, "coordinator": coordinator}


def failures_of(client, who, method, url, **extra):
    response = getattr(client, method)(url, **extra)
    if response.status_code >= 500:
        detail = extra.get("data", "")
        failure = f"{who} {method.upper()} {url} {str(detail)[:120]} → {response.status_code}"
        print(failure)  # seen at once with `pytest -s`, before the walk ends
        return [failure]
    return []


def test_no_path_parameter_makes_a_500(walkers, objects):
    failures = []
    for route in every_route():
        has_parameters = "{" in route
        values = HOSTILE if has_parameters else [None]
        for hostile in values:
            url = fill(route, lambda name, hostile=hostile: hostile)
            for who, client in walkers.items():
                failures += failures_of(client, who, "get", url)
    assert not failures, "\n".join(failures)


def deep_routes():
    """The routes the query and write walks visit: every page and API route, without the API's `.json` twins
    (the same views) and the admin's history and delete pages (Django's own, with no parameter of ours)."""
    return [route for route in every_route() if ".{format}" not in route and route != "api/v1/{format}"
            and not route.endswith(("/history/", "/delete/"))]


def test_no_query_parameter_makes_a_500(walkers, objects):
    failures = []
    for route in deep_routes():
        url = fill(route, existing_value(objects))
        admin = route.startswith("es/admin/")  # Django's own pages: two values are enough
        for hostile in ("99999999999999999999", "abc") if admin else HOSTILE:
            query = urlencode({name: hostile for name in QUERY_PARAMETERS + MORE_PARAMETERS})
            failures += failures_of(walkers["anonymous"], "anonymous", "get", f"{url}?{query}")
            failures += failures_of(walkers["secretariat"], "secretariat", "get", f"{url}?{query}")
        if admin or ("{" in route and not route.startswith("api/")):
            continue
        # On lists and the API, one parameter at a time as well, so that a refusal of one hides no other's crash.
        for hostile in ("99999999999999999999", "2026-13-45"):  # an overflow; not a number, not a date
            for name in QUERY_PARAMETERS:
                failures += failures_of(walkers["secretariat"], "secretariat", "get",
                                        f"{url}?{urlencode({name: hostile})}")
    assert not failures, "\n".join(failures)


def test_no_garbage_write_makes_a_500(walkers, objects):
    failures = []
    for route in deep_routes():
        url = fill(route, existing_value(objects))
        if route.startswith("api/"):
            for body in BODIES:
                for method in ("post", "put", "patch"):
                    failures += failures_of(walkers["secretariat"], "secretariat", method, url, data=body,
                                            content_type="application/json")
                failures += failures_of(walkers["coordinator"], "coordinator", "patch", url, data=body,
                                        content_type="application/json")
        else:
            for hostile in ("abc", "99999999999999999999", ""):
                form = {name: hostile for name in FORM_FIELDS}
                failures += failures_of(walkers["secretariat"], "secretariat", "post", url, data=form)
            if not route.startswith("es/admin/"):
                form = {name: "abc" for name in FORM_FIELDS}
                failures += failures_of(walkers["coordinator"], "coordinator", "post", url, data=form)
    assert not failures, "\n".join(failures)


def test_the_walk_covers_the_whole_project():
    routes = every_route()
    assert len(routes) > 300
    for expected in ("es/catalog/", "api/v1/libraries/{pk}/", "es/registry/libraries/{pk}/",
                     "es/admin/registry/library/{object_id}/change/"):
        assert expected in routes, expected
    assert json.dumps(routes)  # printable, for a failure's message
