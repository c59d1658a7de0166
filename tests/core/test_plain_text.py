"""Plain text fields refuse HTML tags when typed, through every door a non-secretariat role has: the page
forms, the API, the library importer and the campaign figures (core.markup.validate_plain_text, one rule)."""

import pytest
from django.utils import translation

from sirbi.registry.imports import import_libraries
from sirbi.registry.models import Country, Library, Network
from sirbi.stats.models import Value
from tests.cooperation.test_agenda import form as activity_form
from tests.cooperation.test_agenda import url as cooperation_url
from tests.registry.test_api import token_client
from tests.registry.test_imports import HEADER, MIRAFLORES, csv_bytes
from tests.registry.test_pages import library_form
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)

SCRIPT = "</script><script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("field", ["name", "locality", "address", "postal_code", "phone", "description"])
def test_librarian_cannot_type_tags_in_their_library_page(as_user, librarian_lima, lima_library, field):
    response = as_user(librarian_lima).post(f"/en/registry/libraries/{lima_library.pk}/edit/",
                                            library_form(lima_library, **{field: "<b>1</b>"}))
    assert response.status_code == 400
    assert "HTML is not allowed here" in response.content.decode()
    assert Library.objects.get(pk=lima_library.pk).version == lima_library.version


def test_the_change_log_note_refuses_tags_too(as_user, librarian_lima, lima_library):
    response = as_user(librarian_lima).post(f"/en/registry/libraries/{lima_library.pk}/edit/",
                                            library_form(lima_library, phone="01 222", message=SCRIPT))
    assert response.status_code == 400 and "HTML is not allowed here" in response.content.decode()
    assert Library.objects.get(pk=lima_library.pk).phone == ""


@pytest.mark.parametrize("field", ["name", "address", "description"])
def test_the_api_refuses_tags_in_a_library(coordinator_pe, lima_library, field):
    response = token_client(coordinator_pe).patch(f"/api/v1/libraries/{lima_library.pk}/",
                                                  {field: SCRIPT, "version": lima_library.version},
                                                  format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and field in response.json()
    assert Library.objects.get(pk=lima_library.pk).version == lima_library.version


@pytest.mark.parametrize("field", ["name", "acronym", "governing_entity", "legal_framework", "description",
                                   "contact_name", "contact_role", "contact_phone"])
def test_a_network_manager_cannot_put_tags_in_their_network(network_manager_pe, pe_public, field):
    response = token_client(network_manager_pe).patch(f"/api/v1/networks/{pe_public.code}/",
                                                      {field: IMAGE, "version": pe_public.version},
                                                      format="json")
    assert response.status_code == 400 and field in response.json()
    assert Network.objects.get(pk=pe_public.pk).version == pe_public.version


def test_a_coordinator_cannot_put_tags_in_the_focal_point(as_user, coordinator_pe, peru):
    response = as_user(coordinator_pe).post("/en/registry/countries/PE/edit/", {
        "focal_point_entity": f"Ministerio {IMAGE}", "focal_point_name": "Ana", "base_version": peru.version})
    assert response.status_code == 400 and "HTML is not allowed here" in response.content.decode()
    assert Country.objects.get(pk=peru.pk).focal_point_entity == peru.focal_point_entity


@pytest.mark.parametrize("column", ["name", "locality"])
def test_the_library_importer_refuses_tags_by_row_and_column(coordinator_pe, column):
    row = list(MIRAFLORES)
    row[HEADER.index(column)] = f"Miraflores {SCRIPT}"
    with translation.override("en"):
        report = import_libraries(csv_bytes([row]), "bibliotecas.csv", user=coordinator_pe)
    assert not report.applied and not Library.objects.filter(isil="PE-MIR01").exists()
    [problem] = report.error_rows
    assert problem.line == 2 and [c for c, _m in problem.errors] == [column]
    assert "HTML is not allowed here" in problem.errors[0][1]


def test_the_importer_takes_a_lone_less_than_sign(coordinator_pe):
    row = list(MIRAFLORES)
    row[HEADER.index("name")] = "Biblioteca <3 de Miraflores"
    assert import_libraries(csv_bytes([row]), "bibliotecas.csv", user=coordinator_pe).applied
    assert Library.objects.get(isil="PE-MIR01").name == "Biblioteca <3 de Miraflores"


@pytest.mark.parametrize("field", ["note", "justification"])
def test_campaign_figures_refuse_tags_in_notes(coordinator_pe, campaign, field):  # noqa: F811
    figures = [{"indicator": "libraries", "typology": "public", "value": 10, field: IMAGE}]
    response = token_client(coordinator_pe).post(f"/api/v1/campaigns/{campaign.pk}/figures/",
                                                 {"unit": "PE", "figures": figures}, format="json",
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "HTML is not allowed here" in response.json()["detail"]
    assert not Value.objects.filter(campaign=campaign).exists()


def test_agenda_activities_refuse_tags(as_user, coordinator_pe):
    response = as_user(coordinator_pe).post(cooperation_url("activity-new"), activity_form(title=f"Feria {SCRIPT}"),
                                            HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "HTML is not allowed here" in response.content.decode()
