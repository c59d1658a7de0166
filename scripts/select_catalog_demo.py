"""Select the demo catalog's records from the Library of Congress file the catalog benchmarks use.

Input: `BooksAll.2016.part01.utf8` (250,000 MARC 21 records, UTF-8), the LC MARC Distribution Services file
shipped in the pymarc 5.4.0 source distribution; benchmarks/catalog_ingest.py downloads and caches it in
benchmarks/.cache/. Output: src/sirbi/catalog/data/lc-region-demo.mrc.gz, the selected records' bytes
unchanged, in file order, gzip-compressed without a name or time stamp (the same input gives the same bytes).

A record is selected when (read with pymarc, the reference reader; 008/35-37 is the language):
- a main or added entry (100/700 $a), or a subject (600 $a), names one of AUTHORS, in any language
  (their works, translations and studies of them); or
- it is in Portuguese (every PORTUGUESE_EVERY-th in file order); or
- it is in Spanish (every SPANISH_EVERY-th in file order).

Run from the repository root: `.venv/bin/python scripts/select_catalog_demo.py [path to the LC file]`.
"""

import gzip
import io
import sys
import unicodedata
from pathlib import Path

import pymarc

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT / "benchmarks" / ".cache" / "BooksAll.2016.part01.utf8"
OUTPUT = ROOT / "src" / "sirbi" / "catalog" / "data" / "lc-region-demo.mrc.gz"
PORTUGUESE_EVERY = 2
SPANISH_EVERY = 6
# Name headings as LC writes them (folded: lower case, no accents, no final punctuation); a heading that
# starts with one of these is theirs. Checked against the file: each names at least one record.
AUTHORS = [
    "borges, jorge luis", "neruda, pablo", "cervantes saavedra, miguel de", "rulfo, juan", "vargas llosa, mario",
    "garcia marquez, gabriel", "cortazar, julio", "paz, octavio", "mistral, gabriela", "machado de assis",
    "lispector, clarice", "fuentes, carlos", "allende, isabel", "benedetti, mario", "galeano, eduardo",
    "vallejo, cesar", "dario, ruben", "sabato, ernesto", "bioy casares, adolfo", "carpentier, alejo",
    "asturias, miguel angel", "saramago, jose", "garcia lorca, federico", "quiroga, horacio",
    "arguedas, jose maria", "roa bastos, augusto", "marti, jose", "unamuno, miguel de", "bolano, roberto",
    "puig, manuel", "juana ines de la cruz", "poniatowska, elena", "lezama lima, jose", "cabrera infante, g",
    "piglia, ricardo", "queiros, eca de", "camoes, luis de", "reyes, alfonso", "ocampo, victoria",
    "eltit, diamela", "huidobro, vicente", "uslar pietri, arturo", "palma, ricardo", "sarmiento, domingo faustino",
    "hostos, eugenio maria de", "esquivel, laura", "nervo, amado", "mutis, alvaro", "freire, paulo",
    "ortega y gasset, jose", "perez galdos, benito", "calderon de la barca, pedro", "quevedo, francisco de",
    "gongora y argote, luis de", "machado, antonio", "jimenez, juan ramon", "alberti, rafael", "matute, ana maria",
    "goytisolo, juan", "marias, javier", "perez-reverte, arturo", "munoz molina, antonio", "vila-matas, enrique",
    "cercas, javier", "saer, juan jose", "pitol, sergio", "pacheco, jose emilio", "sabines, jaime",
    "teillier, jorge", "edwards, jorge", "amado, jorge", "guimaraes rosa", "drummond de andrade", "pessoa, fernando",
    "storni, alfonsina", "ibarbourou, juana de", "onetti, juan carlos", "donoso, jose", "mariategui",
    "vasconcelos, jose", "zea, leopoldo", "bello, andres", "rodo, jose enrique", "gallegos, romulo",
]


def fold(text):
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(" ,.;:/")


def language(record):
    fixed = record.get_fields("008")
    data = fixed[0].data or "" if fixed else ""
    return data[35:38]


def by_region_author(record):
    for field in record.get_fields("100", "600", "700"):
        for name in field.get_subfields("a"):
            if fold(name).startswith(tuple(AUTHORS)):
                return True
    return False


def records(data):
    """(bytes, pymarc Record or None) of each record of an ISO 2709 file, in order."""
    position = 0
    while position < len(data):
        length = int(data[position:position + 5])
        chunk = data[position:position + length]
        position += length
        try:
            yield chunk, pymarc.Record(chunk, to_unicode=True, force_utf8=False, utf8_handling="strict")
        except Exception:  # noqa: BLE001 — an unreadable record is simply not selected
            yield chunk, None


def select(data):
    chosen, counts, spanish, portuguese = [], {"author": 0, "por": 0, "spa": 0}, 0, 0
    for chunk, record in records(data):
        if record is None or not record.get_fields("245"):
            continue
        code = language(record)
        if by_region_author(record):
            counts["author"] += 1
        elif code == "por":
            portuguese += 1
            if portuguese % PORTUGUESE_EVERY:
                continue
            counts["por"] += 1
        elif code == "spa":
            spanish += 1
            if spanish % SPANISH_EVERY:
                continue
            counts["spa"] += 1
        else:
            continue
        chosen.append(chunk)
    return chosen, counts


def main():
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_INPUT
    chosen, counts = select(source.read_bytes())
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(b"".join(chosen))
    OUTPUT.write_bytes(buffer.getvalue())
    print(f"{len(chosen):,} records ({counts['author']:,} by or about the region's authors, {counts['spa']:,} "
          f"more in Spanish, {counts['por']:,} more in Portuguese) → {OUTPUT.relative_to(ROOT)} "
          f"({OUTPUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
