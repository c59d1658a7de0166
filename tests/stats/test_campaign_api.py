"""Reporting through the API, with a token: the same rules as the form (scope, checks, submit, change log)."""

from sirbi.core.changelog import history
from sirbi.stats.models import Value
from tests.registry.test_api import token_client
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)


def test_a_coordinator_reports_with_a_token(coordinator_pe, campaign):  # noqa: F811
    client = token_client(coordinator_pe)
    url = f"/api/v1/campaigns/{campaign.pk}/figures/"
    assert [c["id"] for c in client.get("/api/v1/campaigns/").json()["results"]] == [campaign.pk]
    response = client.post(url, {"unit": "PE", "figures": [
        {"indicator": "libraries", "typology": "public", "value": 100},
        {"indicator": "libraries_internet", "typology": "public", "value": 120},
    ]}, format="json")
    assert response.status_code == 200, response.content
    figures = {f["indicator"]: f for f in response.json()}
    assert figures["libraries"]["status"] == "draft" and figures["libraries"]["source"] == "network"
    assert [flag["code"] for flag in figures["libraries_internet"]["flags"]] == ["part"]
    # Submitting without explaining the flag is refused with the reason; nothing changes.
    response = client.post(url, {"unit": "PE", "figures": [], "submit": True}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Explain" in response.json()["detail"]
    response = client.post(url, {"unit": "PE", "submit": True, "figures": [
        {"indicator": "libraries_internet", "typology": "public", "value": 120, "justification": "Counted twice.",
         "version": figures["libraries_internet"]["version"]}]}, format="json")
    assert {f["status"] for f in response.json()} == {"submitted"}
    value = Value.objects.get(campaign=campaign, indicator__code="libraries")
    assert history(value).filter(source="api").count() == 2
    assert client.get(url, {"unit": "PE"}).json()[0]["status"] == "submitted"


def test_the_api_refuses_another_country_and_the_public(client, coordinator_pe, campaign):  # noqa: F811
    url = f"/api/v1/campaigns/{campaign.pk}/figures/"
    response = token_client(coordinator_pe).post(url, {"unit": "CL", "figures": [
        {"indicator": "libraries", "typology": "public", "value": 5}]}, format="json")
    assert response.status_code == 403
    assert token_client(coordinator_pe).get(url, {"unit": "CL"}).status_code == 403
    assert client.post(url, {"unit": "PE", "figures": []}, content_type="application/json").status_code in (401, 403)
    assert client.get("/api/v1/campaigns/").status_code in (401, 403)
    assert not Value.objects.filter(campaign=campaign).exists()


def test_bad_figures_are_refused_whole(coordinator_pe, campaign):  # noqa: F811
    url = f"/api/v1/campaigns/{campaign.pk}/figures/"
    response = token_client(coordinator_pe).post(url, {"unit": "PE", "figures": [
        {"indicator": "libraries", "typology": "public", "value": 10},
        {"indicator": "visits", "typology": "public", "value": -1}]}, format="json", HTTP_ACCEPT_LANGUAGE="pt")
    # Messages follow the caller's language.
    assert response.status_code == 400 and "não pode ser negativa" in response.json()["detail"]
    assert not Value.objects.filter(campaign=campaign).exists()


def test_a_stored_figure_changes_only_with_the_version_read(coordinator_pe, campaign):  # noqa: F811
    client = token_client(coordinator_pe)
    url = f"/api/v1/campaigns/{campaign.pk}/figures/"
    figure = {"indicator": "visits", "typology": "public", "value": 100}
    assert client.post(url, {"unit": "PE", "figures": [figure]}, format="json").status_code == 200
    # Without the version read: 428, as for every API write; nothing changes.
    response = client.post(url, {"unit": "PE", "figures": [{**figure, "value": 150}]}, format="json")
    assert response.status_code == 428
    read = client.get(url, {"unit": "PE"}).json()[0]["version"]
    assert client.post(url, {"unit": "PE", "figures": [{**figure, "value": 150, "version": read}]},
                       format="json").status_code == 200
    # Someone changed it since that read: 409, and their figure stays.
    response = client.post(url, {"unit": "PE", "figures": [{**figure, "value": 170, "version": read}]},
                           format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "changed by someone else" in response.json()["detail"]
    assert Value.objects.get(campaign=campaign, indicator__code="visits").value == 150
