"""yaz-client (Index Data's YAZ, Debian `yaz`), the SRU client many library systems are built on, searches the
union catalog through a real server: explain, a keyword search, a fielded search, a record fetched as MARCXML,
scan on title, and a bad query answered by a diagnostic; in SRU 2.0 and in 1.2. A live-server journey like the
browser ones (here, with the e2e run of `make test`): its database is flushed afterwards."""

import re
import shutil
import subprocess

import pytest

from sirbi.catalog.models import Record
from tests.catalog.conftest import load_catalog

pytestmark = pytest.mark.skipif(not shutil.which("yaz-client"), reason="yaz-client (Debian package yaz) is missing")


@pytest.fixture
def catalog(registry, lima_library, buenos_aires_library):
    return load_catalog(lima_library, buenos_aires_library)


def yaz(url, version, *commands):
    """yaz-client's screen after these commands, over SRU with HTTP GET."""
    script = "\n".join([f"open {url}/sru", f"sru get {version}", *commands, "quit", ""])
    done = subprocess.run(["yaz-client"], input=script, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_yaz_client_searches_the_union_catalog(live_server, catalog, lima_library, buenos_aires_library):
    screen = yaz(live_server.url, "2.0",
                 "explain",
                 "find pragmatic",
                 "find dc.title=python and dc.creator=lutz",
                 "schema info:srw/schema/1/marcxml-v1.1", "format xml", "show 1",
                 "scan dc.title=pyth",
                 'find dc.title="unclosed',
                 "find dc.format=book")
    answers = screen.split("Z> ")
    explain = next(a for a in answers if "explain.z3950.org" in a)
    assert "SIRBI union catalog" in explain and 'name="bath"' in explain
    hits = [int(n) for n in re.findall(r"Number of hits: (\d+)", screen)]
    assert hits[:2] == [1, 2]  # the pragmatic programmer; Lutz's two Python books
    record = next(a for a in answers if "pos=1 schema=info:srw/schema/1/marcxml-v1.1" in a)
    lutz = Record.objects.filter(authors__icontains="Lutz").values_list("cluster_id", flat=True)
    assert int(re.search(r'<controlfield tag="001">(\d+)<', record).group(1)) in set(lutz)
    assert f'<subfield code="a">{lima_library.isil}</subfield>' in record
    assert f'<subfield code="a">{buenos_aires_library.isil}</subfield>' in record
    scan = next(a for a in answers if "Scan Response" in a)
    assert re.search(r"^python: 15$", scan, re.MULTILINE)
    assert "SRW diagnostic info:srw/diagnostic/1/10" in screen  # the unclosed quote
    assert "SRW diagnostic info:srw/diagnostic/1/16" in screen and "dc.format" in screen


def test_yaz_client_speaks_sru_1_2_too(live_server, catalog):
    screen = yaz(live_server.url, "1.2", "find dc.subject=python", "schema dc", "show 1", "find dc.date<1900")
    assert re.findall(r"Number of hits: (\d+)", screen)[0] != "0"
    assert "schema=info:srw/schema/1/dc-v1.1" in screen and "<dc:subject>" in screen
    assert "Number of hits: 0" in screen
