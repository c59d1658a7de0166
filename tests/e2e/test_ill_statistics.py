"""Interlibrary loan statistics in the browser: Inés, a researcher, reads who lends to whom in the region — the
matrix as a table and as a stacked bar chart — and opens Peru's figures; Marta, with a screen reader, finds no
serious accessibility violation on these pages."""

import pytest

from sirbi.registry.models import Country, Library
from tests.loans.test_statistics import YEAR, at, story

from .conftest import axe_violations, describe, shot


@pytest.fixture
def year_of_loans(registry):
    lima, santiago, montevideo = (Library.objects.create(name=name, isil=isil, country=Country.objects.get(code=code),
                                                         type="public")
                                  for name, isil, code in (("Biblioteca de Lima", "PE-E2E01", "PE"),
                                                           ("Biblioteca de Santiago", "CL-E2E01", "CL"),
                                                           ("Biblioteca de Montevideo", "UY-E2E01", "UY")))
    story(1, lima, sent=at(3, 1), rota=[(santiago, "unfilled", "NotOnShelf"), (montevideo, "supplying", "")],
          shipped=(montevideo, at(3, 5)), received=at(3, 11), sample=True)
    story(2, lima, sent=at(4, 1), rota=[(santiago, "supplying", "")], shipped=(santiago, at(4, 3)), service="Copy")
    story(3, montevideo, sent=at(5, 1), rota=[(santiago, "supplying", "")], shipped=(santiago, at(5, 4)))


def test_ines_reads_who_lends_to_whom(page, live_server, year_of_loans):
    page.goto(f"{live_server.url}/en/loans/statistics/?year={YEAR}", wait_until="networkidle")
    matrix = page.get_by_role("table", name=f"Interlibrary loans supplied between countries, {YEAR}")
    chile = matrix.get_by_role("row", name="Chile")
    assert chile.get_by_role("cell").all_inner_texts() == ["0", "1", "1", "2"]  # to Chile, Peru, Uruguay; total
    page.wait_for_selector("canvas[data-chart='flows'][data-drawn='true']")
    assert "Sample data" in page.content()
    shot(page, "en-ill-statistics")
    matrix.get_by_role("link", name="Peru").click()
    page.wait_for_url(f"**/en/loans/statistics/country/PE/?year={YEAR}")
    assert page.get_by_role("row", name="Requests made").get_by_role("cell").first.inner_text() == "2"


PAGES = [f"/es/loans/statistics/?year={YEAR}", f"/es/loans/statistics/country/PE/?year={YEAR}"]


@pytest.mark.parametrize("path", PAGES)
def test_marta_finds_no_serious_accessibility_violation_in_the_ill_statistics(page, live_server, year_of_loans, path):
    response = page.goto(live_server.url + path, wait_until="networkidle")
    assert response.status == 200
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"
