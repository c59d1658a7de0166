"""What the platform publishes as open data, described once: its datasets (the registry's libraries and
networks, each statistics indicator's figures, the country tables, the indicator definitions, the union
catalog), their downloads and the services that serve them.

The DCAT-AP catalogue (portal/dcat.py) and the schema.org descriptions in the pages (portal/schema_org.py)
are both written from these descriptions, so a new download appears in both. Titles and descriptions are
kept in every language of the platform, each rendered from the translation catalogs under that language.
Paths are relative to the site; the writers make them absolute for the host that was asked.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirbi.catalog.models import Cluster
from sirbi.registry.models import Country, Library, Network
from sirbi.stats.models import Indicator, Value

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CATALOGUE_PATH = "/opendata/catalog"  # the DCAT-AP catalogue (sirbi/urls.py); datasets are its #fragments

# Media types (IANA) of the download formats; the EU file-type vocabulary's code of each is its upper case.
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
    "marcxml": "application/marcxml+xml",
}
REGISTRY_FORMATS = ("csv", "xlsx", "json", "geojson")
NETWORK_FORMATS = ("csv", "xlsx", "json")
STATS_FORMATS = ("csv", "xlsx", "json")
STATISTICS_KEYWORD = gettext_lazy("library statistics")


@dataclass
class Distribution:
    """One way to get a dataset: a file to download, or a service to ask."""

    fmt: str
    url: str
    service: str = ""  # the key of the DataService it is reached through, if any

    @property
    def media_type(self):
        return MEDIA_TYPES[self.fmt]


@dataclass
class Dataset:
    key: str
    title: dict  # language code -> text
    description: dict
    page: str  # the page people read it on
    distributions: list
    themes: tuple  # codes of the EU data theme vocabulary
    countries: list  # Country objects it covers
    modified: datetime | None = None
    years: tuple | None = None  # (first, last) year of the figures
    keywords: dict = field(default_factory=dict)


@dataclass
class Service:
    key: str
    title: dict
    description: dict
    endpoint: str
    description_url: str
    standard: str  # the address of the protocol it speaks
    serves: tuple  # keys of the datasets


def languages():
    return [code for code, _name in settings.LANGUAGES]


def in_each_language(text):
    """{language: text}: a lazy translation rendered under each language of the platform, from the catalogs."""
    texts = {}
    for language in languages():
        with translation.override(language):
            texts[language] = str(text)
    return texts


def _path(name, *args, query=""):
    # Downloads of pages under a language prefix are the same data in every language: name them in the
    # default one, which is what a visitor without a preference gets.
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args) + (f"?{query}" if query else "")


def _indicator_text(indicator, field_name, language):
    return getattr(indicator, f"{field_name}_{language}") or indicator.name_en


@dataclass
class Facts:
    """What the published figures of an indicator (or all of them) cover, and when they last changed."""

    first: int | None = None
    last: int | None = None
    modified: datetime | None = None
    countries: set = field(default_factory=set)

    def add(self, country_id, first, last, modified):
        self.first = min(first, self.first or first)
        self.last = max(last, self.last or last)
        self.modified = max(modified, self.modified or modified)
        self.countries.add(country_id)

    @property
    def years(self):
        return (self.first, self.last) if self.first is not None else None


def published_facts():
    """{indicator id: Facts} and the Facts of every published figure, in one pass over the figures (grouped by
    indicator and country: at most indicators × countries rows come back, however many figures there are)."""
    by_indicator, every = {}, Facts()
    for indicator_id, country_id, first, last, modified in (
            Value.objects.published().values_list("indicator", "country").order_by()
            .annotate(first=Min("year"), last=Max("year"), modified=Max("updated"))):
        by_indicator.setdefault(indicator_id, Facts()).add(country_id, first, last, modified)
        every.add(country_id, first, last, modified)
    return by_indicator, every


def _indicator_datasets(indicators, members, by_indicator):
    """One dataset per active indicator, with the years, countries and last change of its published figures."""
    datasets = []
    for indicator in indicators:
        facts = by_indicator.get(base_indicator(indicator).pk, Facts())
        datasets.append(indicator_dataset(indicator, [c for c in members if c.pk in facts.countries],
                                          years=facts.years, modified=facts.modified))
    return datasets


def base_indicator(indicator):
    """The reported indicator whose figures a derived one is computed from (its years and countries)."""
    while indicator.is_derived:
        indicator = indicator.numerator
    return indicator


def indicator_dataset(indicator, countries, years=None, modified=None):
    """An indicator's figures as a dataset: its country tables, and for a reported one its published values."""
    query = f"indicator={indicator.code}"
    distributions = [Distribution(fmt, _path("stats-data:aggregates", fmt, query=query)) for fmt in STATS_FORMATS]
    if not indicator.is_derived:
        distributions += [Distribution(fmt, _path("stats-data:values", fmt, query=query)) for fmt in STATS_FORMATS]
    titles, descriptions = {}, {}
    for language in languages():
        name = _indicator_text(indicator, "name", language)
        definition = _indicator_text(indicator, "definition", language)
        with translation.override(language):
            titles[language] = _("SIRBI statistics: %(indicator)s") % {"indicator": name}
            descriptions[language] = " ".join(filter(None, [
                _("Figures of the indicator “%(indicator)s” for the SIRBI member countries and the region, "
                  "with the source and licence of each value.") % {"indicator": name}, definition]))
    return Dataset(
        key=f"indicator-{indicator.code}", title=titles, description=descriptions,
        page=_path("stats:indicator", indicator.code), distributions=distributions, themes=("EDUC", "SOCI"),
        countries=countries, modified=modified or None, years=years,
        keywords=in_each_language(STATISTICS_KEYWORD))


def _described(key, title, description, page, files, api=None, themes=("EDUC", "SOCI"),
               keyword=STATISTICS_KEYWORD, **facts):
    """A dataset of downloadable `files`, also read as JSON from the API's list `api` (its URL name)."""
    distributions = files + ([Distribution("json", reverse(api), service="api")] if api else [])
    return Dataset(key=key, title=in_each_language(title), description=in_each_language(description), page=page,
                   distributions=distributions, themes=themes, keywords=in_each_language(keyword), **facts)


def _files(name, formats):
    return [Distribution(fmt, _path(name, fmt)) for fmt in formats]


def _exports(name, formats):
    """A list page's downloads (?export=csv and the like)."""
    return [Distribution(fmt, _path(name, query=f"export={fmt}")) for fmt in formats]


def _last_change(model):
    return model.objects.aggregate(last=Max("updated"))["last"]


def published_datasets():
    """Every dataset of the platform, with its coverage and last change read from the data."""
    members = list(Country.objects.filter(is_member=True).order_by("code"))
    indicators = list(Indicator.objects.filter(is_active=True).select_related("numerator__numerator"))
    by_indicator, every = published_facts()
    figures = {"countries": members, "modified": every.modified, "years": every.years}
    registry = {"countries": members, "themes": ("EDUC", "GOVE")}
    overview = _path("stats:overview")
    return [
        _described("libraries", gettext_lazy("SIRBI registry: libraries"), gettext_lazy(
            "The libraries of the national public and school library networks of the SIRBI member countries: "
            "name, ISIL, type, status, networks, address, coordinates and services."),
            _path("registry:libraries"), _exports("registry:libraries", REGISTRY_FORMATS), api="library-list",
            keyword=gettext_lazy("libraries"), modified=_last_change(Library), **registry),
        _described("networks", gettext_lazy("SIRBI registry: national library networks"), gettext_lazy(
            "The national public and school library networks of the SIRBI member countries: type, governing "
            "entity, legal framework, libraries declared, with the source of each network."),
            _path("registry:networks"), _exports("registry:networks", NETWORK_FORMATS), api="network-list",
            keyword=gettext_lazy("library networks"), modified=_last_change(Network), **registry),
        _described("statistics", gettext_lazy("SIRBI published statistics values"), gettext_lazy(
            "Every published statistics figure of the SIRBI member countries, their networks and libraries, "
            "with the source and licence of each value and the indicator definitions."),
            overview, _files("stats-data:values", STATS_FORMATS), api="value-list", **figures),
        _described("aggregates", gettext_lazy("SIRBI statistics by country and for the region"), gettext_lazy(
            "Each indicator's figure for every member country and for the region, with the coverage of the "
            "regional figure, by library type, for each country's latest year."),
            overview, _files("stats-data:aggregates", STATS_FORMATS), **figures),
        _described("indicators", gettext_lazy("SIRBI statistics indicator definitions"), gettext_lazy(
            "The indicators of the SIRBI statistics: names and definitions in Spanish, Portuguese and English, "
            "units, formulas and the ISO 2789 or ISO 11620 reference of each."),
            overview, _files("stats-data:indicators", STATS_FORMATS), api="indicator-list", countries=members,
            modified=_last_change(Indicator)),
        *_indicator_datasets(indicators, members, by_indicator),
        _described("union-catalog", gettext_lazy("SIRBI union catalog"), gettext_lazy(
            "The bibliographic records of the member libraries grouped by edition, with the libraries that "
            "hold each one, as MARCXML or Dublin Core through SRU and OAI-PMH."),
            _path("catalog:search"), [Distribution("marcxml", "/sru", service="sru"),
                                      Distribution("marcxml", "/oai", service="oai")],
            api="catalog-cluster-list", themes=("EDUC",), keyword=gettext_lazy("union catalog"), countries=members,
            modified=_last_change(Cluster)),
    ]


# The union catalog's library protocols (catalog/sru/, catalog/oai/): key, title, description, endpoint, the
# request that describes it, and the standard it speaks.
PROTOCOLS = (
    ("sru", gettext_lazy("SRU server of the SIRBI union catalog"), gettext_lazy(
        "Searches the union catalog with CQL (SRU 2.0 and 1.2) and answers MARCXML or Dublin Core records, each "
        "with the libraries that hold it."), "/sru", "/sru?operation=explain&version=1.2",
     "http://www.loc.gov/standards/sru/"),
    ("oai", gettext_lazy("OAI-PMH provider of the SIRBI union catalog"), gettext_lazy(
        "Harvest of the union catalog (OAI-PMH 2.0) as MARCXML or Dublin Core, by country, network or library."),
     "/oai", "/oai?verb=Identify", "http://www.openarchives.org/OAI/2.0/"),
)


def data_services(datasets):
    """The REST API and the library protocols, with the datasets each serves."""
    api = Service(
        key="api", title=in_each_language(gettext_lazy("SIRBI REST API")),
        description=in_each_language(gettext_lazy(
            "Reads of the registry, the statistics, the cooperation workspace and the union catalog as JSON, with "
            "filters and pages; described by an OpenAPI 3 schema.")),
        endpoint=reverse("api-root"), description_url=reverse("api-schema"),
        standard="https://spec.openapis.org/oas/v3.0.3",
        serves=tuple(dataset.key for dataset in datasets))
    return [api, *(Service(key, in_each_language(title), in_each_language(description), endpoint, described_by,
                           standard, serves=("union-catalog",))
                   for key, title, description, endpoint, described_by, standard in PROTOCOLS)]


def publisher():
    """CERLALC, which publishes SIRBI's data, named in each language."""
    return {"name": in_each_language(
        gettext_lazy("Regional Center for Book Promotion in Latin America and the Caribbean (CERLALC)")),
            "homepage": "https://cerlalc.org/"}


def catalogue():
    """The whole open data catalogue: its own texts, the publisher, the datasets and the services."""
    datasets = published_datasets()
    return {
        "title": in_each_language(gettext_lazy("SIRBI open data")),
        "description": in_each_language(gettext_lazy(
            "Open data of SIRBI, the Ibero-American System of National Public and School Library Networks: the "
            "registry of networks and libraries, the library statistics and the union catalog, under the "
            "CC BY 4.0 licence.")),
        "publisher": publisher(), "datasets": datasets, "services": data_services(datasets),
        "homepage": _path("portal:open-data"),
    }
