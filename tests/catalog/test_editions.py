"""Other editions of the same work, and copies a reader can use. Each cluster stays one edition; the work key
(uniform title, or the original title a translation names, else title proper and main author) links a Spanish
novel's editions with its Portuguese and English translations: the cluster page lists them and explains why,
and the search (page and API) can show one result per work. The cluster page gives each copy its call number,
its status in the catalog's words (translated), and the library's address and website."""

import pymarc
from django.urls import reverse
from django.utils import translation
from pymarc import Field, Indicators, Subfield
from rest_framework.test import APIClient

from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Cluster, Record, Source
from sirbi.catalog.normalise import normalise, status_code
from sirbi.catalog.search import backend

from .works import crafted, record


def cluster_of(local_id):
    return Record.objects.get(local_id=local_id).cluster_id


def test_work_keys_link_translations_and_ignore_collective_titles():
    def key(**fields):
        marc = pymarc.Record(data=record("x", "spa", 2000, "Borges, Jorge Luis,", None, ("Ficciones", "", 0), "Sur",
                                         ""))
        for tag, (indicators, subfields) in fields.items():
            marc.add_field(Field(tag=tag[1:], indicators=Indicators(*indicators),
                                 subfields=[Subfield(code, value) for code, value in subfields]))
        return normalise(marc)["work_key"]

    plain = key()
    assert plain == "ficciones|borges"
    assert key(t240=("10", [("a", "Ficciones."), ("l", "Portuguese")])) == plain  # the language is no part of it
    assert key(t240=("14", [("a", "The Aleph."), ("l", "Spanish")])) == "aleph|borges"  # 4 non-filing characters
    assert key(t240=("10", [("a", "Works."), ("k", "Selections")])) == plain  # "Works" names no work
    assert key(t765=("0 ", [("a", "Borges, Jorge Luis."), ("t", "El Aleph")])) == "aleph|borges"
    assert key(t246=("1 ", [("i", "Título original:"), ("a", "El hacedor")])) == "hacedor|borges"
    assert key(t246=("3 ", [("a", "Otras ficciones")])) == plain  # a varying title is not the original


def test_statuses_are_read_into_the_catalogs_four_words():
    assert [status_code(text) for text in ("Disponible", "En préstamo", "Vence 2026-12-20", "Not for loan",
                                           "Solo consulta en sala", "Extraviado", "emprestado", "No disponible",
                                           "Sala infantil", "")] == \
        ["available", "on_loan", "on_loan", "reference", "reference", "missing", "on_loan", "", "", ""]


def test_a_spanish_edition_lists_its_translations_and_search_collapses_by_work(lima_library, as_user):
    import_file(Source.objects.create(code="lima", name="Lima", library=lima_library), crafted(), "works.mrc")
    spanish, portuguese, english = cluster_of("gm-1967"), cluster_of("gm-por"), cluster_of("gm-eng")
    assert len({spanish, cluster_of("gm-2007"), portuguese, english}) == 4  # one cluster per edition
    with translation.override("en"):
        body = as_user(None).get(reverse("catalog:cluster", args=[spanish])).content.decode()
    assert "Other editions and translations" in body and "uniform title" in body
    assert "Cem anos de solidão</a>, 2009" in body and "Portuguese" in body
    assert "One hundred years of solitude</a>, 1970" in body and "Cien años de soledad</a>, 2007" in body
    assert "El laberinto de la soledad" not in body  # another work with the same words
    # The Portuguese translation lists the Spanish editions back.
    with translation.override("en"):
        back = as_user(None).get(reverse("catalog:cluster", args=[portuguese])).content.decode()
    assert "Cien años de soledad</a>, 1967" in back
    # Search: four editions of the novel, one work.
    assert backend().search("author:garcia marquez").count == 4  # not the study of his work by Vargas Llosa
    collapsed = backend().search("author:garcia marquez", collapse=True)
    assert collapsed.count == 1 and len(collapsed.keys) == 1
    assert collapsed.keys[0] in {spanish, cluster_of("gm-2007"), portuguese, english}
    with translation.override("en"):
        page = as_user(None).get(reverse("catalog:search"), {"q": "garcia marquez", "collapse": "1"}).content.decode()
    assert "4 editions and translations" in page and 'name="collapse" value="1" checked' in page
    data = APIClient().get("/api/v1/catalog/search/", {"q": "author:garcia marquez", "collapse": "true"}).json()
    assert data["count"] == 1 and data["results"][0]["editions"] == 4
    assert data["results"][0]["work"] == "cien anos soledad|garcia marquez"


def test_nothing_with_every_word_offers_the_records_with_some_of_them(lima_library, as_user):
    import_file(Source.objects.create(code="lima", name="Lima", library=lima_library), crafted(), "works.mrc")
    with translation.override("en"):
        url = reverse("catalog:search")
        body = as_user(None).get(url, {"q": "cien soledad dinosaurio"}).content.decode()
    assert "No record has all of these words." in body
    assert "match=any" in body and "Show the 4 records with some of them" in body
    with translation.override("en"):
        wider = as_user(None).get(url, {"q": "cien soledad dinosaurio", "match": "any"}).content.decode()
    assert "any of the words" in wider and "Cien años de soledad" in wider
    data = APIClient().get("/api/v1/catalog/search/", {"q": "cien soledad dinosaurio"}).json()
    assert data["count"] == 0 and data["any_words_count"] == 4
    assert APIClient().get("/api/v1/catalog/search/", {"q": "cien soledad dinosaurio",
                                                       "match": "any"}).json()["count"] == 4


def test_copies_show_call_number_status_and_where_the_library_is(lima_library, as_user):
    lima_library.address, lima_library.website = "Jr. Ucayali 266", "https://biblioteca.munlima.gob.pe/"
    lima_library.save()
    csv = ("id,title,authors,year,language,call_number,status\n"
           "L1,Pedro Páramo,\"Rulfo, Juan\",1955,spa,863 R935p,En préstamo hasta el 20/12\n"
           "L1,Pedro Páramo,\"Rulfo, Juan\",1955,spa,863 R935p ej.2,Solo consulta en sala\n")
    import_file(Source.objects.create(code="lima", name="Lima", library=lima_library), csv.encode(), "lima.csv")
    cluster = Cluster.objects.get()
    for language, on_loan, reference in (("en", "on loan", "reference only"), ("es", "en préstamo", "solo consulta"),
                                         ("pt", "emprestado", "somente consulta")):
        with translation.override(language):
            body = as_user(None).get(reverse("catalog:cluster", args=[cluster.pk])).content.decode()
            library_page = lima_library.get_absolute_url()
        assert "863 R935p ej.2" in body and on_loan in body and reference in body, language
        assert "Jr. Ucayali 266" in body and 'href="https://biblioteca.munlima.gob.pe/"' in body
        assert library_page in body
    holdings = APIClient().get("/api/v1/catalog/holdings/").json()["results"]
    assert sorted(h["status_code"] for h in holdings) == ["on_loan", "reference"]


def test_records_stored_before_work_keys_get_theirs_from_their_original_bytes(lima_library):
    import importlib

    from django.apps import apps

    import_file(Source.objects.create(code="lima", name="Lima", library=lima_library), crafted({"gm-por"}), "w.mrc")
    Record.objects.update(work_key="")
    importlib.import_module("sirbi.catalog.migrations.0009_record_work_key").fill_work_keys(apps, None)
    assert Record.objects.get().work_key == "cien anos soledad|garcia marquez"
