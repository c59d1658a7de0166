"""The interlibrary loan world: a book held in Cusco, Santiago and Montevideo, asked for by Lima; each lending
library with its policy and a librarian of its own."""

import pytest

from sirbi.catalog.models import Cluster, Holding, Record, Source
from sirbi.core.models import Role
from sirbi.loans.models import LendingPolicy
from sirbi.registry.models import Country, Library
from tests.conftest import make_user


@pytest.fixture
def uruguay(db):
    return Country.objects.get(code="UY")


@pytest.fixture
def santiago_library(chile):
    return Library.objects.create(name="Biblioteca de Santiago", isil="CL-STG01", country=chile, type="public",
                                  locality="Santiago")


@pytest.fixture
def montevideo_library(uruguay):
    return Library.objects.create(name="Biblioteca de Montevideo", isil="UY-MVD01", country=uruguay, type="public",
                                  locality="Montevideo")


@pytest.fixture
def librarian_santiago(santiago_library):
    return make_user("librarian_santiago", Role.LIBRARY_STAFF, library_id=santiago_library.pk)


@pytest.fixture
def librarian_montevideo(montevideo_library):
    return make_user("librarian_montevideo", Role.LIBRARY_STAFF, library_id=montevideo_library.pk)


@pytest.fixture
def policies(cusco_library, santiago_library, montevideo_library):
    return {library.isil: LendingPolicy.objects.create(library=library, lends_to="members", deliveries=["post"])
            for library in (cusco_library, santiago_library, montevideo_library)}


def hold(cluster, *libraries, status=""):
    source = Source.objects.create(code=f"src-{cluster.pk}-{libraries[0].pk}", name="Fuente")
    record = Record.objects.create(source=source, local_id=f"r{cluster.pk}-{libraries[0].pk}", raw=b"", digest="x",
                                   raw_format="marcxml", cluster=cluster, title="Cien años de soledad",
                                   sort_title="cien anos de soledad", isbns=["9780307474728"])
    for library in libraries:
        Holding.objects.create(record=record, library=library, status=status)
    return record


@pytest.fixture
def novel(lima_library, cusco_library, santiago_library, montevideo_library, policies):
    """A cluster held by Cusco, Santiago and Montevideo (and by Lima, which asks for it anyway)."""
    cluster = Cluster.objects.create()
    record = hold(cluster, santiago_library, montevideo_library, cusco_library, lima_library)
    cluster.representative = record
    cluster.save()
    return cluster
