"""Structured queries for the catalog's search back-end: the shape a protocol asks in (SRU's CQL today), as a
small tree of plain nodes, and its translation to Tantivy queries over the index fields of `search.schema`.

The keyword box of the pages goes through `search.parse_query` (a string for Tantivy's query parser); a protocol
knows exactly which field, relation and boolean it means, so it builds the query objects directly: nothing is
re-parsed, and a term is never read as syntax. A distributed back-end translates the same nodes to its own
queries. Terms are analysed by the index's own analyser (the "fold" tokenizer: words, lower case, ASCII folding),
so a query word meets the indexed word whatever its case or accents.
"""

import re
from dataclasses import dataclass

import tantivy

# The folded text fields and what a query for "any field" searches (the page's keyword box searches the same).
WORD_FIELDS = ("title", "author", "subject", "publisher")
ANY_FIELD = "*"
# The first characters of folded words, in the index's order (scan walks them).
INITIALS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Words:
    """Words in a text field (or ANY_FIELD): every one ("all"), one at least ("any"), or in this order ("phrase",
    with `slop` other words allowed between them). A word may carry masks: * any characters, ? one."""

    field: str
    words: tuple
    mode: str = "all"
    slop: int = 0


@dataclass(frozen=True)
class Exact:
    """One of these whole values in a field kept as is (isbn, language, country, network, library, key)."""

    field: str
    values: tuple


@dataclass(frozen=True)
class Years:
    """Publication years from `low` to `high`, both included; None leaves that side open."""

    low: int | None
    high: int | None


@dataclass(frozen=True)
class Both:
    """left AND right; with `negate`, left AND NOT right."""

    left: object
    right: object
    negate: bool = False


@dataclass(frozen=True)
class Either:
    left: object
    right: object


@dataclass(frozen=True)
class Everything:
    """Matches every document."""


@dataclass(frozen=True)
class Nothing:
    """Matches no document (an identifier that names nothing here)."""


def _analyzer():
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


_ANALYZER = _analyzer()
_MASK = re.compile(r"(?<!\\)[*?]")


def analyse(text):
    """The index's words for `text` (what the "fold" tokenizer makes of it)."""
    return _ANALYZER.analyze(text)


def masked(word):
    """True when the word carries an unescaped * or ?."""
    return bool(_MASK.search(word))


def _mask_pattern(word):
    """A masked word as a regular expression over the index's terms: the literal parts analysed like the index,
    * as any characters and ? as one."""
    parts = []
    for piece in re.split(r"((?<!\\)[*?])", word):
        if piece == "*":
            parts.append(".*")
        elif piece == "?":
            parts.append(".")
        elif piece:
            parts.append(re.escape("".join(analyse(piece.replace("\\", "")))))
    return "".join(parts)


def _word_query(schema, field, word):
    if masked(word):
        return tantivy.Query.regex_query(schema, field, _mask_pattern(word))
    tokens = analyse(word.replace("\\", ""))
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, field, tokens[0])
    # "García-Márquez" is two words in the index: they must stand together.
    return tantivy.Query.phrase_query(schema, field, tokens) if tokens else None


def _words_in_field(schema, field, node):
    if node.mode == "phrase" and not any(masked(w) for w in node.words):
        tokens = [t for w in node.words for t in analyse(w.replace("\\", ""))]
        if len(tokens) > 1:
            return tantivy.Query.phrase_query(schema, field, tokens, slop=node.slop)
    queries = [q for q in (_word_query(schema, field, w) for w in node.words) if q is not None]
    if not queries:
        return None
    occur = tantivy.Occur.Should if node.mode == "any" else tantivy.Occur.Must
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(occur, q) for q in queries])


def _isbn_query(schema, node):
    from .search import _isbn_term  # the page search's own normalisation (ISBN-10 → ISBN-13)

    terms = [_isbn_term(w) for w in node.words if re.fullmatch(r"[\d\-Xx]{10,17}", w)
             and len(re.sub(r"[^0-9Xx]", "", w)) in (10, 13)]
    return [tantivy.Query.term_query(schema, "isbn", t) for t in terms]


def _words(schema, node):
    if node.field != ANY_FIELD:
        return _words_in_field(schema, node.field, node)
    # Any field: the words in one field at least; an ISBN among them also finds the book by its ISBN.
    queries = [q for q in (_words_in_field(schema, f, node) for f in WORD_FIELDS) if q is not None]
    queries += _isbn_query(schema, node)
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, q) for q in queries])


def tantivy_query(schema, node):
    """The Tantivy query for a tree of nodes (a query matching nothing for a clause without any word)."""
    if isinstance(node, Words):
        return _words(schema, node) or tantivy.Query.empty_query()
    if isinstance(node, Exact):
        if node.field == "isbn":
            from .search import _isbn_term
            values = [_isbn_term(v) for v in node.values]
        else:
            values = list(node.values)
        if len(values) == 1:
            return tantivy.Query.term_query(schema, node.field, values[0])
        return tantivy.Query.term_set_query(schema, node.field, values) if values else tantivy.Query.empty_query()
    if isinstance(node, Years):
        return tantivy.Query.range_query(schema, "year", tantivy.FieldType.Integer, node.low, node.high)
    if isinstance(node, Both):
        right = (tantivy.Occur.MustNot if node.negate else tantivy.Occur.Must, tantivy_query(schema, node.right))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy_query(schema, node.left)), right])
    if isinstance(node, Either):
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy_query(schema, node.left)),
                                            (tantivy.Occur.Should, tantivy_query(schema, node.right))])
    if isinstance(node, Nothing):
        return tantivy.Query.empty_query()
    if isinstance(node, Everything):
        return tantivy.Query.all_query()
    raise TypeError(f"not a query node: {node!r}")


def terms_from(searcher, field, start, before, after):
    """A browse of a field's terms around `start` (scan): up to `before` terms below it and `after` from it on, in
    the index's order, each with the number of documents that hold it now (deleted documents left out).

    Tantivy walks its term dictionary by prefix, so the walk goes by first character: the start's own, then the
    next ones (or the previous ones) in the folded alphabet until enough terms are found; words in other scripts
    are reached from a start in their own script."""
    start = "".join(analyse(start))
    live = tantivy.Query.all_query()

    def with_prefix(prefix):
        found = searcher.terms_with_prefix(field, prefix, filter_query=live)
        return sorted((term, count) for term, count in found if count)

    first = start[:1]
    pool = with_prefix(first) if first else []
    below = [t for t in pool if t[0] < start]
    above = [t for t in pool if t[0] >= start]
    for initial in (i for i in INITIALS if i > first):
        if len(above) >= after:
            break
        above += with_prefix(initial)
    for initial in (i for i in reversed(INITIALS) if i < first):
        if len(below) >= before:
            break
        below = with_prefix(initial) + below
    return below[max(len(below) - before, 0):], above[:after]
