import pytest
from django.core.management import call_command

from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.catalog.search import QueryError, backend, prepare

from .conftest import DATA


def keys(text, **filters):
    return backend().search(text, filters)


def test_prepare_folds_terms_and_reads_fields_and_isbns():
    assert prepare('Educación AND author:"García Márquez"') == 'educacion AND author:"garcia marquez"'
    assert prepare("isbn:0-201-61622-X") == "isbn:9780201616224"  # ISBN-10 with its check digit, as ISBN-13
    assert prepare("978-0-201-61622-4") == "isbn:9780201616224"
    with pytest.raises(QueryError):
        prepare("year:nineteen")


def test_keyword_fielded_boolean_and_facets(catalog):
    result = keys("pragmatic programmer")
    assert result.count == 1
    cluster = Record.objects.filter(title__startswith="The pragmatic programmer").first().cluster_id
    assert result.keys == [cluster]
    assert dict(result.facets["country"]) == {"PE": 1, "AR": 1}  # one cluster, held in two countries
    assert keys("title:python").count >= 1 and keys("author:lutz").count >= 1
    assert keys("isbn:0-201-61622-X").keys == [cluster] and keys("9780201616224").keys == [cluster]
    assert keys("python NOT programming").count < keys("python").count
    assert keys('"legal perspectives"').count == 1
    everything = keys("")
    assert everything.count == 23 and dict(everything.facets["country"])["AR"] == 23


def test_facet_filters_year_range_and_sorts(catalog):
    only_peru_media = keys("amateur", country="PE")
    assert only_peru_media.count == 0 and keys("amateur", country="AR").count == 1
    assert keys("", year_from=2012, year_to=2012).count >= 1
    by_year = backend().search("", sort="year", limit=3)
    years = [Record.objects.filter(cluster_id=k).first().year for k in by_year.keys]
    assert years == sorted(years, reverse=True)


def test_diacritics_are_folded_both_ways(lima_library):
    source = Source.objects.create(code="x", name="x", library=lima_library)
    import_file(source, (DATA / "pymarc-diacritic.dat").read_bytes(), "d.dat")
    record = Record.objects.get()
    record.title = "Educación popular en el Perú"
    record.save()
    call_command("reindex", verbosity=0)
    assert keys("educacion peru").count == 1 and keys("EDUCACIÓN").count == 1


def test_reimport_keeps_the_index_in_step(catalog):
    lima, _palermo = catalog
    before = backend().count()
    import_file(lima, (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat")
    assert backend().count() == before


def test_decomposed_accents_of_real_records_are_found(lima_library):
    import unicodedata

    source = Source.objects.create(code="nfd", name="nfd", library=lima_library)
    import_file(source, (DATA / "pymarc-diacritic.dat").read_bytes(), "d.dat")
    record = Record.objects.get()
    record.title = unicodedata.normalize("NFD", "Educación, ciudadanía y democracia")  # as LC records write it
    record.save()
    call_command("reindex", verbosity=0)
    assert keys("educacion ciudadania").count == 1 and keys("ciudadanía").count == 1
