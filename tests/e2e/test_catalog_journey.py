"""Issue #5's journey so far, in the browser: the staff of a library in Lima upload a MARC file (real Library
of Congress records and one broken record), follow the import and read the report with the rejected record;
a reader finds a Spanish title typed without accents, narrows the results with the country facet, and the
record's page lists holdings in Peru and in Argentina; Lima's cataloguer takes Lima's record out of the group
and the split survives a re-import of the file. axe-core checks the pages."""

from pathlib import Path

import pytest

from sirbi.catalog import marc
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Source
from sirbi.core.models import Role
from sirbi.registry.models import Country, Library
from tests.conftest import make_user

from .conftest import axe_violations, describe, shot, sign_in

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "sirbi" / "catalog" / "data" / "lc-spa-por-sample.mrc"
BROKEN = Path(__file__).resolve().parents[1] / "data" / "marc" / "pymarc-bad_records.mrc"


@pytest.fixture
def libraries_and_staff(registry, settings, tmp_path):
    settings.JOBS_EAGER, settings.UPLOAD_DIR = True, tmp_path / "uploads"
    settings.CATALOG_INDEX_DIR = tmp_path / "index"
    lima = Library.objects.create(name="Biblioteca Municipal de Lima", isil="PE-LIM01", type="public",
                                  country=Country.objects.get(code="PE"), latitude=-12.05, longitude=-77.04)
    palermo = Library.objects.create(name="Biblioteca Popular de Palermo", isil="AR-BAP01", type="popular",
                                     country=Country.objects.get(code="AR"), latitude=-34.59, longitude=-58.43)
    parsed = [p for p in marc.read(SAMPLE.read_bytes()) if p.record]
    # Palermo already holds the first half of the records, and the one the reader looks for.
    held = [p.raw for i, p in enumerate(parsed) if i < 300 or "ciudadan" in (p.record.title or "")]
    import_file(Source.objects.create(code="palermo", name="Palermo", library=palermo), b"".join(held),
                "palermo.mrc")
    Source.objects.create(code="lima", name="Biblioteca Municipal de Lima", library=lima)
    staff = make_user("staff_lima", Role.LIBRARY_STAFF, library_id=lima.pk)
    truncated = next(p.raw for p in marc.read(BROKEN.read_bytes()) if "Truncated" in p.error)
    return staff, SAMPLE.read_bytes() + truncated


@pytest.mark.e2e
def test_upload_report_search_facet_and_holdings(page, live_server, libraries_and_staff):
    staff, upload = libraries_and_staff
    base = live_server.url

    # 1. The library's staff upload the file on their source's page and read the report.
    page.goto(base + "/es/accounts/login/")
    sign_in(page, base, staff)
    page.goto(base + "/en/catalog/sources/lima/")
    page.set_input_files("#id-file", {"name": "lima.mrc", "mimeType": "application/marc", "buffer": upload})
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/catalog/sources/lima/")
    text = page.locator("main").inner_text()
    assert "600 added" in text and "1 rejected" in text
    assert "1 record could not be read" in text and "TruncatedRecord" in text
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # 2. A reader searches without accents; the country facet narrows the results.
    reader = page.context.browser.new_context(locale="es-ES", bypass_csp=True).new_page()
    reader.goto(base + "/es/catalog/?q=educacion+ciudadania")
    first = reader.locator("ol.results > li").first
    assert "Educación, ciudadanía y democracia" in first.inner_text()
    reader.goto(base + "/es/catalog/?q=historia")
    total = reader.locator("ol.results > li").count()
    reader.locator("aside.facets").get_by_role("link", name="Perú").click()
    reader.wait_for_load_state()
    narrowed = reader.locator("ol.results > li").count()
    assert "country=PE" in reader.url and 0 < narrowed <= total
    violations = axe_violations(reader)
    assert not violations, describe(violations)
    shot(reader, "catalog-search")

    # 3. The record's page lists holdings in Peru and in Argentina.
    reader.goto(base + "/es/catalog/?q=educacion+ciudadania")
    reader.locator("ol.results > li a").first.click()
    reader.wait_for_load_state()
    holdings = reader.locator("table").inner_text()
    assert "Biblioteca Municipal de Lima" in holdings and "Biblioteca Popular de Palermo" in holdings
    assert "Perú" in holdings and "Argentina" in holdings
    violations = axe_violations(reader)
    assert not violations, describe(violations)
    shot(reader, "catalog-record")
    record_url = reader.url.replace("/es/", "/en/")
    reader.context.close()

    # 4. Lima's cataloguer takes Lima's record out of the group; the split survives a re-import of the file.
    page.goto(record_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Not the same edition: take it out").click()
    assert "group of its own" in page.locator(".messages").inner_text()
    page.goto(record_url)
    assert "Biblioteca Municipal de Lima" not in page.locator("table").inner_text()
    page.goto(base + "/en/catalog/sources/lima/")
    page.set_input_files("#id-file", {"name": "lima.mrc", "mimeType": "application/marc", "buffer": upload})
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/catalog/sources/lima/")
    assert "600 unchanged" in page.locator("main").inner_text()
    page.goto(record_url)
    holdings = page.locator("table").inner_text()
    assert "Biblioteca Popular de Palermo" in holdings and "Biblioteca Municipal de Lima" not in holdings
