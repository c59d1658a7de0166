"""Counting libraries the same way: a library's ISO 2789 type, subtype and statutory flag, and the crosswalk that
derives the IFLA Library Map of the World's type and SIRBI's network type from them.

The registry has long kept one declared type per library (`Library.type`: public, school, popular, national,
university, special, mobile). Until a library's ISO 2789 fields are filled, they follow from that declared type
(`DECLARED_AS_ISO`): a popular library is a public library that is not statutory (run by a community group, not
by a public authority), which is exactly what the Library Map of the World calls a community library.

The crosswalk itself is data (`TypologyRule`, edited by the secretariat, change-logged): the first rule, in order,
whose conditions a library meets gives its types, and names itself, so every derived type says why. Plain
functions over values: no query here.
"""

from dataclasses import dataclass

from .choices import IsoSubtype, IsoType, LibraryType

# The ISO 2789 type and statutory flag a declared type stands for, while a library's own are not filled in.
DECLARED_AS_ISO = {
    LibraryType.PUBLIC: (IsoType.PUBLIC, True),
    LibraryType.MOBILE: (IsoType.PUBLIC, True),
    LibraryType.POPULAR: (IsoType.PUBLIC, False),
    LibraryType.SCHOOL: (IsoType.SCHOOL, True),
    LibraryType.NATIONAL: (IsoType.NATIONAL, True),
    LibraryType.UNIVERSITY: (IsoType.HIGHER_EDUCATION, True),
    LibraryType.SPECIAL: (IsoType.SPECIAL, True),
}


@dataclass(frozen=True)
class Typed:
    """A library's typology as the crosswalk reads it."""

    iso_type: str
    iso_subtype: str
    statutory: bool

    @property
    def iso_type_label(self):
        return IsoType(self.iso_type).label

    @property
    def iso_subtype_label(self):
        return IsoSubtype(self.iso_subtype).label if self.iso_subtype else ""


def typed(declared_type, iso_type="", iso_subtype="", statutory=None):
    """The ISO 2789 values of a library: its own where filled in, else those its declared type stands for."""
    implied_type, implied_statutory = DECLARED_AS_ISO.get(declared_type, (IsoType.SPECIAL, True))
    return Typed(iso_type or implied_type, iso_subtype or "", implied_statutory if statutory is None else statutory)


def rule_for(rules, item):
    """The first rule (in order) that `item` (a Typed) meets, or None. `rules` are TypologyRule objects or
    anything with the same attributes: iso_type, iso_subtype ("" = any), statutory (None = either)."""
    for rule in rules:
        if rule.iso_type != item.iso_type:
            continue
        if rule.iso_subtype and rule.iso_subtype != item.iso_subtype:
            continue
        if rule.statutory is not None and rule.statutory != item.statutory:
            continue
        return rule
    return None


def unreachable(rules, lmw_types, sirbi_types):
    """The LMW and SIRBI types no rule produces (a crosswalk that leaves one out cannot count it)."""
    return ({t for t in lmw_types} - {r.lmw_type for r in rules},
            {t for t in sirbi_types} - {r.sirbi_type for r in rules})


def uncovered(rules, iso_types):
    """The (ISO type, statutory) pairs no rule takes (libraries of that kind would have no derived type)."""
    return [(iso_type, statutory) for iso_type in iso_types for statutory in (True, False)
            if rule_for(rules, Typed(iso_type, "", statutory)) is None]
