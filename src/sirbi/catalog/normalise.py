"""The normalised fields of a MARC 21 bibliographic record (pymarc Record → dict), kept beside the original:
title and sort title, authors, ISBN-13 (check digits verified; ISBN-10 converted), ISSN, other identifiers,
year, language (ISO 639-2), material type, edition, publisher, place, series, subjects, notes (general,
contents, summary: searched, ranked below subjects), the work key that links
the editions and translations of a work (`work_key`); the folded keys deduplication compares (`keys_of`); and
a copy's status in the catalog's vocabulary (`status_code`). No Django here."""

import re
import unicodedata

from stdnum import isbn as stdisbn
from stdnum import issn as stdissn
from stdnum.exceptions import ValidationError as NumberInvalid

from sirbi.core.text import fold, fold_words

TRAILING = " /:;,.=+"
YEAR = re.compile(r"(1[4-9]\d\d|20\d\d)")
# Leader 06 (type of record) and 07 (bibliographic level) → material type.
MATERIAL = {"a": "book", "t": "book", "c": "music", "d": "music", "e": "map", "f": "map", "g": "video",
            "i": "sound", "j": "sound", "k": "image", "m": "electronic", "o": "kit", "p": "mixed", "r": "object"}
SERIAL_LEVELS = {"b", "i", "s"}


def clean(text):
    """A field's text in composed Unicode (records often carry decomposed accents), without the ISBD
    punctuation at its end and without repeated spaces."""
    if not text:
        return ""
    if not text.isascii():  # ASCII is already composed
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split()).strip(TRAILING).strip()


def _field(record, tag):
    fields = record.get_fields(tag)
    return fields[0] if fields else None


def _fixed(record):
    field = _field(record, "008")
    return (field.data or "") if field is not None else ""


def _subfields(record, tags, codes):
    values = []
    for field in record.get_fields(*tags):
        for code in codes:
            for value in field.get_subfields(code):
                value = clean(value)
                if value:
                    values.append(value)
    return values


def _first(record, tags, codes):
    values = _subfields(record, tags, codes)
    return values[0] if values else ""


def isbns(record):
    """Valid ISBNs of 020 $a (and $z is not taken: it holds cancelled or invalid ones), as ISBN-13."""
    found = []
    for value in _subfields(record, ["020"], ["a"]):
        candidate = value.split()[0] if value.split() else ""
        try:
            number = stdisbn.to_isbn13(stdisbn.validate(candidate))
        except NumberInvalid:
            continue
        if number not in found:
            found.append(number)
    return found


def issns(record):
    found = []
    for value in _subfields(record, ["022"], ["a"]):
        try:
            number = stdissn.validate(value.split()[0])
        except (NumberInvalid, IndexError):
            continue
        if number not in found:
            found.append(number)
    return found


def year(record):
    fixed = _fixed(record)
    if len(fixed) >= 11 and fixed[7:11].isdigit() and fixed[6] in "sertmpqcdikun":
        return int(fixed[7:11])
    for value in _subfields(record, ["264", "260"], ["c"]):
        match = YEAR.search(value)
        if match:
            return int(match.group(1))
    return None


def language(record):
    fixed = _fixed(record)
    code = fixed[35:38].strip().lower() if len(fixed) >= 38 else ""
    if re.fullmatch(r"[a-z]{3}", code) and code not in ("zxx", "und", "mul"):
        return code
    codes = _subfields(record, ["041"], ["a"])
    return codes[0][:3].lower() if codes else ""


def material(record):
    leader = str(record.leader or "")
    if len(leader) < 8:
        return "other"
    if leader[6] in ("a", "t") and leader[7] in SERIAL_LEVELS:
        return "serial"
    return MATERIAL.get(leader[6], "other")


def title_parts(record):
    """('Title : subtitle. Part', its sort key without the leading article the record marks as non-filing)."""
    field = _field(record, "245")
    if field is None:
        return "", ""
    main = clean(" ".join(field.get_subfields("a")))
    rest = clean(" ".join(field.get_subfields("b")))
    parts = [part for code in "np" for part in map(clean, field.get_subfields(code)) if part]
    title = main + (f" : {rest}" if rest else "") + "".join(f". {p}" for p in parts)
    skip = int(field.indicator2) if (field.indicator2 or "").isdigit() else 0
    return title, fold_words(title[skip:] if skip < len(title) else title)


ORIGINAL = re.compile(r"\boriginal\b", re.IGNORECASE)
# Collective uniform titles (AACR2/RDA conventional titles): "Works", "Correspondence. Selections" name a kind
# of compilation, not one work, so the title proper stands for the work instead.
COLLECTIVE = {"works", "selections", "correspondence", "letters", "speeches", "poems", "poetry", "novels",
              "short stories", "stories", "plays", "essays", "prose works", "novellas", "tales", "sermons",
              "writings", "interviews"}


def _work_title(field, codes, skip=0):
    """A title subfield set folded as work keys compare it: without non-filing characters, leading articles,
    'de'/'of' and punctuation."""
    text = " ".join(v for code in codes for v in field.get_subfields(code))
    text = clean(text[skip:] if 0 < skip < len(text) else text)
    return " ".join(w for w in fold_words(text).split() if w not in STOP)


def _skip(indicator):
    return int(indicator) if (indicator or "").isdigit() else 0


def work_key(record):
    """What links the editions and translations of one work: its uniform title (130, or 240 with the main
    author), else the original title a translation names (765 $t, or a 246 whose $i says "original"), else the
    title proper (245 $a $n $p) with the main author — folded, so that a Spanish edition without a uniform
    title and its Portuguese translation with 240 "Cien años de soledad. Portuguese" share one key. The
    language (240 $l) and version are not part of it."""
    main = _field(record, "100") or _field(record, "110") or _field(record, "111")
    author = fold_words(clean(" ".join(main.get_subfields("a"))).split(",")[0]) if main is not None else ""
    title = ""
    uniform = _field(record, "130")
    if uniform is not None:
        title = _work_title(uniform, "anp", _skip(uniform.indicator1))
    elif (uniform := _field(record, "240")) is not None:
        title = _work_title(uniform, "anp", _skip(uniform.indicator2))
    if title and " ".join(w for w in title.split() if w != "selections") in COLLECTIVE | {""}:
        title = ""
    if not title:
        original = _field(record, "765")
        if original is not None:
            title = _work_title(original, "t")
    if not title:
        for varying in record.get_fields("246"):
            if any(ORIGINAL.search(fold(v)) for v in varying.get_subfields("i")):
                title = _work_title(varying, "anp")
                break
    if not title:
        proper = _field(record, "245")
        if proper is not None:
            title = _work_title(proper, "anp", _skip(proper.indicator2))
    if not title:
        return ""
    return f"{title}|{author}"[:300]


# A copy's status as sources write it (Koha's codes and words in the network's languages) → the catalog's four.
STATUS_WORDS = {
    "available": ("available", "disponible", "disponivel", "en estante", "on shelf", "in library", "libre",
                  "0"),
    "on_loan": ("on loan", "checked out", "due", "prestado", "en prestamo", "prestamo", "emprestado",
                "emprestimo", "vence"),
    "reference": ("reference", "referencia", "not for loan", "no se presta", "consulta", "no prestable",
                  "nao circula", "no circula", "uso local", "local use", "library use only"),
    "missing": ("missing", "lost", "perdido", "extraviado", "desaparecido", "withdrawn", "retirado", "dado de baja",
                "baja", "faltante"),
}
NEGATED = re.compile(r"(no|nao|not|un)\s?(disponible|disponivel|available)")
DUE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")


def status_code(text):
    """'available', 'on_loan', 'reference' or 'missing' for a copy's status as its source wrote it; '' when
    the text says nothing the catalog knows (a due date alone means on loan)."""
    words = fold_words(text or "")
    if not words or NEGATED.match(words):
        return ""
    for code in ("missing", "reference", "on_loan", "available"):  # "not for loan" is reference
        for word in STATUS_WORDS[code]:
            if words == word or re.search(rf"\b{re.escape(word)}\b", words):
                return code
    return "on_loan" if DUE_DATE.search(text) else ""


def normalise(record):
    """The normalised fields of a record (all text; lists for repeated things)."""
    title, sort_title = title_parts(record)
    authors = _subfields(record, ["100", "110", "111", "700", "710", "711"], ["a"])
    return {
        "title": title[:1000],
        "sort_title": sort_title.strip()[:300],
        "authors": authors[:20],
        "isbns": isbns(record),
        "issns": issns(record),
        "other_ids": _subfields(record, ["035"], ["a"])[:10],
        "year": year(record),
        "language": language(record),
        "material": material(record),
        "edition": _first(record, ["250"], ["a"])[:200],
        "publisher": _first(record, ["264", "260"], ["b"])[:300],
        "place": _first(record, ["264", "260"], ["a"])[:200],
        "series": _first(record, ["490", "830"], ["a"])[:300],
        "subjects": sorted(set(_subfields(record, ["600", "610", "611", "630", "650", "651", "655"], ["a"])))[:30],
        "notes": " ".join(_subfields(record, ["500", "505", "520"], ["a", "t", "r"]))[:2000],
        "work_key": work_key(record),
    }


STOP = {"the", "a", "an", "el", "la", "los", "las", "lo", "un", "una", "o", "os", "as", "um", "uma", "le", "les",
        "de", "del", "da", "do", "di", "der", "die", "das"}


def _title_words(title):
    """The first two significant words of the title proper (before a subtitle; folded, articles and 'de'
    dropped): so a record with its subtitle and one without share their blocks."""
    words = [w for w in fold_words(title.split(" : ")[0]).split() if w not in STOP]
    return " ".join(words[:2])


def keys_of(fields):
    """The record's keys: identifier keys (a match) and blocking keys ("blk:", candidates to compare). The
    blocks are narrow on purpose — the title's first two significant words with the year, or with the first
    author — so that the comparisons per record stay few as the catalog grows."""
    keys = [f"isbn:{number}" for number in fields.get("isbns", [])]
    keys += [f"issn:{number}" for number in fields.get("issns", [])]
    title = fold_words(fields.get("title", ""))[:120]
    author = fold_words((fields.get("authors") or [""])[0].split(",")[0])
    words = _title_words(fields.get("title", ""))
    if title and fields.get("year"):
        edition = fold_words(fields.get("edition", ""))
        keys.append(f"tay:{title}|{author}|{fields['year']}|{edition}"[:200])
        if words:
            keys.append(f"blk:{words}|{fields['year']}"[:200])
    if words:
        keys.append(f"blk:{words}|{author}"[:200])  # also finds the same work of another year (shown as near)
    return keys
