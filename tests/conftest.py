"""Shared actors and data. The ISO countries and the real networks are loaded once per test database;
each test adds the libraries and people its story needs.

The indicator catalogue, populations and the real Library Map of the World figures are loaded too.

Actors: a regional secretary, Peru's and Chile's national coordinators, the manager of Peru's public
library network, a librarian in Lima, a signed-in reader with no role, and an anonymous visitor.
"""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.test import Client

from sirbi.core.models import Role, RoleAssignment, User
from sirbi.registry.countries import load_countries
from sirbi.registry.demo import load_networks
from sirbi.registry.models import Country, Library, Network
from sirbi.stats.indicators import seed_indicators
from sirbi.stats.loaders import load_lmw, load_population_package


def load_shared_data():
    # The typology crosswalk's starting rules come with their migration; a flushed database gets them again here.
    import_module("sirbi.registry.migrations.0005_typology_rules").add_rules(django_apps, None)
    load_countries()
    load_networks()
    # The indicator catalogue, the 2018 populations and the real LMW figures (published values).
    seed_indicators()
    load_population_package()
    load_lmw()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_shared_data()


_flushed = False


def _uses_db(item):
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    transactional = bool(names & {"transactional_db", "live_server"})
    transactional = transactional or bool(marker and marker.kwargs.get("transaction"))
    return bool(marker) or transactional or bool(names & {"db", "django_db_setup"}), transactional


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A transactional test (two connections, a live server) empties every table when it ends, so the shared data
    the next test counts on is loaded again before it, outside its transaction. Automatic: no test module has to
    remember it."""
    global _flushed
    if item.get_closest_marker("e2e"):
        return  # the browser journeys load what each needs (tests/e2e/conftest.py)
    uses_db, transactional = _uses_db(item)
    if _flushed and uses_db:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            load_shared_data()
        _flushed = False
    if transactional:
        _flushed = True


def make_user(username, role=None, **scope):
    user = User.objects.create_user(username=username, password="pw-" + username, email=f"{username}@example.org")
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def peru(db):
    return Country.objects.get(code="PE")


@pytest.fixture
def chile(db):
    return Country.objects.get(code="CL")


@pytest.fixture
def argentina(db):
    return Country.objects.get(code="AR")


@pytest.fixture
def pe_public(db):
    return Network.objects.get(code="pe-public")


@pytest.fixture
def lima_library(peru, pe_public):
    library = Library.objects.create(name="Biblioteca Municipal de Lima", isil="PE-LIM01", country=peru,
                                     type="public", locality="Lima", latitude=-12.05, longitude=-77.04)
    library.networks.add(pe_public)
    return library


@pytest.fixture
def cusco_library(peru):
    return Library.objects.create(name="Biblioteca de Cusco", isil="PE-CUS01", country=peru, type="public",
                                  locality="Cusco")


@pytest.fixture
def buenos_aires_library(argentina):
    return Library.objects.create(name="Biblioteca Popular de Palermo", isil="AR-BAP01", country=argentina,
                                  type="popular", locality="Buenos Aires")


@pytest.fixture
def secretary(db):
    return make_user("secretary", Role.SECRETARIAT)


@pytest.fixture
def coordinator_pe(db):
    return make_user("coord_pe", Role.COORDINATOR, country="PE")


@pytest.fixture
def coordinator_cl(db):
    return make_user("coord_cl", Role.COORDINATOR, country="CL")


@pytest.fixture
def network_manager_pe(pe_public):
    return make_user("manager_pe", Role.NETWORK_MANAGER, network_id=pe_public.pk)


@pytest.fixture
def librarian_lima(lima_library):
    return make_user("librarian_lima", Role.LIBRARY_STAFF, library_id=lima_library.pk)


@pytest.fixture
def reader(db):
    return make_user("reader")


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for


def pytest_collection_modifyitems(items):
    """Every test but the browser journeys may use the database (in a transaction rolled back after it)."""
    for item in items:
        if "/e2e/" not in str(item.fspath):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def fresh_read_rates():
    """The API's read rates are counted in the process's memory (core.rest.ReadThrottle): each test starts anew."""
    from django.core.cache import caches

    caches["process"].clear()


@pytest.fixture(autouse=True)
def no_page_cache(settings, tmp_path):
    """Pages are made again for every request (tests/core/test_pagecache.py turns the page cache on), and no
    stamp of another test's copies is found (a write replaces the stamp wherever copies exist)."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.CACHES = {**settings.CACHES, "pages": {**settings.CACHES["pages"], "LOCATION": str(tmp_path / "pages")}}


@pytest.fixture(autouse=True)
def catalog_index_dir(settings, tmp_path):
    """Every test that touches the catalog writes its own search index, never the developer's var/."""
    settings.CATALOG_INDEX_DIR = tmp_path / "catalog-index"
    return settings.CATALOG_INDEX_DIR
