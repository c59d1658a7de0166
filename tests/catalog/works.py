"""Crafted MARC 21 records of a few works of the region in several editions and translations, with look-alikes
(a study of a novel, other books with the same words), for the relevance and editions tests. Written here,
field by field, as a cataloguer would: 100 the author, 240 the uniform title of a translation ($l its
language), 245 the title proper with its non-filing characters, 260 the publication, 008 the year and
language, 020 the ISBN."""

import pymarc
from pymarc import Field, Indicators, Subfield

# (local id, language, year, author, uniform title or None, (title, subtitle, non-filing), publisher, ISBN)
WORKS = [
    ("gm-1967", "spa", 1967, "García Márquez, Gabriel,", None, ("Cien años de soledad", "", 0),
     "Sudamericana", ""),
    ("gm-2007", "spa", 2007, "García Márquez, Gabriel,", None, ("Cien años de soledad", "", 0), "Cátedra",
     "9788437604947"),
    ("gm-por", "por", 2009, "García Márquez, Gabriel,", ("Cien años de soledad.", "Portuguese"),
     ("Cem anos de solidão", "", 0), "Record", ""),
    ("gm-eng", "eng", 1970, "García Márquez, Gabriel,", ("Cien años de soledad.", "English"),
     ("One hundred years of solitude", "", 0), "Harper & Row", ""),
    ("gm-study", "spa", 1971, "Vargas Llosa, Mario,", None,
     ("García Márquez", "historia de un deicidio", 0), "Barral", ""),
    ("soledad-other", "spa", 1995, "Paz, Octavio,", None, ("El laberinto de la soledad", "", 3),
     "Fondo de Cultura Económica", ""),
    ("anos-other", "spa", 1999, "Soledad Acosta, María,", None, ("Cien poemas de los años de la soledad", "", 0),
     "Planeta", ""),
    ("jlb-1944", "spa", 1944, "Borges, Jorge Luis,", None, ("Ficciones", "", 0), "Sur", ""),
    ("jlb-1956", "spa", 1956, "Borges, Jorge Luis,", None, ("Ficciones", "", 0), "Emecé", ""),
    ("jlb-por", "por", 2007, "Borges, Jorge Luis,", ("Ficciones.", "Portuguese"), ("Ficções", "", 0),
     "Companhia das Letras", ""),
    ("fic-other", "spa", 2001, "Piglia, Ricardo,", None, ("Ficciones del poder", "ensayos", 0), "Ariel", ""),
    ("jr-pp", "spa", 1955, "Rulfo, Juan,", None, ("Pedro Páramo", "", 0), "Fondo de Cultura Económica", ""),
    ("jr-llano", "spa", 1953, "Rulfo, Juan,", None, ("El llano en llamas", "", 3), "Fondo de Cultura Económica",
     ""),
    ("llano-other", "spa", 1990, "Pérez, Ana,", None, ("Llamas y fuegos del llano", "crónica", 0), "Alfaguara", ""),
    ("mda-dc", "por", 1899, "Machado de Assis,", None, ("Dom Casmurro", "", 0), "Garnier", ""),
    ("cl-estrela", "por", 1977, "Lispector, Clarice.", None, ("A hora da estrela", "", 2), "José Olympio", ""),
    ("tlon-other", "spa", 2003, "Ruiz, Pedro,", None, ("Tlön", "mundos imaginarios", 0), "Paidós", ""),
]
# Contents notes (505) of some of them.
CONTENTS = {"jlb-1956": "El jardín de senderos que se bifurcan -- Tlön, Uqbar, Orbis Tertius -- Pierre Menard, "
                        "autor del Quijote -- Funes el memorioso."}


def record(local_id, language, year, author, uniform, title, publisher, isbn):
    marc = pymarc.Record(force_utf8=True)
    marc.leader = pymarc.Leader("00000nam a2200000 a 4500")
    marc.add_field(Field(tag="001", data=local_id))
    marc.add_field(Field(tag="008", data=f"000101s{year}    xx            000 1 {language} d"))
    if isbn:
        marc.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)]))
    marc.add_field(Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)]))
    if uniform:
        marc.add_field(Field(tag="240", indicators=Indicators("1", "0"),
                             subfields=[Subfield("a", uniform[0]), Subfield("l", uniform[1])]))
    proper, subtitle, skip = title
    subfields = [Subfield("a", proper + (" :" if subtitle else " /"))]
    if subtitle:
        subfields.append(Subfield("b", subtitle + " /"))
    marc.add_field(Field(tag="245", indicators=Indicators("1", str(skip)), subfields=subfields))
    marc.add_field(Field(tag="260", indicators=Indicators(" ", " "),
                         subfields=[Subfield("b", publisher + ","), Subfield("c", f"{year}.")]))
    if local_id in CONTENTS:
        marc.add_field(Field(tag="505", indicators=Indicators("0", " "), subfields=[Subfield("a", CONTENTS[local_id])]))
    return marc.as_marc()


def crafted(ids=None):
    """The crafted records (those of `ids`, or all) as one ISO 2709 file."""
    return b"".join(record(*work) for work in WORKS if ids is None or work[0] in ids)
