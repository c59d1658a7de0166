"""Service points come in a file of their own: Peru's coordinator sends the branches and mobile libraries of Lima's
municipal library as a spreadsheet, reads a bad row named by line and column, fixes it, imports, and undoes it;
the same bad value is refused with the same words on the page, through the API and in the file."""

import csv
import io

import pytest
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from sirbi.core.batches import undo_batch
from sirbi.core.changelog import history
from sirbi.core.models import ApiToken, ImportBatch
from sirbi.registry.forms import ServicePointForm
from sirbi.registry.imports import import_service_points
from sirbi.registry.models import ServicePoint
from sirbi.stats.reconciliation import reconcile


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def sheet(*rows, header=("library", "kind", "name", "address", "locality", "latitude", "longitude",
                         "opening_hours", "status")):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


LIMA_POINTS = [
    ("PE-LIM01", "main", "Sede central", "Jr. de la Unión 300", "Lima", "-12,046", "-77,030", "L-V 9-18", ""),
    ("pe-lim01", "Branch", "Filial Rímac", "Av. Trujillo 200", "Rímac", "-12.03", "-77.03", "", "open"),
    ("PE-LIM01", "mobile", "Bibliobús del Rímac", "", "Rímac", "", "", "Sábados", ""),
]


def test_the_coordinator_imports_lima_points_and_undoes_them(coordinator_pe, lima_library):
    bad = sheet(*LIMA_POINTS[:2], ("PE-LIM01", "mobile", "Bibliobús", "", "", "95", "-77", "", ""),
                ("PE-XXX99", "branch", "Filial fantasma", "", "", "", "", "", ""))
    report = import_service_points(bad, "puntos.csv", user=coordinator_pe)
    assert not report.applied and not ServicePoint.objects.exists()
    assert report.messages() == [
        "puntos.csv, row 4, column latitude: 95 is out of range (−90 to 90).",
        "puntos.csv, row 5, column library: no registered library has the ISIL (or number) “PE-XXX99”.",
    ]

    report = import_service_points(sheet(*LIMA_POINTS[:2], ("PE-LIM01", "mobile", "Bibliobús del Rímac", "", "Rímac",
                                                            "", "", "Sábados", "")),
                                   "puntos.csv", user=coordinator_pe, message="sedes de Lima")
    assert report.applied and report.summary()["create"] == 3
    points = {p.name: p for p in lima_library.service_points.all()}
    assert points["Sede central"].kind == "main" and points["Sede central"].latitude == -12.046
    assert points["Filial Rímac"].kind == "branch" and points["Bibliobús del Rímac"].opening_hours == "Sábados"
    entry = history(points["Filial Rímac"]).get()
    assert entry.batch_id == report.batch_id and entry.row == 3
    # The reconciliation counts them at once: one public library of Peru, three service points.
    public = next(line for line in reconcile([lima_library.country])["PE"] if line.lmw_type == "public")
    assert (public.units, public.points) == (1, 3)

    undo_batch(ImportBatch.objects.get(pk=report.batch_id), user=coordinator_pe)
    assert not ServicePoint.objects.exists()

    # Imported again; then a file that changes one opening updates that point only, and its undo restores it.
    import_service_points(sheet(*LIMA_POINTS), "puntos.csv", user=coordinator_pe)
    again = import_service_points(sheet(("PE-LIM01", "main", "Sede central", "Jr. de la Unión 300", "Lima",
                                         "-12.046", "-77.03", "L-S 9-18", "")),
                                  "puntos.csv", user=coordinator_pe)
    assert again.summary()["update"] == 1
    assert ServicePoint.objects.get(name="Sede central").opening_hours == "L-S 9-18"
    same = import_service_points(sheet(LIMA_POINTS[1]), "puntos.csv", user=coordinator_pe)
    assert same.summary()["unchanged"] == 1 and same.batch_id is None
    undo_batch(ImportBatch.objects.get(pk=again.batch_id), user=coordinator_pe)
    assert ServicePoint.objects.get(name="Sede central").opening_hours == "L-V 9-18"


def test_a_coordinator_of_chile_may_not_import_lima_points(coordinator_cl, lima_library):
    report = import_service_points(sheet(LIMA_POINTS[0]), "puntos.csv", user=coordinator_cl)
    assert not report.applied and not ServicePoint.objects.exists()
    (message,) = report.messages()
    assert message.startswith("puntos.csv, row 2, column library: ") and "Chile" in message


def test_the_lima_librarian_imports_points_of_her_library_with_the_command(librarian_lima, lima_library, tmp_path):
    path = tmp_path / "puntos.csv"
    path.write_bytes(sheet(*LIMA_POINTS))
    out = io.StringIO()
    call_command("import_libraries", str(path), "--service-points", "--user", librarian_lima.username, stdout=out)
    assert "3 new" in out.getvalue()
    assert lima_library.service_points.count() == 3


def test_a_file_without_the_library_column_is_refused_by_its_header(coordinator_pe, lima_library):
    report = import_service_points(sheet(("main", "Sede"), header=("kind", "name")), "puntos.csv",
                                   user=coordinator_pe)
    assert report.problem == "puntos.csv, line 1: required columns are missing: library."


def test_the_web_page_imports_service_points_and_offers_their_template(coordinator_pe, lima_library, as_user,
                                                                       settings, tmp_path):
    settings.JOBS_EAGER = True
    settings.UPLOAD_DIR = tmp_path / "uploads"
    client = as_user(coordinator_pe)
    template = client.get("/en/registry/import/template.csv?holds=service_points")
    assert template.content.decode("utf-8-sig").splitlines()[0] == (
        "library (ISIL),kind,name,address,locality,latitude,longitude,opening hours,status")
    xlsx = client.get("/es/registry/import/template.xlsx?holds=service_points")
    assert xlsx.status_code == 200 and "service-points" in xlsx["Content-Disposition"]
    upload = io.BytesIO(sheet(*LIMA_POINTS))
    upload.name = "puntos.csv"
    preview = client.post("/en/registry/import/", {"file": upload, "holds": "service_points"}, follow=True)
    assert "Filial Rímac" in preview.content.decode() and not ServicePoint.objects.exists()
    confirmed = client.post(preview.redirect_chain[-1][0], follow=True)
    assert confirmed.status_code == 200
    assert sorted(lima_library.service_points.values_list("name", flat=True)) == [
        "Bibliobús del Rímac", "Filial Rímac", "Sede central"]


# One rule set: the form (pages), the API and the file refuse the same bad value with the same words.
GOOD = {"kind": "branch", "name": "Filial Rímac", "address": "", "locality": "Rímac", "latitude": "-12.03",
        "longitude": "-77.03", "opening_hours": "", "status": "open"}
BAD = {
    "unknown kind": {"kind": "tren"},
    "unknown status": {"status": "abierta 24h"},
    "latitude out of range": {"latitude": "95"},
    "latitude without longitude": {"longitude": ""},
    "a tag in the name": {"name": "Filial <b>Rímac</b>"},
    "name too long": {"name": "F" * 301},
    "no name": {"name": ""},
}


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_a_bad_service_point_gets_the_same_message_by_every_door(coordinator_pe, lima_library, change):
    values = {**GOOD, **change}
    form = ServicePointForm({**values, "library": lima_library.pk}, user=coordinator_pe)
    assert not form.is_valid()
    by_form = {field: list(messages) for field, messages in form.errors.items()}

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(coordinator_pe)}", HTTP_ACCEPT_LANGUAGE="en")
    body = {name: (None if value == "" and name in ("latitude", "longitude") else value)
            for name, value in values.items()}
    answer = client.post("/api/v1/service-points/", {**body, "library": lima_library.pk}, format="json")
    assert answer.status_code == 400, answer.content
    by_api = answer.json()

    report = import_service_points(sheet(("PE-LIM01", *values.values()), header=("library", *values)),
                                   "puntos.csv", user=coordinator_pe)
    by_import = {}
    for column, message in report.rows[0].errors:
        by_import.setdefault(column, []).append(message)

    assert by_form == by_api == by_import and by_form
    assert not ServicePoint.objects.exists()
