import re

from django.urls import reverse
from django.utils import translation

from sirbi.catalog.models import Record, Source


def url(name, *args):
    with translation.override("en"):
        return reverse(f"catalog:{name}", args=args)


def test_search_page_results_facets_and_filters(catalog, as_user):
    body = as_user(None).get(url("search") + "?q=pragmatic").content.decode()
    assert "1 result" in body and "The pragmatic programmer : from journeyman to master" in body
    assert "Held by 2 libraries (AR, PE)" in body
    assert "Argentina" in body and "Peru" in body  # the country facet, by name
    assert ">English</a>" in body  # the language facet, by name
    narrowed = as_user(None).get(url("search") + "?q=&country=AR&material=sound").content.decode()
    assert "The Great Ray Charles" in narrowed and "pragmatic" not in narrowed
    bad = as_user(None).get(url("search") + "?q=year:soon").content.decode()
    assert "could not be read" in bad


def test_cluster_page_lists_holdings_and_members_and_downloads(catalog, as_user):
    record = Record.objects.filter(title__startswith="The pragmatic programmer").first()
    body = as_user(None).get(url("cluster", record.cluster_id)).content.decode()
    assert "Biblioteca Municipal de Lima" in body and "Biblioteca Popular de Palermo" in body
    assert "2 records in this group" in body
    assert "<dd>English</dd>" in body and "Book" in body  # language and material named, not coded
    assert "eng" not in re.sub(r"<[^>]+>", " ", body).split()  # nor the ISO 639 code beside the name
    marc = as_user(None).get(url("record-download", record.pk, "mrc"))
    assert marc.content == bytes(record.raw)
    xml = as_user(None).get(url("record-download", record.pk, "xml")).content
    assert b"<marc:record" in xml or b"<record" in xml
    assert as_user(None).get(url("record-download", record.pk, "json")).json()["isbns"] == ["9780201616224"]
    xml_record = Record.objects.get(raw_format="marcxml", title__contains="Ray Charles")
    assert as_user(None).get(url("record-download", xml_record.pk, "mrc")).status_code == 200


def test_staff_upload_a_file_and_read_the_validation_report(lima_library, librarian_lima, coordinator_cl, as_user,
                                                            settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sirbi.catalog.models import Rejected, Source
    from sirbi.core.models import Job

    from .conftest import DATA

    settings.JOBS_EAGER, settings.UPLOAD_DIR = True, tmp_path / "uploads"
    source = Source.objects.create(code="lima", name="Lima", library=lima_library)
    upload = SimpleUploadedFile("bad.mrc", (DATA / "pymarc-bad_records.mrc").read_bytes())
    response = as_user(librarian_lima).post(url("source-upload", "lima"), {"file": upload}, follow=True)
    assert response.status_code == 200
    job = Job.objects.get()
    assert job.status == "done" and job.result["added"] == 1 and len(job.result["rejected"]) == 7
    page = as_user(librarian_lima).get(url("source", "lima")).content.decode()
    assert "7 records could not be read" in page and "BaseAddressInvalid" in page and "1 added" in page
    csv_text = as_user(None).get(url("source", "lima") + "?format=csv").content.decode()
    assert csv_text.count("bad.mrc") == 7
    refused = as_user(coordinator_cl).post(url("source-upload", "lima"), {
        "file": SimpleUploadedFile("x.mrc", b"x")})
    assert refused.status_code == 403 and Job.objects.count() == 1
    assert Rejected.objects.filter(source=source).count() == 7


def test_staff_set_up_and_change_sources_of_their_scope_only(librarian_lima, coordinator_cl, coordinator_pe, as_user,
                                                              lima_library, cusco_library):
    from sirbi.core.models import ChangeLog

    with translation.override("en"):
        new_url, list_url = reverse("catalog:source-new"), reverse("catalog:sources")
    librarian = as_user(librarian_lima)
    assert 'value="PE-LIM01"' in librarian.get(new_url).content.decode()  # their own library, filled in
    form = {"code": "lima-koha", "name": "Koha de Lima", "kind": "oai", "library": "pe-lim01",
            "base_url": "koha.example.pe/cgi-bin/koha/oai.pl", "metadata_prefix": "marcxml", "holdings_tag": "952",
            "holdings_library": "a", "holdings_call_number": "o", "holdings_codes": "CEN = PE-LIM01"}
    response = librarian.post(new_url, form)
    source = Source.objects.get(code="lima-koha")
    assert response.status_code == 302 and response["Location"] == source.get_absolute_url()
    assert source.library == lima_library and source.base_url == "https://koha.example.pe/cgi-bin/koha/oai.pl"
    assert source.library_codes() == {"CEN": "PE-LIM01"}
    assert ChangeLog.objects.filter(object_id=str(source.pk), action="create").exists()
    # Another library's source is refused, and nothing is stored.
    response = librarian.post(new_url, dict(form, code="cusco", library="PE-CUS01"))
    assert response.status_code == 200 and not Source.objects.filter(code="cusco").exists()
    # A library put with a network it is not a member of (which would hand the source to that network's staff).
    page = librarian.post(new_url, dict(form, code="mixed", network="cl-public")).content.decode()
    assert "The library is not a member of this network." in page and not Source.objects.filter(code="mixed")
    # A library without an ISIL is named by its registry number.
    cusco_library.isil = None
    cusco_library.save()
    cusco = Source.objects.create(code="cusco", name="Cusco", library=cusco_library)
    with translation.override("en"):
        cusco_url = reverse("catalog:source-edit", args=["cusco"])
    page = as_user(coordinator_pe).get(cusco_url).content.decode()
    assert f'value="#{cusco_library.pk}"' in page, re.findall(r"<input[^>]*id_library[^>]*>", page)
    as_user(coordinator_pe).post(cusco_url, {"code": "cusco", "name": "Cusco (Koha)", "kind": "files",
                                             "library": f"#{cusco_library.pk}", "metadata_prefix": "marc21",
                                             "base_version": cusco.version})
    cusco.refresh_from_db()
    assert (cusco.name, cusco.library_id) == ("Cusco (Koha)", cusco_library.pk)
    # A library that does not exist, a bad codes line: named errors.
    page = librarian.post(new_url, dict(form, code="x", library="PE-NONE", holdings_codes="CEN")).content.decode()
    assert "No library has the ISIL PE-NONE." in page and "line 1: write CODE = ISIL" in page
    # Changing: the code stays, the version is checked; another country's coordinator may not.
    with translation.override("en"):
        edit_url = reverse("catalog:source-edit", args=["lima-koha"])
    assert as_user(coordinator_cl).get(edit_url).status_code == 403
    assert as_user(coordinator_cl).post(edit_url, dict(form, name="Hijacked")).status_code == 403
    page = librarian.get(edit_url).content.decode()
    assert 'value="PE-LIM01"' in page and "disabled" in page
    response = librarian.post(edit_url, dict(form, code="renamed", name="Koha (Lima)", base_version=source.version))
    source.refresh_from_db()
    assert response.status_code == 302 and (source.code, source.name) == ("lima-koha", "Koha (Lima)")
    stale = librarian.post(edit_url, dict(form, name="Old", base_version=source.version - 1))
    assert stale.status_code == 200 and Source.objects.get(pk=source.pk).name == "Koha (Lima)"
    listing = as_user(coordinator_cl).get(list_url).content.decode()
    assert "Koha (Lima)" in listing and new_url in listing  # a coordinator may add sources of their country


def test_a_page_past_the_last_or_a_huge_one_shows_the_last_page(catalog, as_user):
    clusters = re.compile(r'href="/\w\w/catalog/clusters/\d+/"')
    last = clusters.findall(as_user(None).get(url("search") + "?q=&page=2").content.decode())  # 20 a page
    assert last
    for page in ("3", "50", "99999999999999999999"):
        response = as_user(None).get(url("search") + f"?q=&page={page}")
        assert response.status_code == 200 and clusters.findall(response.content.decode()) == last
    assert as_user(None).get(url("search") + "?q=&year_from=99999999999999999999&year_to=-5").status_code == 200
    api = as_user(None).get("/api/v1/catalog/search/?page=99999999999999999999&page_size=99999999999999999999")
    assert api.status_code == 200 and api.json()["results"] == []


def test_a_copy_says_where_the_library_s_main_building_is_and_when_it_opens(catalog, lima_library, as_user):
    from sirbi.registry.models import ServicePoint

    ServicePoint.objects.create(library=lima_library, kind="main", name="Sede central", address="Jr. de la Unión 300",
                                locality="Cercado de Lima", opening_hours="L-V 9-18")
    ServicePoint.objects.create(library=lima_library, kind="branch", name="Filial", address="Av. Trujillo 200",
                                opening_hours="Sábados")
    record = Record.objects.filter(title__startswith="The pragmatic programmer").first()
    with translation.override("en"):
        body = as_user(None).get(url("cluster", record.cluster_id)).content.decode()
    assert "Jr. de la Unión 300, Cercado de Lima, Peru" in body
    assert "Opening hours: L-V 9-18" in body and "Sábados" not in body
