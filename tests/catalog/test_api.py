from rest_framework.test import APIClient

from sirbi.catalog.models import Record


def test_search_api_gives_clusters_with_their_libraries_and_facets(catalog):
    data = APIClient().get("/api/v1/catalog/search/", {"q": "pragmatic programmer"}).json()
    assert data["count"] == 1
    cluster = data["results"][0]
    assert cluster["representative"]["title"].startswith("The pragmatic programmer")
    assert {(lib["isil"], lib["country"]) for lib in cluster["libraries"]} == {("PE-LIM01", "PE"),
                                                                               ("AR-BAP01", "AR")}
    assert {f["value"] for f in data["facets"]["country"]} == {"PE", "AR"}
    narrowed = APIClient().get("/api/v1/catalog/search/", {"q": "", "country": "AR", "material": "sound"}).json()
    assert [c["representative"]["title"] for c in narrowed["results"]] == ["The Great Ray Charles"]
    assert APIClient().get("/api/v1/catalog/search/", {"q": "year:soon"}).status_code == 400


def test_clusters_records_holdings_and_sources(catalog):
    client = APIClient()
    record = Record.objects.filter(title__startswith="The pragmatic").first()
    assert client.get(f"/api/v1/catalog/clusters/{record.cluster_id}/").json()["records"]
    assert client.get(f"/api/v1/catalog/records/{record.pk}/").json()["isbns"] == ["9780201616224"]
    assert client.get("/api/v1/catalog/holdings/", {"record": record.pk}).json()["count"] == 1
    assert {s["code"] for s in client.get("/api/v1/catalog/sources/").json()["results"]} == {"lima", "palermo"}
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/catalog/search/" in paths and "/api/v1/catalog/clusters/" in paths
