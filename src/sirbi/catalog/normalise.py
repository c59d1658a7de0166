"""The normalised fields of a MARC 21 bibliographic record (pymarc Record → dict), kept beside the original:
title and sort title, authors, ISBN-13 (check digits verified; ISBN-10 converted), ISSN, other identifiers,
year, language (ISO 639-2), material type, edition, publisher, place, series, subjects; and the folded keys
deduplication compares (`keys_of`). No Django here."""

import re
import unicodedata

from stdnum import isbn as stdisbn
from stdnum import issn as stdissn
from stdnum.exceptions import ValidationError as NumberInvalid

from sirbi.core.text import fold_words

TRAILING = " /:;,.=+"
YEAR = re.compile(r"(1[4-9]\d\d|20\d\d)")
# Leader 06 (type of record) and 07 (bibliographic level) → material type.
MATERIAL = {"a": "book", "t": "book", "c": "music", "d": "music", "e": "map", "f": "map", "g": "video",
            "i": "sound", "j": "sound", "k": "image", "m": "electronic", "o": "kit", "p": "mixed", "r": "object"}
SERIAL_LEVELS = {"b", "i", "s"}


def clean(text):
    """A field's text in composed Unicode (records often carry decomposed accents), without the ISBD
    punctuation at its end and without repeated spaces."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).strip(TRAILING).strip()


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
            values.extend(field.get_subfields(code))
    return [clean(v) for v in values if clean(v)]


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
    parts = [clean(v) for code in "np" for v in field.get_subfields(code) if clean(v)]
    title = main + (f" : {rest}" if rest else "") + "".join(f". {p}" for p in parts)
    skip = int(field.indicator2) if (field.indicator2 or "").isdigit() else 0
    return title, fold_words(title[skip:] if skip < len(title) else title)


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
