"""Issue #15's reader on a phone (390 × 844, Spanish, JavaScript off): the results come first, the filters sit
behind one button (details/summary, no script) that opens them; a search without accents finds Borges's
Ficciones first; every word counts, and when nothing has them all the page says so and offers the records
with some of them in one click; one result per work gathers the editions and translations; the record's page
gives each copy its call number, status and library address, and lists the Portuguese translation among the
other editions. axe-core checks the catalog pages at phone width."""

import pytest

from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Source
from tests.catalog.conftest import DATA
from tests.catalog.works import crafted

from .conftest import axe_violations, describe, new_page, shot

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalog_of_the_region(libraries, settings, tmp_path):
    settings.CATALOG_INDEX_DIR = tmp_path / "index"
    lima, palermo = libraries["lima"][0], libraries["buenos_aires"][0]
    import_file(Source.objects.create(code="lima", name="Biblioteca Municipal de Lima", library=lima),
                (DATA / "lc-relevance.mrc").read_bytes() + crafted(), "region.mrc")
    copies = ("id,title,authors,year,language,publisher,call_number,status\n"
              "P1,Ficciones,\"Borges, Jorge Luis\",1956,spa,Emecé,863 B732f,Prestado\n"
              "P1,Ficciones,\"Borges, Jorge Luis\",1956,spa,Emecé,863 B732f ej.2,Disponible\n")
    import_file(Source.objects.create(code="palermo", name="Palermo", library=palermo), copies.encode(),
                "palermo.csv")


@pytest.mark.e2e
def test_a_reader_on_a_phone_finds_a_book_and_where_to_borrow_it(browser, live_server, catalog_of_the_region):
    base = live_server.url
    page = new_page(browser, viewport=PHONE, java_script_enabled=False, is_mobile=True)
    checked = []  # the pages axe-core checks below
    try:
        page.goto(base + "/es/catalog/?q=borges+ficciones")
        first = page.locator("ol.results > li").first
        assert first.inner_text().startswith("Ficciones")
        assert first.bounding_box()["y"] < PHONE["height"]  # the first result on the first screen
        facets = page.locator("aside.facets")
        assert not facets.is_visible()
        shot(page, "catalog-phone-results")
        page.locator("summary", has_text="Acotar los resultados").click()
        assert facets.is_visible()
        shot(page, "catalog-phone-filters")
        with page.expect_navigation():
            facets.get_by_role("link", name="Argentina").click()
        assert "country=AR" in page.url and page.locator("ol.results > li").count() == 1
        assert "(1)" in page.locator(".facets-box > summary").inner_text()  # one filter in use, said on the button

        # Every word counts: nothing has all of them, the page says so and offers some of them in one click.
        page.goto(base + "/es/catalog/?q=borges+ficciones+dinosaurio")
        checked.append(page.url)
        notice = page.locator(".results-section [role=status]")
        assert "Ningún registro tiene todas estas palabras." in notice.inner_text()
        with page.expect_navigation():
            notice.get_by_role("link").click()
        assert "match=any" in page.url and page.locator("ol.results > li").first.inner_text().startswith("Ficciones")

        # One result per work: the two Spanish editions and the Portuguese translation as one.
        page.goto(base + "/es/catalog/?q=ficciones+borges")
        editions = page.locator("ol.results > li").count()
        page.get_by_label("Un resultado por obra").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Buscar").click()
        assert "collapse=1" in page.url and page.locator("ol.results > li").count() < editions
        assert "3 ediciones y traducciones" in page.locator("ol.results").inner_text()
        checked.append(page.url)

        # The record: copies with call number, status and address; the other editions and translations.
        with page.expect_navigation():
            page.locator("ol.results > li a").first.click()
        text = page.locator("main").inner_text()
        assert "863 B732f ej.2" in text and "en préstamo" in text and "disponible" in text
        assert "Jirón de la Unión 300" in text or "Buenos Aires" in text
        assert "Otras ediciones y traducciones" in text and "Ficções" in text
        shot(page, "catalog-phone-record")
        checked.append(page.url)
    finally:
        page.context.close()
    # axe-core needs a script: the same pages at the same width with JavaScript on, filters open and closed.
    page = new_page(browser, viewport=PHONE, is_mobile=True)
    try:
        for url in checked:
            page.goto(url)
            violations = axe_violations(page)
            assert not violations, describe(violations)
        page.goto(checked[1])
        page.locator(".facets-box > summary").click()
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        page.context.close()
