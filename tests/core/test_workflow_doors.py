"""Workflows are the only doors to their fields (issue #12, item 4): moderation, review and network membership
cannot be bypassed through the admin, the API or an import."""

import json

from django.utils import translation
from rest_framework.test import APIClient

from sirbi.cooperation.alliances import services as alliances
from sirbi.cooperation.models import GoodPractice
from sirbi.core.changelog import save_object
from sirbi.core.models import ApiToken, ChangeLog
from sirbi.registry.imports import import_libraries
from sirbi.registry.models import Library, Network
from sirbi.stats.models import Indicator, Value
from tests.registry.test_imports import csv_bytes
from tests.registry.test_pages import library_form


def staff(user):
    user.is_staff = True
    user.save()
    return user


def practice_form(practice, **changes):
    data = {"title": practice.title, "summary": practice.summary, "country": practice.country_id, "network": "",
            "library": practice.library_id or "", "sdgs": json.dumps(practice.sdgs), "link": "",
            "status": practice.status, "moderation_note": "", "base_version": practice.version, "message": ""}
    data.update(changes)
    return data


def test_a_coordinator_cannot_publish_a_practice_in_the_admin(as_user, coordinator_pe, librarian_lima, peru,
                                                              lima_library):
    practice = alliances.share(GoodPractice(title="Cuentos en el mercado", summary="Lectura", country=peru,
                                            library=lima_library), librarian_lima, themes=[])
    entries = ChangeLog.objects.count()
    client = as_user(staff(coordinator_pe))
    page = client.get(f"/en/admin/cooperation/goodpractice/{practice.pk}/change/").content.decode()
    assert 'name="status"' not in page  # shown, not offered
    client.post(f"/en/admin/cooperation/goodpractice/{practice.pk}/change/",
                practice_form(practice, status="published", moderation_note="ok"))
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.SUBMITTED and practice.moderation_note == ""
    assert ChangeLog.objects.count() == entries
    assert not alliances.visible_practices(None).filter(pk=practice.pk).exists()


def test_a_published_practice_is_not_rewritten_in_the_admin_by_its_scope(as_user, coordinator_pe, secretary,
                                                                         librarian_lima, peru, lima_library):
    practice = alliances.share(GoodPractice(title="Leer en la playa", summary="Lectura", country=peru,
                                            library=lima_library), librarian_lima, themes=[])
    alliances.moderate(practice, secretary, publish=True)
    practice.refresh_from_db()
    response = as_user(staff(coordinator_pe)).post(f"/en/admin/cooperation/goodpractice/{practice.pk}/change/",
                                                   practice_form(practice, title="Texto no leído"))
    assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.title == "Leer en la playa"


def test_the_secretariat_moderates_on_the_practice_page_not_in_the_admin(as_user, secretary, librarian_lima, peru,
                                                                        lima_library):
    practice = alliances.share(GoodPractice(title="Club de lectura", summary="x", country=peru, library=lima_library),
                               librarian_lima, themes=[])
    client = as_user(staff(secretary))
    client.post(f"/en/admin/cooperation/goodpractice/{practice.pk}/change/", practice_form(practice,
                                                                                          status="published"))
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.SUBMITTED  # no note to the author, no publication
    client.post(f"/en/cooperation/practices/{practice.pk}/moderate/", {"decision": "publish"})
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.PUBLISHED


def test_a_coordinator_cannot_change_a_figures_status_in_the_admin(as_user, coordinator_pe, peru):
    value = save_object(Value(indicator=Indicator.objects.get(code="visits"), country=peru, year=2031, value=7,
                              source="network"), user=coordinator_pe)
    response = as_user(staff(coordinator_pe)).post(f"/en/admin/stats/value/{value.pk}/change/", {
        "indicator": value.indicator_id, "typology": value.typology, "country": peru.pk, "year": 2031,
        "value": 7, "source": "network", "method": value.method, "status": "published", "flags": "[]"})
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.status == "draft"


def test_library_staff_keep_their_library_in_its_network_on_the_page(as_user, librarian_lima, lima_library,
                                                                     pe_public):
    response = as_user(librarian_lima).post(f"/en/registry/libraries/{lima_library.pk}/edit/",
                                            library_form(lima_library, networks=[], phone="01 222"))
    assert response.status_code == 400
    assert "Only the managers of a network and the coordinators of its country" in response.content.decode()
    lima_library.refresh_from_db()
    assert list(lima_library.networks.all()) == [pe_public] and lima_library.phone == ""


def test_library_staff_keep_their_library_in_its_network_in_the_api(librarian_lima, lima_library, pe_public):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(librarian_lima)}")
    response = client.patch(f"/api/v1/libraries/{lima_library.pk}/", {"networks": [], "version": lima_library.version},
                            format="json")
    assert response.status_code == 400
    assert "networks" in response.json()
    assert list(lima_library.networks.all()) == [pe_public]
    assert client.patch(f"/api/v1/libraries/{lima_library.pk}/", {"phone": "01 333", "version": lima_library.version},
                        format="json").status_code == 200


def test_library_staff_keep_their_library_in_its_network_in_an_import(librarian_lima, lima_library, pe_public):
    row = [lima_library.isil, lima_library.name, "PE", "", "", "public", "open", "Lima", "", "", ""]
    with translation.override("en"):
        report = import_libraries(csv_bytes([row]), "lima.csv", user=librarian_lima)
    assert not report.applied
    assert any("Only the managers of a network" in message for message in report.messages())
    assert list(lima_library.networks.all()) == [pe_public]


def test_managers_and_coordinators_decide_memberships(as_user, network_manager_pe, coordinator_pe, lima_library,
                                                      pe_public):
    school = Network.objects.create(code="pe-school", name="Red de bibliotecas escolares", country=pe_public.country,
                                    type="school")
    # The network's manager may not put the library in another network; the country's coordinator may.
    response = as_user(network_manager_pe).post(f"/en/registry/libraries/{lima_library.pk}/edit/",
                                                library_form(lima_library, networks=[pe_public.code, school.code]))
    assert response.status_code == 400
    assert as_user(coordinator_pe).post(f"/en/registry/libraries/{lima_library.pk}/edit/", library_form(
        lima_library, networks=[pe_public.code, school.code])).status_code == 302
    assert set(Library.objects.get(pk=lima_library.pk).networks.all()) == {pe_public, school}
