from pathlib import Path

import pytest

from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Source

DATA = Path(__file__).resolve().parents[1] / "data" / "marc"


@pytest.fixture
def catalog(lima_library, buenos_aires_library):
    """Lima holds the 20 records of marc.dat; Palermo (Buenos Aires) the same 20, one more and two MARCXML."""
    return load_catalog(lima_library, buenos_aires_library)


def load_catalog(lima_library, buenos_aires_library):
    """The `catalog` fixture's sources and records (also for live-server tests, which load their own data)."""
    lima = Source.objects.create(code="lima", name="Lima", library=lima_library)
    palermo = Source.objects.create(code="palermo", name="Palermo", library=buenos_aires_library)
    import_file(lima, (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat")
    for name in ("pymarc-diacritic.dat", "pymarc-marc.dat", "pymarc-batch.xml"):
        import_file(palermo, (DATA / name).read_bytes(), name)
    return lima, palermo


@pytest.fixture(autouse=True)
def test_oai_server_allowed(settings):
    """The test OAI-PMH server runs on 127.0.0.1, which harvests refuse unless it is allowed (as an intranet
    endpoint would be by HARVEST_ALLOWED_HOSTS)."""
    settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.1"]
