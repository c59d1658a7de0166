"""The registry's pages as people meet them: read by anyone, edited by the roles scoped to each object."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sirbi.core.changelog import history
from sirbi.registry.models import Library


def library_form(library, **changes):
    data = {
        "name": library.name, "isil": library.isil or "", "country": library.country.code,
        "subdivision": "", "type": library.type, "status": library.status, "locality": library.locality,
        "address": "", "postal_code": "", "latitude": library.latitude or "", "longitude": library.longitude or "",
        "website": "", "email": "", "phone": "", "description": "", "base_version": library.version, "message": "",
        "networks": [n.code for n in library.networks.all()],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_anyone_reads_the_country_page(client, peru, pe_public, lima_library):
    response = client.get("/es/registry/countries/PE/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Perú" in page and pe_public.name in page


def test_contacts_are_for_signed_in_members(client, as_user, coordinator_cl, pe_public):
    pe_public.contact_email = "red@example.pe"
    pe_public.save()
    assert "red@example.pe" not in client.get("/en/registry/networks/pe-public/").content.decode()
    assert "red@example.pe" in as_user(coordinator_cl).get("/en/registry/networks/pe-public/").content.decode()


def test_the_library_list_filters_and_pages(client, lima_library, cusco_library, buenos_aires_library):
    page = client.get("/en/registry/libraries/", {"country": "PE"}).content.decode()
    assert "Biblioteca Municipal de Lima" in page and "Biblioteca de Cusco" in page
    assert "Palermo" not in page
    page = client.get("/en/registry/libraries/", {"q": "cusco"}).content.decode()
    assert "Biblioteca de Cusco" in page and "Biblioteca Municipal de Lima" not in page
    page = client.get("/en/registry/libraries/", {"network": "pe-public"}).content.decode()
    assert "Biblioteca Municipal de Lima" in page and "Biblioteca de Cusco" not in page
    page = client.get("/en/registry/libraries/", {"type": "popular"}).content.decode()
    assert "Palermo" in page and "Cusco" not in page


def test_free_text_ignores_case_and_accents(client, peru):
    Library.objects.create(name="Biblioteca de Educación Rural", country=peru, type="school", locality="Puno")
    assert "Educación Rural" in client.get("/es/registry/libraries/", {"q": "EDUCACION"}).content.decode()


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_rows(client, peru, pe_public):
    def add_libraries(count):
        for n in range(count):
            library = Library.objects.create(name=f"Biblioteca {n}", country=peru, type="public", locality="Lima")
            library.networks.add(pe_public)

    pages = [("/es/registry/libraries/", None), ("/es/registry/libraries/", {"country": "PE", "type": "public"}),
             ("/api/v1/libraries/", {"country": "PE", "type": "public"}), ("/es/registry/networks/", None),
             ("/es/registry/countries/PE/", None), ("/es/", None)]
    add_libraries(3)
    few = [count_queries(client, url, params) for url, params in pages]
    add_libraries(60)
    many = [count_queries(client, url, params) for url, params in pages]
    assert few == many
    assert max(many) <= 10


def test_a_coordinator_edits_a_library_of_their_country(as_user, coordinator_pe, lima_library):
    response = as_user(coordinator_pe).post(f"/es/registry/libraries/{lima_library.pk}/edit/",
                                            library_form(lima_library, phone="01 4567", message="new phone"))
    assert response.status_code == 302, response.content.decode()[:2000]
    lima_library.refresh_from_db()
    assert lima_library.phone == "01 4567"
    entry = history(lima_library).get()
    assert entry.user_name == "coord_pe" and entry.message == "new phone" and entry.source == "web"


def test_the_edit_page_starts_from_the_stored_choices(as_user, coordinator_pe, lima_library):
    """Country, subdivision and networks are chosen by code: the form must show the stored ones selected."""
    lima_library.subdivision = lima_library.country.subdivisions.get(code="PE-LIM")
    lima_library.save()
    page = as_user(coordinator_pe).get(f"/en/registry/libraries/{lima_library.pk}/edit/").content.decode()
    assert re.search(r'<option value="PE" selected>', page)
    assert re.search(r'<option value="PE-LIM" selected>', page)
    assert re.search(r'value="pe-public"[^>]*checked', page)


def test_a_coordinator_cannot_touch_another_country(as_user, coordinator_pe, buenos_aires_library):
    client = as_user(coordinator_pe)
    url = f"/es/registry/libraries/{buenos_aires_library.pk}/edit/"
    assert client.get(url).status_code == 403
    assert client.post(url, library_form(buenos_aires_library, phone="x")).status_code == 403
    assert client.post(f"/es/registry/libraries/{buenos_aires_library.pk}/delete/").status_code == 403
    assert client.post("/es/registry/countries/AR/edit/", {"focal_point_entity": "x"}).status_code == 403
    buenos_aires_library.refresh_from_db()
    assert buenos_aires_library.phone == ""
    refused = client.get(url.replace("/es/", "/en/")).content.decode()
    assert '<html lang="en">' in refused
    assert f"Your role covers Peru; {buenos_aires_library} is in Argentina." in refused


def test_a_missing_page_keeps_the_layout(client):
    response = client.get("/pt/registry/libraries/999999/")
    assert response.status_code == 404
    assert '<html lang="pt">' in response.content.decode() and "Página não encontrada" in response.content.decode()


def test_a_coordinator_cannot_move_a_library_abroad(as_user, coordinator_pe, lima_library):
    response = as_user(coordinator_pe).post(f"/es/registry/libraries/{lima_library.pk}/edit/",
                                            library_form(lima_library, country="AR", isil="", networks=[]))
    assert response.status_code in (400, 403)
    lima_library.refresh_from_db()
    assert lima_library.country.code == "PE"


def test_a_coordinator_cannot_create_a_library_abroad(as_user, coordinator_pe, argentina):
    client = as_user(coordinator_pe)
    response = client.post("/es/registry/libraries/new/", {"name": "Intrusa", "country": "AR", "type": "public",
                                                            "status": "open"})
    assert response.status_code in (400, 403)
    assert not Library.objects.filter(name="Intrusa").exists()


def test_a_coordinator_creates_a_library_with_checked_fields(as_user, coordinator_pe, peru):
    client = as_user(coordinator_pe)
    bad = client.post("/en/registry/libraries/new/", {"name": "Nueva", "country": "PE", "type": "public",
                                                      "status": "open", "isil": "AR-X1", "latitude": "95",
                                                      "networks": ["ar-popular"]})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "is not the library" in page  # ISIL prefix of another country
    assert "is out of range (−90 to 90)" in page
    assert "belong to another country" in page
    good = client.post("/en/registry/libraries/new/", {"name": "Nueva", "country": "PE", "type": "public",
                                                       "status": "open", "isil": "PE-NUE1", "networks": ["pe-public"],
                                                       "services": ["internet", "children"]})
    assert good.status_code == 302
    library = Library.objects.get(isil="PE-NUE1")
    assert library.service_internet and library.service_children and not library.service_wifi
    assert history(library).get().action == "create"


def test_isils_are_unique_without_regard_to_case(as_user, coordinator_pe, lima_library):
    response = as_user(coordinator_pe).post("/en/registry/libraries/new/", {
        "name": "Otra", "country": "PE", "type": "public", "status": "open", "isil": "pe-lim01"})
    assert response.status_code == 400
    assert "already has the ISIL" in response.content.decode()


def test_the_second_editor_sees_a_conflict(as_user, coordinator_pe, secretary, lima_library):
    form = library_form(lima_library)
    assert as_user(secretary).post(f"/en/registry/libraries/{lima_library.pk}/edit/",
                                   dict(form, phone="111")).status_code == 302
    response = as_user(coordinator_pe).post(f"/en/registry/libraries/{lima_library.pk}/edit/", dict(form, phone="222"))
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    lima_library.refresh_from_db()
    assert lima_library.phone == "111"


def test_library_staff_edit_their_library_only(as_user, librarian_lima, lima_library, cusco_library):
    client = as_user(librarian_lima)
    assert client.post(f"/en/registry/libraries/{lima_library.pk}/edit/",
                       library_form(lima_library, email="lima@example.pe")).status_code == 302
    assert client.post(f"/en/registry/libraries/{cusco_library.pk}/edit/",
                       library_form(cusco_library, email="x@example.pe")).status_code == 403
    assert client.get("/en/registry/libraries/new/").status_code == 403


def test_visitors_are_sent_to_log_in(client, lima_library):
    response = client.get(f"/es/registry/libraries/{lima_library.pk}/edit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_writes_need_the_csrf_token(coordinator_pe, lima_library):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator_pe)
    response = client.post(f"/es/registry/libraries/{lima_library.pk}/edit/", library_form(lima_library, phone="1"))
    assert response.status_code == 403
    lima_library.refresh_from_db()
    assert lima_library.phone == ""


def test_the_change_log_page_filters_and_exports(as_user, coordinator_pe, lima_library, client):
    as_user(coordinator_pe).post(f"/es/registry/libraries/{lima_library.pk}/edit/",
                                 library_form(lima_library, phone="01 999"))
    member = as_user(coordinator_pe)
    page = member.get("/en/platform/changes/", {"country": "PE"}).content.decode()
    assert "Biblioteca Municipal de Lima" in page and "01 999" in page
    assert "Biblioteca Municipal de Lima" not in member.get("/en/platform/changes/", {"country": "AR"}).content.decode()
    csv_text = member.get("/en/platform/changes/", {"export": "csv"}).content.decode()
    assert csv_text.startswith("id,time,user_name") and "coord_pe" in csv_text
    assert client.get("/en/platform/changes/").status_code == 302  # visitors log in first


def test_a_network_is_deleted_only_when_empty(as_user, coordinator_pe, pe_public, lima_library):
    client = as_user(coordinator_pe)
    client.post("/en/registry/networks/pe-public/delete/")
    assert type(pe_public).objects.filter(pk=pe_public.pk).exists()
    lima_library.networks.clear()
    client.post("/en/registry/networks/pe-public/delete/")
    assert not type(pe_public).objects.filter(pk=pe_public.pk).exists()
