"""One rule set for libraries (registry/rules.py): the edit form (pages), the API and the importer refuse the same
bad value with the same words.

Story: Peru's coordinator sends the same wrong library three ways — typed on the page, posted by a script, and
as a row of a file — and reads the same reason each time.
"""

import csv
import io

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from sirbi.core.models import ApiToken
from sirbi.registry.forms import LibraryForm
from sirbi.registry.imports import import_libraries
from sirbi.registry.models import Library

GOOD = {"name": "Biblioteca Municipal de Miraflores", "country": "PE", "type": "public", "status": "open",
        "isil": "PE-MIR01", "locality": "Miraflores", "latitude": "-12.12", "longitude": "-77.03",
        "email": "miraflores@example.org", "website": "https://miraflores.example.org", "networks": ""}

BAD = {
    "isil of another country": {"isil": "AR-MIR01"},
    "isil with a forbidden character": {"isil": "PE-MIR#1"},
    "isil too long": {"isil": "PE-12345678901234"},
    "subdivision of another country": {"subdivision": "CL-RM"},
    "network of another country": {"networks": "ar-popular"},
    "latitude out of range": {"latitude": "95"},
    "longitude out of range": {"longitude": "-180.5"},
    "latitude without longitude": {"longitude": ""},
    "name too long": {"name": "B" * 301},
    "a tag in the name": {"name": "Biblioteca <b>Miraflores</b>"},
    "an e-mail without domain": {"email": "miraflores@"},
    "a web address with a space": {"website": "https://mira flores.example.org"},
    "unknown type": {"type": "digital"},
    "unknown status": {"status": "abierta 24h"},
}


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def by_form(values, user, instance=None):
    data = {**values, "networks": [code for code in values["networks"].split("|") if code]}
    form = LibraryForm(data, instance=instance, user=user)
    assert not form.is_valid()
    return {field: list(messages) for field, messages in form.errors.items()}


def by_api(values, user, library=None):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user)}", HTTP_ACCEPT_LANGUAGE="en")
    data = {**values, "networks": [code for code in values["networks"].split("|") if code]}
    data = {name: (None if value == "" and name in ("latitude", "longitude") else value)
            for name, value in data.items()}
    if library is None:
        response = client.post("/api/v1/libraries/", data, format="json")
    else:
        response = client.patch(f"/api/v1/libraries/{library.pk}/", {**data, "version": library.version},
                                format="json")
    assert response.status_code == 400, response.content
    return response.json()


def by_import(values, user):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(values))
    writer.writeheader()
    writer.writerow(values)
    report = import_libraries(buffer.getvalue().encode(), "bibliotecas.csv", user=user)
    assert not report.applied
    messages = {}
    for column, message in report.rows[0].errors:
        messages.setdefault(column, []).append(message)
    return messages


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_a_bad_value_gets_the_same_message_by_every_door(coordinator_pe, change):
    values = {**GOOD, **change}
    state = list(Library.objects.values_list("pk", "version"))

    form, api, row = by_form(values, coordinator_pe), by_api(values, coordinator_pe), by_import(values, coordinator_pe)

    assert form == api == row and form
    assert list(Library.objects.values_list("pk", "version")) == state


def test_the_wordings_are_the_rules(coordinator_pe):
    values = {**GOOD, "subdivision": "CL-RM", "networks": "ar-popular", "latitude": "95"}
    assert by_import(values, coordinator_pe) == {
        "subdivision": ["Región Metropolitana de Santiago (CL-RM) is not a subdivision of Peru."],
        "networks": ["These networks belong to another country: ar-popular (AR)."],
        "latitude": ["95 is out of range (−90 to 90)."],
    }


def test_library_staff_may_not_change_memberships_by_any_door(librarian_lima, lima_library):
    values = {"isil": "", "name": lima_library.name, "country": "PE", "type": lima_library.type,
              "status": lima_library.status, "locality": lima_library.locality, "networks": ""}
    form = by_form(values, librarian_lima, instance=lima_library)
    api = by_api(values, librarian_lima, library=lima_library)
    row = by_import({**values, "isil": lima_library.isil}, librarian_lima)
    assert form == api == row == {"networks": [
        "Only the managers of a network and the coordinators of its country add libraries to it or take them out: "
        "pe-public."]}
    assert list(lima_library.networks.values_list("code", flat=True)) == ["pe-public"]
