"""Why the region's library counts differ: for each country and Library Map of the World type, the registry's
libraries (administrative units) and their service points, the LMW's published count and its year, and the
networks' own declared counts, side by side with the difference and the reasons the typology crosswalk can name.

The registry's libraries are typed by the crosswalk (registry/typology.py): each line says which rules put its
libraries there. A library without recorded service points counts as one point (its own building).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _

from sirbi.registry.choices import LibraryStatus, LmwType, NetworkType
from sirbi.registry.models import Country, Library, Network, ServicePoint, TypologyRule
from sirbi.registry.typology import rule_for, typed

from .choices import Source
from .models import Value

# The LMW type a network's declared count is compared with.
NETWORK_AS_LMW = {NetworkType.PUBLIC: LmwType.PUBLIC, NetworkType.SCHOOL: LmwType.SCHOOL,
                  NetworkType.POPULAR: LmwType.COMMUNITY, NetworkType.OTHER: LmwType.OTHER}
GROUP = ("country__code", "type", "iso_type", "iso_subtype", "statutory")


@dataclass
class Declared:
    network: Network
    count: int
    year: int | None
    is_minimum: bool


@dataclass
class Line:
    """One LMW type of one country (or of the region)."""

    lmw_type: str
    units: int = 0                 # registry libraries, not closed
    points: int = 0                # their service points (one for a library without any recorded)
    sample_units: int = 0          # of which invented for the demonstration
    rules: set = field(default_factory=set)   # codes of the crosswalk rules that typed them
    lmw: float | None = None       # the LMW's published count
    lmw_years: set = field(default_factory=set)
    declared: list = field(default_factory=list)
    countries: set = field(default_factory=set)  # countries with an LMW figure (the region's line)
    is_region: bool = False

    @property
    def label(self):
        return LmwType(self.lmw_type).label

    @property
    def difference(self):
        """The LMW's count minus the registry's service points (positive: the registry misses some)."""
        return None if self.lmw is None else self.lmw - self.points

    @property
    def lmw_year(self):
        years = sorted(self.lmw_years)
        if not years:
            return ""
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"

    def reasons(self):
        """What the crosswalk and the sources can say about the difference, worded for the reader."""
        said = []
        if self.units and self.points != self.units:
            said.append(_("The registry's %(units)s libraries have %(points)s service points (branches, mobile "
                          "libraries, reading points); the LMW counts service points.")
                        % {"units": _number(self.units), "points": _number(self.points)})
        elif self.units and self.lmw is not None:
            said.append(_("No branches or mobile libraries are recorded for these libraries yet: each counts as "
                          "one service point, the LMW counts every one."))
        if not self.units and self.lmw is not None:
            said.append(_("The registry holds no library of this type yet."))
        if self.is_region and self.countries:
            said.append(_("The LMW figure adds up the %(n)s member countries that publish one, each of its latest "
                          "year.") % {"n": len(self.countries)})
        if self.lmw_type == LmwType.COMMUNITY:
            said.append(_("Community libraries (run by a community group or an NGO, not by a public authority) are "
                          "counted apart from public ones by the LMW and as popular libraries by SIRBI; ISO 2789 "
                          "has no category of its own for them."))
        if self.lmw_years:
            said.append(_("The LMW figure is of %(year)s; the registry is as it is today.") % {"year": self.lmw_year})
        if self.sample_units:
            said.append(_("%(n)s of the registry's libraries here are sample data invented for the demonstration: "
                          "their number says nothing about the country.") % {"n": _number(self.sample_units)})
        for item in self.declared:
            params = {"network": item.network.name, "count": _number(item.count),
                      "year": item.year or _("year unknown")}
            said.append((_("The network “%(network)s” declares more than %(count)s libraries (%(year)s).")
                         if item.is_minimum else
                         _("The network “%(network)s” declares %(count)s libraries (%(year)s).")) % params)
        if self.rules:
            said.append(_("Typed by the crosswalk's rules: %(rules)s.") % {"rules": ", ".join(sorted(self.rules))})
        return said


def reconcile(countries):
    """{country code: [Line per LMW type]} for `countries` (Country objects), in the LMW's order of types."""
    codes = [country.code for country in countries]
    lines = {code: {t: Line(t) for t in LmwType.values} for code in codes}
    rules = list(TypologyRule.objects.all())
    by_rule = {}
    libraries = (Library.objects.filter(country__code__in=codes).exclude(status=LibraryStatus.CLOSED)
                 .values(*GROUP).annotate(n=Count("pk"), sample=Count("pk", filter=Q(is_sample=True))))
    points = (ServicePoint.objects.filter(library__country__code__in=codes)
              .exclude(library__status=LibraryStatus.CLOSED).exclude(status=LibraryStatus.CLOSED)
              .values(*(f"library__{name}" for name in GROUP))
              .annotate(n=Count("pk"), libraries=Count("library", distinct=True)))
    recorded = {tuple(row[f"library__{name}"] for name in GROUP): row for row in points}
    for row in libraries:
        key = tuple(row[name] for name in GROUP)
        rule = by_rule.get(key[1:])
        if rule is None:
            rule = by_rule[key[1:]] = rule_for(rules, typed(*key[1:]))
        if rule is None:
            continue  # a crosswalk that leaves a kind out (its admin page says so): not counted
        line = lines[key[0]][rule.lmw_type]
        line.units += row["n"]
        line.sample_units += row["sample"]
        line.rules.add(rule.code)
        with_points = recorded.get(key)
        line.points += row["n"] + (with_points["n"] - with_points["libraries"] if with_points else 0)
    latest = {}
    for value in (Value.objects.filter(indicator__code="libraries", source=Source.LMW, country__code__in=codes,
                                       network=None, library=None, typology__in=LmwType.values)
                  .select_related("country").order_by("year")):
        latest[(value.country.code, value.typology)] = value
    for (code, typology), value in latest.items():
        line = lines[code][typology]
        line.lmw, line.lmw_years, line.countries = value.value, {value.year}, {code}
    for network in Network.objects.filter(country__code__in=codes, libraries_declared__isnull=False):
        lines[network.country.code][NETWORK_AS_LMW.get(network.type, LmwType.OTHER)].declared.append(
            Declared(network, network.libraries_declared, network.libraries_declared_year,
                     network.libraries_declared_is_minimum))
    return {code: list(by_type.values()) for code, by_type in lines.items()}


def region(reconciled):
    """The region's lines: the countries' lines added up, type by type (the LMW's from each country's latest)."""
    total = {t: Line(t, is_region=True) for t in LmwType.values}
    for country_lines in reconciled.values():
        for line in country_lines:
            into = total[line.lmw_type]
            into.units += line.units
            into.points += line.points
            into.sample_units += line.sample_units
            into.rules |= line.rules
            if line.lmw is not None:
                into.lmw = (into.lmw or 0) + line.lmw
                into.lmw_years |= line.lmw_years
                into.countries |= line.countries
    return list(total.values())


def members():
    return list(Country.objects.filter(is_member=True).order_by("name_en"))


CSV_COLUMNS = ["country", "lmw_type", "registry_libraries", "registry_service_points", "sample_libraries",
               "lmw_count", "lmw_year", "declared_by_networks", "difference", "rules", "reasons"]


def csv_rows(reconciled, joined=True):
    """Rows for core.downloads.export (and the API, `joined=False`: the reasons as a list), one per country and
    type."""
    for code, lines in reconciled.items():
        for line in lines:
            yield {"country": code, "lmw_type": line.lmw_type, "registry_libraries": line.units,
                   "registry_service_points": line.points, "sample_libraries": line.sample_units,
                   "lmw_count": line.lmw, "lmw_year": line.lmw_year,
                   "declared_by_networks": "; ".join(f"{d.network.code}: {'>' if d.is_minimum else ''}{d.count} "
                                                     f"({d.year or '?'})" for d in line.declared),
                   "difference": line.difference, "rules": " ".join(sorted(line.rules)),
                   "reasons": " ".join(line.reasons()) if joined else line.reasons()}


def _number(n):
    return formats.number_format(n, use_l10n=True, force_grouping=True)
