"""CQL (the Contextual Query Language of SRU) to the search back-end's structured query (`catalog.search_tree`).

The text is parsed by cql-parser (a maintained CQL 1.2 grammar); this module walks its tree: context sets and
their indexes, relations and their modifiers, booleans, proximity and sortBy, answering anything it cannot map
with the standard diagnostic. What cql-parser leaves to its users, done here: prefix assignments are resolved
against the context sets we know (its own resolution is unfinished), masking characters (* and ?) and backslash
escapes in terms are read, its parser (not thread-safe) is one per thread, and its error log is kept quiet (a bad
query is the client's, answered by a diagnostic).

No Django here: the two look-ups that need the database (a library's ISIL, an ISSN) come in as `lookups`.
"""

import logging
import re
import threading
from dataclasses import dataclass

from cql.lexer import CQLLexer, CQLLexerError
from cql.parser import CQLParser12, CQLParserError, CQLSearchClause, CQLTriple

from ..search_tree import ANY_FIELD, Both, Either, Everything, Exact, Nothing, Words, Years, masked
from .diagnostics import Diagnostic

# Our own context set, for what a union catalog of a region's networks adds: where a book is held.
SIRBI_SET = "tag:cerlalc.org,2026:sirbi/cql-context-set/1"
CONTEXT_SETS = {  # short name → identifier, as explain lists them
    "cql": "info:srw/cql-context-set/1/cql-v1.2",
    "dc": "info:srw/cql-context-set/1/dc-v1.1",
    "bath": "http://zing.z3950.org/cql/bath/2.0/",
    "rec": "info:srw/cql-context-set/2/rec-1.1",
    "sirbi": SIRBI_SET,
}
_KNOWN_URIS = {**{uri: name for name, uri in CONTEXT_SETS.items()},
               "info:srw/cql-context-set/1/cql-v1.1": "cql", "info:srw/cql-context-set/2/rec-1.0": "rec"}

# (context set, index) → (kind, index field). Kinds: text (words), year, exact (whole values), and the two that
# the database resolves (issn, library).
INDEXES = {
    ("cql", "serverchoice"): ("text", ANY_FIELD),
    ("cql", "keywords"): ("text", ANY_FIELD),
    ("cql", "allindexes"): ("text", ANY_FIELD),
    ("cql", "allrecords"): ("all", None),
    ("dc", "title"): ("text", "title"),
    ("dc", "creator"): ("text", "author"),
    ("dc", "author"): ("text", "author"),
    ("dc", "subject"): ("text", "subject"),
    ("dc", "publisher"): ("text", "publisher"),
    ("dc", "date"): ("year", "year"),
    ("dc", "language"): ("exact", "language"),
    ("bath", "isbn"): ("exact", "isbn"),
    ("bath", "issn"): ("issn", None),
    ("rec", "id"): ("exact", "key"),
    ("sirbi", "country"): ("exact", "country"),
    ("sirbi", "network"): ("exact", "network"),
    ("sirbi", "library"): ("library", "library"),
}
# An index named without its set ("title") is looked for in these, in this order.
DEFAULT_SETS = ("cql", "dc", "bath", "rec", "sirbi")
RELATIONS = {
    "text": {"=", "==", "all", "any", "adj", "scr"},
    "year": {"=", "==", "<", ">", "<=", ">=", "within", "scr"},
    "exact": {"=", "==", "any", "scr"},
    "issn": {"=", "==", "any", "scr"},
    "library": {"=", "==", "any", "scr"},
    "all": {"=", "==", "any", "all", "scr"},
}
# Relation modifiers that change nothing here: results are ranked anyway, case and accents are always folded,
# masking is always read.
HARMLESS_MODIFIERS = {"relevant", "ignorecase", "ignoreaccents", "masked", "cql.relevant", "cql.ignorecase",
                      "cql.ignoreaccents", "cql.masked"}
SORT_INDEXES = {"title": "title", "date": "year"}
MAX_QUERY = 2000
MAX_BOOLEANS = 64

logging.getLogger("cql").setLevel(logging.CRITICAL)  # its parser logs every syntax error it raises
_local = threading.local()


@dataclass
class Query:
    """A parsed query: the back-end's tree and the sort ("relevance", "title", "title_desc", "year", "year_asc")."""

    tree: object
    sort: str = "relevance"


def _parser():
    parser = getattr(_local, "parser", None)
    if parser is None:
        lexer = CQLLexer()
        lexer.build()
        parser = CQLParser12()
        parser.build(lexer)
        _local.parser = parser
    return parser


def parse(text, lookups):
    """The Query for a CQL text; `lookups` resolves ISILs (`library_ids`) and ISSNs (`issn_clusters`)."""
    if not text or not text.strip():
        raise Diagnostic(7, "query")
    if len(text) > MAX_QUERY:
        raise Diagnostic(12, MAX_QUERY)
    try:
        parsed = _parser().parse(text)
    except (CQLParserError, CQLLexerError) as exc:
        raise Diagnostic(10, exc.args[0] if exc.args else "") from exc
    except Exception as exc:  # the generated parser's own failures on odd input are syntax errors too
        raise Diagnostic(10, type(exc).__name__) from exc
    if parsed is None:
        raise Diagnostic(10, text)
    parsed.setServerDefaults()
    return Query(_Walk(lookups).node(parsed.root, {}), _sort(parsed.root.sortSpecs))


def _sort(specs):
    if not specs:
        return "relevance"
    if len(specs) > 1:
        raise Diagnostic(84, 1)
    spec = specs[0]
    prefix, name = _split(str(spec.index))
    if prefix not in (None, "dc") or name.lower() not in SORT_INDEXES:
        raise Diagnostic(16, spec.index)
    key = SORT_INDEXES[name.lower()]
    descending = False
    for modifier in spec.modifiers or []:
        kind = str(modifier.name).lower().removeprefix("sort.")
        if kind in ("descending", "ascending"):
            descending = kind == "descending"
        elif kind not in ("ignorecase", "ignoreaccents", "missinglow", "missinghigh"):
            raise Diagnostic(20, modifier.name)
    if key == "title":
        return "title_desc" if descending else "title"
    return "year" if descending else "year_asc"


def _split(name):
    prefix, dot, base = name.partition(".")
    return (prefix, base) if dot else (None, name)


def _term_words(term):
    """A term's words: split at spaces (a backslash keeps its next character)."""
    return tuple(w for w in re.split(r"(?<!\\)\s+", term.strip()) if w)


class _Walk:
    def __init__(self, lookups):
        self.lookups = lookups
        self.booleans = 0

    def node(self, item, prefixes):
        prefixes = {**prefixes, **{p.prefix: p.uri for p in getattr(item, "prefixes", []) or []}}
        if isinstance(item, CQLTriple):
            return self.triple(item, prefixes)
        return self.clause(item, prefixes)

    def triple(self, item, prefixes):
        self.booleans += 1
        if self.booleans > MAX_BOOLEANS:
            raise Diagnostic(38, MAX_BOOLEANS)
        operator = item.operator.value.lower()
        if operator == "prox":
            return self.prox(item, prefixes)
        if item.operator.modifiers:
            raise Diagnostic(46, item.operator.modifiers[0].name)
        left, right = self.node(item.left, prefixes), self.node(item.right, prefixes)
        if operator == "and":
            return Both(left, right)
        if operator == "or":
            return Either(left, right)
        if operator == "not":
            return Both(left, right, negate=True)
        raise Diagnostic(37, operator)

    def index(self, name, prefixes):
        """(kind, field) of an index, its context set resolved through the query's prefix assignments."""
        prefix, base = _split(str(name))
        base = base.lower()
        if prefix is None:
            found = [(s, base) for s in DEFAULT_SETS if (s, base) in INDEXES]
            if not found:
                raise Diagnostic(16, name)
            return INDEXES[found[0]]
        uri = prefixes.get(prefix)
        context = _KNOWN_URIS.get(uri) if uri else prefix.lower()
        if context not in CONTEXT_SETS:
            raise Diagnostic(15, uri or prefix)
        if (context, base) not in INDEXES:
            raise Diagnostic(16, name)
        return INDEXES[(context, base)]

    def clause(self, item, prefixes):
        kind, field = self.index(item.index, prefixes)
        relation = str(item.relation.comparitor).lower()
        if relation not in RELATIONS[kind]:
            raise Diagnostic(19, item.relation.comparitor)
        for modifier in item.relation.modifiers or []:
            if str(modifier.name).lower() not in HARMLESS_MODIFIERS:
                raise Diagnostic(20, modifier.name)
        words = _term_words(item.term)
        if kind == "all":
            return Everything()
        if not words:
            raise Diagnostic(27, item.index)
        if kind == "text":
            mode = {"all": "all", "any": "any"}.get(relation, "phrase")
            return Words(field, words, mode)
        if any(masked(w) for w in words):
            raise Diagnostic(28, item.term)
        values = words if relation == "any" else (" ".join(words),)
        if kind == "year":
            return self.years(relation, words, item.term)
        if kind == "exact":
            return Exact(field, tuple(self.exact_value(field, v, item.term) for v in values))
        if kind == "library":
            ids = self.lookups.library_ids(values)
            return Exact(field, tuple(str(i) for i in ids)) if ids else Nothing()
        ids = self.lookups.issn_clusters(values)  # issn
        return Exact("key", tuple(str(i) for i in ids)) if ids else Nothing()

    @staticmethod
    def exact_value(field, value, term):
        if field == "key" and not value.isdigit():
            raise Diagnostic(36, term)
        if field == "country":
            return value.upper()
        if field == "language":
            return value.lower()
        return value

    @staticmethod
    def years(relation, words, term):
        def year(text):
            found = re.fullmatch(r"(\d{1,4})(-\d\d(-\d\d)?)?", text)
            if not found:
                raise Diagnostic(36, term)
            return int(found.group(1))

        if relation == "within":
            if len(words) != 2:
                raise Diagnostic(36, term)
            low, high = sorted((year(words[0]), year(words[1])))
            return Years(low, high)
        if len(words) != 1:
            raise Diagnostic(36, term)
        value = year(words[0])
        return {"<": Years(None, value - 1), ">": Years(value + 1, None), "<=": Years(None, value),
                ">=": Years(value, None)}.get(relation, Years(value, value))

    def prox(self, item, prefixes):
        """Proximity of words in one text field: a phrase with room between its words (Tantivy's slop), so only
        `unit=word`, `distance` with < or <=, and the two orders (unordered = either order)."""
        if not (isinstance(item.left, CQLSearchClause) and isinstance(item.right, CQLSearchClause)):
            raise Diagnostic(44, "prox between two search terms only")
        left, right = self.node(item.left, prefixes), self.node(item.right, prefixes)
        if not (isinstance(left, Words) and isinstance(right, Words) and left.field == right.field):
            raise Diagnostic(44, "prox between words of one text index only")
        if any(masked(w) for w in left.words + right.words):
            raise Diagnostic(28, "masking inside prox")
        distance, ordered = 1, False
        for modifier in item.operator.modifiers or []:
            name, value = str(modifier.name).lower().removeprefix("prox."), modifier.value
            if name == "unit":
                if (value or "").lower() != "word":
                    raise Diagnostic(42, value)
            elif name == "distance":
                if modifier.comparitor not in ("<", "<=", "=") or not (value or "").isdigit():
                    raise Diagnostic(40, f"{modifier.comparitor}{value}")
                if modifier.comparitor == "=" and value != "1":
                    raise Diagnostic(41, f"={value}")
                distance = int(value) - (1 if modifier.comparitor == "<" else 0)
                if distance < 1:
                    raise Diagnostic(41, f"{modifier.comparitor}{value}")
            elif name in ("ordered", "unordered"):
                ordered = name == "ordered"
            else:
                raise Diagnostic(46, modifier.name)
        forward = Words(left.field, left.words + right.words, "phrase", slop=distance - 1)
        if ordered:
            return forward
        return Either(forward, Words(left.field, right.words + left.words, "phrase", slop=distance - 1))


def scan_clause(text):
    """(index field, term) of a scan's clause: one search clause on a text index with the relation =."""
    if not text or not text.strip():
        raise Diagnostic(7, "scanClause")
    try:
        parsed = _parser().parse(text)
    except Exception as exc:  # as in `parse`: whatever the parser raises on bad input is a syntax error
        raise Diagnostic(10, exc.args[0] if exc.args else type(exc).__name__) from exc
    if parsed is None or not isinstance(parsed.root, CQLSearchClause):
        raise Diagnostic(10, text)
    parsed.setServerDefaults()
    clause = parsed.root
    kind, field = _Walk(None).index(clause.index, {p.prefix: p.uri for p in clause.prefixes})
    if str(clause.relation.comparitor).lower() not in ("=", "scr"):
        raise Diagnostic(19, clause.relation.comparitor)
    if kind != "text" or field == ANY_FIELD:
        raise Diagnostic(16, clause.index)
    return field, clause.term
