"""A library's keepers — its staff too — record its service points on its page and through the API; each write
is logged, and the reconciliation counts them."""

from django.utils import translation

from sirbi.core.changelog import history
from sirbi.registry.models import ServicePoint


def test_the_lima_librarian_adds_a_mobile_library_and_changes_its_hours(lima_library, librarian_lima, as_user):
    client = as_user(librarian_lima)
    page = client.get(f"/en/registry/libraries/{lima_library.pk}/").content.decode()
    assert f"/en/registry/libraries/{lima_library.pk}/service-points/new/" in page
    answer = client.post(f"/en/registry/libraries/{lima_library.pk}/service-points/new/", {
        "library": lima_library.pk, "kind": "mobile", "name": "Bibliobús del Rímac", "status": "open",
        "message": "nuevo bibliobús"})
    assert answer.status_code == 302
    point = ServicePoint.objects.get(name="Bibliobús del Rímac")
    assert point.library == lima_library and history(point).get().message == "nuevo bibliobús"
    answer = client.post(f"/en/registry/service-points/{point.pk}/edit/", {
        "kind": "mobile", "name": point.name, "status": "open", "opening_hours": "Sábados",
        "base_version": point.version})
    assert answer.status_code == 302
    point.refresh_from_db()
    assert point.opening_hours == "Sábados" and point.library == lima_library


def test_a_coordinator_of_chile_cannot_touch_lima_points_and_is_told_why(lima_library, coordinator_cl, as_user):
    point = ServicePoint.objects.create(library=lima_library, kind="branch", name="Filial de San Juan")
    client = as_user(coordinator_cl)
    with translation.override("en"):
        refused = client.get(f"/en/registry/service-points/{point.pk}/edit/")
    assert refused.status_code == 403
    assert "Your role covers Chile" in refused.content.decode() and "Peru" in refused.content.decode()
    assert client.post(f"/en/registry/service-points/{point.pk}/delete/", {"message": ""}).status_code == 403
    assert ServicePoint.objects.filter(pk=point.pk).exists()


def test_the_api_lists_points_by_country_and_creates_one(lima_library, librarian_lima, as_user, client):
    ServicePoint.objects.create(library=lima_library, kind="main", name="Sede central")
    rows = client.get("/api/v1/service-points/?country=pe").json()["results"]
    assert [row["name"] for row in rows] == ["Sede central"]
    answer = as_user(librarian_lima).post("/api/v1/service-points/", {
        "library": lima_library.pk, "kind": "reading_point", "name": "Punto de lectura del mercado"},
        content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert ServicePoint.objects.filter(library=lima_library).count() == 2
