"""API writes: the shape of each field and the version they are based on, checked once for every writable
endpoint (core.api.FormWriteMixin: libraries, networks, countries, roadmap actions, partnership agreements).

Story: Peru's coordinator keeps Lima's library up to date from a script.
"""

import pytest
from rest_framework.test import APIClient

from sirbi.core.models import ApiToken
from sirbi.registry.models import Library


@pytest.fixture
def script(coordinator_pe):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(coordinator_pe)}")
    return client


def url(library):
    return f"/api/v1/libraries/{library.pk}/"


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_change_without_the_version_read_is_refused(script, lima_library, method):
    response = getattr(script, method)(url(lima_library), {"phone": "01 999", "name": "Otra"}, format="json")
    assert response.status_code == 428
    assert "version" in response.json()["detail"] and "If-Match" in response.json()["detail"]
    lima_library.refresh_from_db()
    assert lima_library.phone == "" and lima_library.version == 1


def test_a_read_sends_an_etag_that_if_match_takes_back(script, lima_library):
    read = script.get(url(lima_library))
    assert read["ETag"] == '"1"'
    changed = script.patch(url(lima_library), {"phone": "01 999"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    stale = script.patch(url(lima_library), {"phone": "01 000"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    lima_library.refresh_from_db()
    assert lima_library.phone == "01 999"


def test_a_list_where_a_string_is_expected_is_refused_by_name(script, lima_library):
    response = script.patch(url(lima_library), {"name": ["Biblioteca", "Otra"], "phone": {"n": 1}, "version": 1},
                            format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "phone"}
    lima_library.refresh_from_db()
    assert lima_library.name == "Biblioteca Municipal de Lima" and lima_library.version == 1


def test_a_string_where_a_list_is_expected_is_refused_by_name(script, lima_library):
    response = script.patch(url(lima_library), {"networks": "pe-public", "services": "wifi", "version": 1},
                            format="json")
    assert response.status_code == 400 and set(response.json()) == {"networks", "services"}


@pytest.mark.parametrize("body", ["null", "[]", '"Lima"', "42"])
def test_a_body_that_is_not_an_object_is_refused(script, lima_library, body):
    response = script.generic("PATCH", url(lima_library), body, content_type="application/json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    response = script.generic("POST", "/api/v1/libraries/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_version_that_is_not_a_number_is_named(script, lima_library):
    response = script.patch(url(lima_library), {"phone": "1", "version": "abc"}, format="json")
    assert response.status_code == 400 and "version" in response.json()



def test_a_deletion_names_the_version_it_was_decided_on(script, lima_library):
    assert script.delete(url(lima_library)).status_code == 428
    assert script.delete(url(lima_library), {"version": 7}, format="json").status_code == 409
    assert script.delete(url(lima_library), HTTP_IF_MATCH='"7"').status_code == 412
    assert Library.objects.filter(pk=lima_library.pk).exists()
    assert script.delete(url(lima_library), HTTP_IF_MATCH='"1"').status_code == 204
    assert not Library.objects.filter(pk=lima_library.pk).exists()
