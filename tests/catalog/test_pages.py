from django.urls import reverse
from django.utils import translation

from sirbi.catalog.models import Record


def url(name, *args):
    with translation.override("en"):
        return reverse(f"catalog:{name}", args=args)


def test_search_page_results_facets_and_filters(catalog, as_user):
    body = as_user(None).get(url("search") + "?q=pragmatic").content.decode()
    assert "1 result" in body and "The pragmatic programmer : from journeyman to master" in body
    assert "Held by 2 libraries (AR, PE)" in body
    assert "Argentina" in body and "Peru" in body  # the country facet, by name
    narrowed = as_user(None).get(url("search") + "?q=&country=AR&material=sound").content.decode()
    assert "The Great Ray Charles" in narrowed and "pragmatic" not in narrowed
    bad = as_user(None).get(url("search") + "?q=year:soon").content.decode()
    assert "could not be read" in bad


def test_cluster_page_lists_holdings_and_members_and_downloads(catalog, as_user):
    record = Record.objects.filter(title__startswith="The pragmatic programmer").first()
    body = as_user(None).get(url("cluster", record.cluster_id)).content.decode()
    assert "Biblioteca Municipal de Lima" in body and "Biblioteca Popular de Palermo" in body
    assert "2 records in this group" in body
    marc = as_user(None).get(url("record-download", record.pk, "mrc"))
    assert marc.content == bytes(record.raw)
    xml = as_user(None).get(url("record-download", record.pk, "xml")).content
    assert b"<marc:record" in xml or b"<record" in xml
    assert as_user(None).get(url("record-download", record.pk, "json")).json()["isbns"] == ["9780201616224"]
    xml_record = Record.objects.get(raw_format="marcxml", title__contains="Ray Charles")
    assert as_user(None).get(url("record-download", xml_record.pk, "mrc")).status_code == 200
