"""The relevance set: queries a reader types (without accents, in any case) and the record that must come first
or in the top three, over real Library of Congress records of the region's authors with look-alikes
(tests/data/marc/lc-relevance.mrc) and crafted editions and translations (works.py). Every word must match, in
any field; a field prefix governs the words after it; titles count more than authors, authors more than
subjects; the whole title, its start and the phrase are boosted; more libraries holding a book break ties."""

import pytest
from django.db.models import F

from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.catalog.search import backend

from .conftest import DATA
from .works import crafted

# (query, title the first result starts with, or a list of the titles of which one must be in the top three)
FIRST = [
    ("cien anos de soledad", "Cien años de soledad"),
    ("CIEN AÑOS DE SOLEDAD", "Cien años de soledad"),
    ("borges ficciones", "Ficciones"),
    ("ficciones", "Ficciones"),
    ("pedro paramo", "Pedro Páramo"),
    ("el llano en llamas", "El llano en llamas"),
    ("llano en llamas rulfo", "El llano en llamas"),
    ("la ciudad y los perros", "La ciudad y los perros"),
    ("fiesta del chivo", "La Fiesta del Chivo"),
    ("pedagogy of the oppressed", "Pedagogy of the oppressed"),
    ("la invencion de morel", "La invención de Morel"),
    ("cartas de amor y desamor", "Cartas de amor y desamor"),
    ('title:"el verano feliz"', "El verano feliz de la señora Forbes"),
    ("title:atlas author:borges", "Atlas"),
    ("dom casmurro", "Dom Casmurro"),
    ("a hora da estrela", "A hora da estrela"),
    ("el laberinto de la soledad", "El laberinto de la soledad"),
    ("cem anos de solidao", "Cem anos de solidão"),
    ("aire de las colinas", "Aire de las colinas"),
    ("tlon", "Tlön"),  # the title before the contents note of Ficciones
]
TOP3 = [
    ("author:garcia marquez", ["Notas de prensa", "El verano feliz", "Cien años de soledad", "La siesta del martes",
                               "María dos Prazeres", "La luz es como el agua", "Cem anos", "One hundred years",
                               "Un señor muy viejo", "El último viaje"]),
    ("don quixote", ["Don Quixote"]),
    ("novelas ejemplares", ["Novelas ejemplares", "Exemplarie novells"]),
    ("garcia marquez soledad", ["Cien años de soledad"]),
    ("neruda obras completas", ["Obras completas"]),
    ("rulfo", ["Pedro Páramo", "El llano en llamas", "Aire de las colinas", "Memoria Rulfo", "Lichtblicke"]),
]


@pytest.fixture
def catalog_of_the_region(lima_library, buenos_aires_library, cusco_library):
    lima = Source.objects.create(code="lima", name="Lima", library=lima_library)
    import_file(lima, (DATA / "lc-relevance.mrc").read_bytes() + crafted(), "region.mrc")
    # Two more libraries hold one of the two Spanish editions of each novel: the tie-breaker between them.
    for code, library in (("palermo", buenos_aires_library), ("cusco", cusco_library)):
        import_file(Source.objects.create(code=code, name=code, library=library),
                    crafted({"gm-2007", "jlb-1956"}), f"{code}.mrc")


def titles(query, n, **options):
    """The titles of the first n results (their representatives')."""
    keys = backend().search(query, limit=n, **options).keys
    representatives = dict(Record.objects.filter(cluster_id__in=keys, cluster__representative=F("pk"))
                           .values_list("cluster_id", "title"))
    return [representatives.get(key, "") for key in keys]


def test_the_record_a_reader_means_comes_first(catalog_of_the_region):
    wrong = []
    for query, expected in FIRST:
        found = titles(query, 3)
        if not found or not found[0].startswith(expected):
            wrong.append(f"{query!r}: expected {expected!r} first, got {found}")
    for query, expected in TOP3:
        found = titles(query, 3)
        if not any(title.startswith(e) for title in found for e in expected):
            wrong.append(f"{query!r}: expected one of {expected} in the top 3, got {found}")
    assert not wrong, "\n".join(wrong)


def test_every_word_counts_and_a_field_governs_its_words(catalog_of_the_region):
    search = backend().search
    assert search("cien anos de soledad").count < search("cien OR anos OR de OR soledad").count
    assert search("cien anos de soledad", match="any").count == search("cien OR anos OR de OR soledad").count
    # `author:garcia marquez` is García Márquez, not any García with a Márquez in the title.
    by_him = titles("author:garcia marquez", 30)
    assert by_him and all(Record.objects.filter(title=t, authors__icontains="rquez").exists() for t in by_him)
    assert search("author:garcia marquez").count == search('author:"garcia marquez"').count
    assert search("soledad NOT laberinto").count == search("soledad").count - 1
    # Nothing has every word: nothing found; any of them finds the novel first.
    assert search("cien anos de soledad dinosaurio").count == 0
    assert titles("cien anos de soledad dinosaurio", 1, match="any")[0].startswith("Cien años de soledad")
    # A story's title in the contents note finds its collection.
    assert titles("funes el memorioso", 3) == ["Ficciones"]
    assert titles("notes:memorioso", 3) == ["Ficciones"] and titles("title:memorioso", 3) == []


def test_more_libraries_holding_an_edition_break_the_tie(catalog_of_the_region):
    first = titles("ficciones borges", 2)
    held_by_three = Record.objects.get(source__code="palermo", local_id="jlb-1956").cluster_id
    assert backend().search("ficciones borges", limit=1).keys == [held_by_three]
    assert first[0] == "Ficciones"
