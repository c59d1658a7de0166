"""Set specs: `country:PE`, `network:pe-public`, `library:<ISIL>`, and their parents `country`, `network`,
`library` (a colon is the spec's hierarchy separator, so each parent holds every record of its children).

A setSpec may hold only URI unreserved characters (letters, digits and - _ . ! ~ * ' ( ), OAI-PMH.xsd's
setSpecType), while an ISIL (ISO 15511) may hold "/" and ":". Every other character, and "~" itself, is written
as "~" and the two hexadecimal digits of each of its UTF-8 bytes (AT-OBV/x:1 → AT-OBV~2Fx~3A1), so each ISIL has
exactly one spec and back."""

import re
from dataclasses import dataclass

KINDS = ("country", "network", "library")
_PLAIN = re.compile(r"[A-Za-z0-9\-_.!*'()]")
_SPEC = re.compile(r"([A-Za-z0-9\-_.!~*'()])+(:[A-Za-z0-9\-_.!~*'()]+)*")
_ESCAPED = re.compile(r"(?:~[0-9A-F]{2})+")


def escape(value):
    """A value as one level of a setSpec."""
    return "".join(c if _PLAIN.fullmatch(c) else "".join(f"~{b:02X}" for b in c.encode()) for c in value)


def unescape(text):
    """The value of an escaped level; ValueError when it is not one `escape` writes."""
    value = _ESCAPED.sub(lambda m: bytes.fromhex(m.group().replace("~", "")).decode(), text)
    if "~" in _ESCAPED.sub("", text) or escape(value) != text:
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class SetSpec:
    kind: str  # one of KINDS
    value: str | None = None  # the country code, network code or ISIL; None for the parent set

    def __str__(self):
        return self.kind if self.value is None else f"{self.kind}:{escape(self.value)}"


def parse(text):
    """The SetSpec of a set argument; ValueError when it is not a set this repository can have."""
    if not _SPEC.fullmatch(text or ""):
        raise ValueError(text)
    kind, _sep, rest = text.partition(":")
    if kind not in KINDS or ":" in rest:
        raise ValueError(text)
    if not _sep:
        return SetSpec(kind)
    value = unescape(rest)
    if kind == "country" and not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(text)
    return SetSpec(kind, value)
