"""The REST API: open reads with filters and pages, writes for authorised tokens only."""

import pytest
from rest_framework.test import APIClient

from sirbi.core.changelog import history
from sirbi.core.models import ApiToken
from sirbi.registry.models import Library


def token_client(user):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user)}")
    return client


def test_member_countries_are_the_21(client):
    data = client.get("/api/v1/countries/", {"member": "true"}).json()
    assert data["count"] == 21
    assert {"count", "next", "previous", "results"} <= set(data)
    codes = {c["code"] for c in data["results"]}
    assert codes == set("AR BO BR CL CO CR CU DO EC SV ES GT HN MX NI PA PY PE PT UY VE".split())


def test_country_names_follow_the_request_language(client):
    assert client.get("/api/v1/countries/BR/", HTTP_ACCEPT_LANGUAGE="pt").json()["name"] == "Brasil"
    data = client.get("/api/v1/countries/es/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["name"] == "Spain" and data["name_es"] == "España" and data["alpha3"] == "ESP"


def test_libraries_filter_by_country_type_network_and_text(client, lima_library, cusco_library, buenos_aires_library):
    def names(**params):
        return {row["name"] for row in client.get("/api/v1/libraries/", params).json()["results"]}

    assert names(country="PE") == {lima_library.name, cusco_library.name}
    assert names(country="pe", network="pe-public") == {lima_library.name}
    assert names(type="popular") == {buenos_aires_library.name}
    assert names(q="cusco") == {cusco_library.name}
    row = client.get(f"/api/v1/libraries/{lima_library.pk}/").json()
    assert row["country"] == "PE" and row["networks"] == ["pe-public"] and row["isil"] == "PE-LIM01"


def test_subdivisions_and_networks_by_country(client):
    subdivisions = client.get("/api/v1/subdivisions/", {"country": "PE", "page_size": 100}).json()
    assert subdivisions["count"] >= 25
    assert all(row["code"].startswith("PE-") for row in subdivisions["results"])
    networks = client.get("/api/v1/networks/", {"country": "AR"}).json()["results"]
    assert {"ar-popular", "ar-public"} <= {n["code"] for n in networks}
    assert all(n["country"] == "AR" for n in networks)


def test_contacts_stay_private_in_the_api(client, coordinator_cl, pe_public):
    pe_public.contact_email = "red@example.pe"
    pe_public.save()
    assert "contact_email" not in client.get("/api/v1/networks/pe-public/").json()
    assert token_client(coordinator_cl).get("/api/v1/networks/pe-public/").json()["contact_email"] == "red@example.pe"


def test_geojson_of_libraries(client, lima_library, cusco_library):
    response = client.get("/api/v1/libraries/", {"country": "PE", "format": "geojson"})
    assert response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection" and data["count"] == 2
    lima = next(f for f in data["features"] if f["id"] == lima_library.pk)
    assert lima["geometry"] == {"type": "Point", "coordinates": [-77.04, -12.05]}
    assert lima["properties"]["isil"] == "PE-LIM01"
    cusco = next(f for f in data["features"] if f["id"] == cusco_library.pk)
    assert cusco["geometry"] is None


def test_a_coordinator_token_updates_a_library_of_their_country(coordinator_pe, lima_library):
    response = token_client(coordinator_pe).patch(f"/api/v1/libraries/{lima_library.pk}/",
                                                  {"phone": "01 222", "services": ["wifi"], "version": 1},
                                                  format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "01 222" and response.json()["services"] == ["wifi"]
    lima_library.refresh_from_db()
    assert lima_library.service_wifi and lima_library.networks.count() == 1
    assert history(lima_library).get().source == "api"


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_a_coordinator_token_is_refused_abroad(coordinator_pe, buenos_aires_library, method):
    client = token_client(coordinator_pe)
    response = getattr(client, method)(f"/api/v1/libraries/{buenos_aires_library.pk}/", {"phone": "x"}, format="json")
    assert response.status_code == 403
    assert Library.objects.filter(pk=buenos_aires_library.pk, phone="").exists()


def test_creating_abroad_or_anonymously_is_refused(coordinator_pe, argentina):
    body = {"name": "Intrusa", "country": "AR", "type": "public"}
    assert token_client(coordinator_pe).post("/api/v1/libraries/", body, format="json").status_code == 403
    assert token_client(None).post("/api/v1/libraries/", body, format="json").status_code in (401, 403)
    assert not Library.objects.filter(name="Intrusa").exists()


def test_creating_checks_the_same_rules_as_the_form(coordinator_pe, peru):
    client = token_client(coordinator_pe)
    bad = client.post("/api/v1/libraries/", {"name": "Nueva", "country": "PE", "type": "public", "isil": "CL-1",
                                             "longitude": 200, "latitude": 0}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"isil", "longitude"}
    good = client.post("/api/v1/libraries/", {"name": "Nueva", "country": "PE", "type": "public", "isil": "PE-NU1",
                                              "networks": ["pe-public"]}, format="json")
    assert good.status_code == 201, good.json()
    assert good.json()["networks"] == ["pe-public"]


def test_an_outdated_version_is_a_conflict(coordinator_pe, lima_library):
    client = token_client(coordinator_pe)
    assert client.patch(f"/api/v1/libraries/{lima_library.pk}/", {"phone": "1", "version": 1},
                        format="json").status_code == 200
    response = client.patch(f"/api/v1/libraries/{lima_library.pk}/", {"phone": "2", "version": 1}, format="json")
    assert response.status_code == 409
    lima_library.refresh_from_db()
    assert lima_library.phone == "1"


def test_the_change_log_is_for_members(client, coordinator_pe, lima_library):
    token_client(coordinator_pe).patch(f"/api/v1/libraries/{lima_library.pk}/", {"phone": "9", "version": 1},
                                       format="json")
    assert client.get("/api/v1/changes/").status_code in (401, 403)
    data = token_client(coordinator_pe).get("/api/v1/changes/", {"model": "registry.library"}).json()
    assert data["count"] == 1 and data["results"][0]["after"]["phone"] == "9"


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/libraries/" in schema["paths"] and "/api/v1/changes/" in schema["paths"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs and "/static/drf_spectacular_sidecar/" in docs
