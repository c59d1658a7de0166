import pytest
from django.core.management import call_command

from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.catalog.search import QueryError, backend, parse_query

from .conftest import DATA


def keys(text, **filters):
    return backend().search(text, filters)


def test_parse_query_folds_terms_and_reads_fields_and_isbns():
    assert parse_query('Educación AND author:"García Márquez"') == '+educacion +author:"garcia marquez"'
    assert parse_query("isbn:0-201-61622-X") == "+isbn:9780201616224"  # ISBN-10 with its check digit, as ISBN-13
    assert parse_query("978-0-201-61622-4") == "+isbn:9780201616224"
    assert parse_query("author:garcia marquez title:cien anos") == \
        "+author:garcia +author:marquez +title:cien +title:anos"  # a field governs the words after it
    assert parse_query('borges OR cortazar -rayuela "el aleph"') == '+(borges OR cortazar) -rayuela +"el aleph"'
    assert parse_query("isbn:0-201-61622-X python") == "+isbn:9780201616224 +python"
    with pytest.raises(QueryError):
        parse_query("year:nineteen")


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


def test_the_catalog_stays_searchable_while_an_import_runs(lima_library, monkeypatch, client):
    """Between an import's batches (each committed to the database) the search index still answers with what it
    held before, through another reader and through the page; the new records appear once the import ends."""
    from django.urls import reverse
    from django.utils import translation

    from sirbi.catalog import prepare
    from sirbi.catalog.ingest import import_file
    from sirbi.catalog.models import Source
    from sirbi.catalog.search import TantivyBackend

    from .conftest import DATA

    source = Source.objects.create(code="lima", name="Lima", library=lima_library)
    import_file(source, (DATA / "pymarc-batch.xml").read_bytes(), "batch.xml")
    monkeypatch.setattr(prepare, "CHUNK_RECORDS", 5)
    with translation.override("en"):
        url = reverse("catalog:search") + "?q=pragmatic"
    seen = []

    def between_batches(done):
        reader = TantivyBackend()  # another reader of the same index, as a web worker has
        seen.append((done, reader.search("pragmatic").count, reader.search("charles").count,
                     client.get(url).status_code))

    import_file(source, (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat", progress=between_batches)
    assert [s[0] for s in seen] == [5, 10, 15, 20]
    assert all(s[1:] == (0, 1, 200) for s in seen)  # the earlier records found, the new ones not yet
    assert TantivyBackend().search("pragmatic").count == 1


def test_a_thread_failing_mid_index_does_not_undo_another_threads_work(tmp_path, monkeypatch):
    """gunicorn runs several threads per worker, all on one backend: no thread may commit, drop or roll back
    another's half-done writer."""
    import threading
    import time

    from sirbi.catalog import indexing
    from sirbi.catalog.search import TantivyBackend

    def documents(chunk, libraries):
        if chunk == [202]:
            time.sleep(0.3)  # while the other thread is between its two batches
            raise RuntimeError("database went away")
        time.sleep(0.2)
        return {key: {"key": str(key), "title": f"Obra {key}"} for key in chunk}

    monkeypatch.setattr(indexing, "documents", documents)
    monkeypatch.setattr(indexing, "BATCH", 1)
    engine, errors = TantivyBackend(tmp_path / "index"), []

    def index(keys):
        try:
            indexing.index_clusters(keys, engine=engine, wait=10)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(str(error))

    threads = [threading.Thread(target=index, args=(keys,)) for keys in ([101, 102], [202])]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert errors == ["database went away"]
    assert sorted(engine.search("obra").keys) == [101, 102]


def test_a_commit_by_another_process_is_searched_at_once(tmp_path):
    """The page cache keys search pages by the index's meta.json: right after another process commits, a page
    built under the new key must find the new document."""
    from sirbi.catalog.search import TantivyBackend

    web, worker = TantivyBackend(tmp_path / "index"), TantivyBackend(tmp_path / "index")
    assert web.search("quijote").count == 0
    worker.add({"key": "7", "title": "Don Quijote"})
    worker.commit()
    assert web.search("quijote").keys == [7]


def test_the_search_page_after_another_process_commits_shows_the_new_index(catalog, client):
    """Search pages are cached under the index's meta.json: once the worker (another process) commits, the page
    made under the new key must come from the new index, not from the web process's older reader."""
    from django.urls import reverse
    from django.utils import translation

    from sirbi.catalog.search import TantivyBackend

    with translation.override("en"):
        url = reverse("catalog:search") + "?q=pragmatic"
    before = client.get(url).content.decode()
    found = backend().search("pragmatic").keys
    assert found
    worker = TantivyBackend()  # the worker's own backend on the same index
    for key in found:
        worker.delete(key)
    worker.commit()
    after = client.get(url).content.decode()
    assert after != before
    assert backend().search("pragmatic").count == 0


def test_an_index_of_an_older_schema_is_rebuilt_from_the_database(catalog, tmp_path):
    """After an upgrade that changes the index's fields, whichever process opens the index first empties it and
    leaves a mark; the next import, harvest or the waiting worker (index_stale) rebuilds it from the database."""
    import tantivy

    from sirbi.catalog.indexing import index_stale
    from sirbi.catalog.search import TantivyBackend

    old = tantivy.SchemaBuilder()
    old.add_text_field("key", stored=True, tokenizer_name="raw")
    old.add_text_field("title", stored=False)
    (tmp_path / "old").mkdir()
    tantivy.Index(old.build(), path=str(tmp_path / "old"))
    web = TantivyBackend(tmp_path / "old")  # a web process opens it first
    assert web.search("pragmatic").count == 0 and web.rebuild_mark.exists()
    worker = TantivyBackend(tmp_path / "old")  # the worker opens the new, empty index: no second emptying
    assert index_stale(engine=worker, wait=0) == Record.objects.values("cluster").distinct().count()
    assert not worker.rebuild_mark.exists() and web.search("pragmatic").count == 1
