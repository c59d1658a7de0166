"""Writes the country shapes that maps of libraries draw: the member countries of SIRBI at the 1:50m scale of
Natural Earth (public domain), taken from the world-atlas npm package (countries-50m.json), with nothing else.

World views (the members' map, an indicator's map, the agenda) draw world-atlas's coarser countries-110m.json
(108 KB); a map of libraries zooms on a member country, where 1:110m coasts look crude, so it draws these
shapes over the coarse world. Run again when the members or the world-atlas version change:

    python scripts/region_shapes.py [node_modules] > src/sirbi/core/static/sirbi/maps/members-50m.json
"""

import json
import sys
from pathlib import Path

# ISO 3166-1 numeric codes of CERLALC's member states (registry/data: is_member).
MEMBERS = {"032", "068", "076", "152", "170", "188", "192", "214", "218", "222", "320", "340", "484", "558", "591",
           "600", "604", "620", "724", "858", "862"}


def arc_indexes(arcs):
    """Every arc index a geometry's nested lists name (a negative index ~i is arc i reversed)."""
    for item in arcs:
        if isinstance(item, list):
            yield from arc_indexes(item)
        else:
            yield item if item >= 0 else ~item


def renumber(arcs, new):
    return [renumber(item, new) if isinstance(item, list) else (new[item] if item >= 0 else ~new[~item])
            for item in arcs]


def subset(topology, codes):
    geometries = [g for g in topology["objects"]["countries"]["geometries"] if g.get("id") in codes]
    used = sorted({i for g in geometries for i in arc_indexes(g.get("arcs", []))})
    new = {old: position for position, old in enumerate(used)}
    for geometry in geometries:
        geometry["arcs"] = renumber(geometry["arcs"], new)
    return {
        "type": "Topology",
        "bbox": topology.get("bbox"),
        "transform": topology["transform"],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": [topology["arcs"][i] for i in used],
    }


def main():
    node_modules = Path(sys.argv[1] if len(sys.argv) > 1 else "node_modules")
    topology = json.loads((node_modules / "world-atlas" / "countries-50m.json").read_text())
    json.dump(subset(topology, MEMBERS), sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
