"""Rosa Quispe, Peru's national coordinator, imports a spreadsheet of libraries from the web page.

Her first file has a bad row: the preview names the row and the column, and nothing is imported.
She corrects the file, sends it again, confirms, and the libraries are in the registry.
"""

import re

from sirbi.core.models import ChangeLog
from sirbi.registry.models import Library

from .conftest import axe_violations, describe, shot, sign_in

HEADER = "isil,name,country,subdivision,networks,type,locality,latitude,longitude,phone\n"
GOOD_ROW = "PE-ARQ07,Biblioteca Municipal de Arequipa,PE,PE-ARE,pe-public,public,Arequipa,-16.3988,-71.5369,\n"
BAD_ROW = "PE-TRU02,Biblioteca Escolar de Trujillo,PE,PE-LAL,,school,Trujillo,doce,-79.0290,044 20 1234\n"
FIXED_ROW = BAD_ROW.replace("doce", "-8.1116")


def csv_file(*rows, name="bibliotecas-peru.csv"):
    return {"name": name, "mimeType": "text/csv", "buffer": (HEADER + "".join(rows)).encode("utf-8")}


def upload(page, file):
    page.set_input_files("#id_file", file)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/es/registry/import/\d+/$"))


def test_rosa_imports_a_file_corrects_its_bad_row_and_confirms(page, live_server, rosa, registry, eager_jobs):
    base = live_server.url
    page.goto(base + "/es/registry/import/")
    sign_in(page, base, rosa)
    # The import is in the members' menu.
    page.locator('nav.main-nav a[href="/es/registry/import/"]').click()
    page.wait_for_url("**/es/registry/import/")
    # Only the networks she may add libraries to (Peru's), each named with its country: several countries
    # have a "Red Nacional de Bibliotecas Públicas".
    offered = page.locator("#id_network option").all_inner_texts()
    assert offered[1:] == ["Sistema Nacional de Bibliotecas (SNB) (Perú)"], offered

    upload(page, csv_file(GOOD_ROW, BAD_ROW))
    shot(page, "es-import-preview-errors")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    good, bad = rows.nth(0), rows.nth(1)
    assert good.locator("td").nth(0).inner_text() == "2"
    assert good.locator("td").nth(2).get_attribute("class") == "result-ok"
    assert bad.locator("td").nth(0).inner_text() == "3"
    assert bad.locator("td").nth(1).inner_text() == "Biblioteca Escolar de Trujillo"
    assert bad.locator("td").nth(2).get_attribute("class") == "result-error"
    error = bad.locator("td .error").inner_text()
    # "row 3, column latitude: “doce” is not a number." in the page's language (the column by code or label).
    assert re.search(r"\b3\b.*\blatitud.*doce", error), error
    assert page.locator("main p.error[role=alert]").count() == 1
    # Nothing to confirm, and nothing imported.
    assert page.locator("main form[method=post]").count() == 0
    assert not Library.objects.exists()
    assert not ChangeLog.objects.exists()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # She corrects the latitude and sends the file again.
    page.locator('main a[href="/es/registry/import/"]').click()
    page.wait_for_url("**/es/registry/import/")
    upload(page, csv_file(GOOD_ROW, FIXED_ROW))
    shot(page, "es-import-preview")
    assert [c.get_attribute("class") for c in page.locator("main table tbody tr td:nth-child(3)").all()] == [
        "result-ok", "result-ok"]
    assert page.locator("main .figures strong").all_inner_texts()[:2] == ["2", "0"]  # 2 new, 0 updated
    assert not Library.objects.exists(), "the preview must not import"
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/es/registry/import/\d+/$"))
    shot(page, "es-import-result")
    assert page.locator("main p.result-ok[role=status]").count() == 1
    assert page.locator("main form[method=post]").count() == 0  # no second confirmation

    # The libraries exist, with what the file said, in the change log as an import by Rosa.
    trujillo = Library.objects.get(isil="PE-TRU02")
    assert (trujillo.name, trujillo.type, trujillo.subdivision.code, trujillo.latitude, trujillo.phone) == (
        "Biblioteca Escolar de Trujillo", "school", "PE-LAL", -8.1116, "044 20 1234")
    arequipa = Library.objects.get(isil="PE-ARQ07")
    assert list(arequipa.networks.values_list("code", flat=True)) == ["pe-public"]
    assert set(ChangeLog.objects.values_list("object_id", "user_name", "source")) == {
        (trujillo.pk, "rosa", "import"), (arequipa.pk, "rosa", "import")}

    # The result links each row to its library page.
    page.locator(f'main table a[href="/es/registry/libraries/{trujillo.pk}/"]').click()
    page.wait_for_url(f"**/es/registry/libraries/{trujillo.pk}/")
    assert page.locator("h1").inner_text() == "Biblioteca Escolar de Trujillo"
    assert "044 20 1234" in page.locator("main dl.facts").first.inner_text()

    # The library's history says which file and row it came from, and leads to the import's page.
    history = page.locator("main .history")
    assert "desde bibliotecas-peru.csv, fila 3" in history.inner_text()
    history.locator("a", has_text="bibliotecas-peru.csv").click()
    page.wait_for_url(re.compile(r"/es/platform/changes/imports/\d+/$"))
    shot(page, "es-import-batch")
    assert "Biblioteca Escolar de Trujillo" in page.locator("main ol.changes").inner_text()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # She undoes the import: both libraries go, and their histories say so.
    with page.expect_navigation():
        page.get_by_role("button", name="Deshacer esta importación").click()
    assert "Se deshizo la importación" in page.locator("main").inner_text()
    assert not Library.objects.filter(isil__in=["PE-TRU02", "PE-ARQ07"]).exists()
    assert ChangeLog.objects.filter(object_id=trujillo.pk, action="delete", source="undo").exists()
