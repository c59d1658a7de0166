"""Indicators as the statistics part computes them: the real LMW figures, derived indicators, sources side
by side, aggregation with coverage, needs, and the loaders' reports."""

import pytest
from django.utils import translation

from sirbi.registry.models import Country, Library
from sirbi.stats import checks, services
from sirbi.stats.indicators import BASE, DERIVED, seed_indicators
from sirbi.stats.loaders import PopulationFileError, load_lmw, load_population_csv
from sirbi.stats.models import Indicator, Population, Value


def indicator(code):
    return Indicator.objects.get(code=code)


def test_the_catalogue_has_the_lmw_set_and_the_derived_indicators():
    assert set(Indicator.objects.values_list("code", flat=True)) == set(BASE) | set(DERIVED)
    per_100k = indicator("libraries_per_100k")
    assert per_100k.is_derived and per_100k.numerator.code == "libraries" and per_100k.denominator is None
    with translation.override("pt"):
        assert per_100k.name == "Bibliotecas por 100.000 habitantes"
    assert seed_indicators() == 0  # a second run creates nothing


def test_lmw_figures_are_published_with_their_own_years_and_source():
    spain = services.country_table(indicator("libraries"), "public")["ES"]
    assert (spain.value, spain.year, spain.source) == (4643, 2016, "lmw")
    assert "Library Map of the World" in spain.source_name
    # Bolivia and Guatemala have no LMW figures: missing, never zero.
    table = services.country_table(indicator("libraries"), "public")
    assert "BO" not in table and "GT" not in table


def test_a_second_load_changes_nothing():
    with translation.override("en"):
        report = load_lmw()
    assert report.created == 0 and report.updated == 0 and report.unchanged > 390
    reasons = dict(report.skipped)
    assert "no year" in reasons[403]  # Mexico's SNIC count has no year in the source
    assert "not an indicator" in reasons[411]


def test_a_national_networks_figure_is_shown_before_lmw_for_the_same_year(peru):
    # Peru: LMW gives no public count for 2022; the BNP's count of municipal libraries is the network's.
    figure = services.country_table(indicator("libraries"), "public")["PE"]
    assert (figure.value, figure.year, figure.source, figure.basis) == (469, 2022, "network", "network")
    Value.objects.create(indicator=indicator("libraries"), typology="public", country=peru, year=2022, value=500,
                         source="lmw", status="published")
    figure = services.country_table(indicator("libraries"), "public")["PE"]
    assert figure.value == 469 and [(a.value, a.source) for a in figure.alternatives] == [(500, "lmw")]


def test_unpublished_values_do_not_count(peru):
    Value.objects.create(indicator=indicator("libraries"), typology="public", country=peru, year=2030,
                         value=9999, source="survey", status="submitted")
    assert services.country_table(indicator("libraries"), "public")["PE"].year == 2022


def test_per_capita_indicators_use_the_population_and_say_its_year():
    spain = services.country_table(indicator("libraries_per_100k"), "public")["ES"]
    population = Population.objects.get(country__code="ES", subdivision=None, year=2018).value
    assert spain.value == pytest.approx(4643 / population * 100_000)
    assert spain.basis == "computed" and spain.year == 2016 and spain.population_year == 2018


def test_ratios_never_divide_figures_of_different_years(chile):
    table = services.country_table(indicator("internet_pct"), "public")
    assert table["CL"].value == pytest.approx(447 / 519 * 100) and table["CL"].year == 2017
    # A newer count of all libraries without a matching internet figure: no percentage for that year.
    Value.objects.create(indicator=indicator("libraries"), typology="public", country=chile, year=2020, value=600,
                         source="lmw", status="published")
    assert "CL" not in services.country_table(indicator("internet_pct"), "public")


def test_the_region_is_a_ratio_of_sums_with_coverage():
    libraries_per_100k = indicator("libraries_per_100k")
    table = services.country_table(libraries_per_100k, "public")
    region = services.region_figure(libraries_per_100k, table, list(Country.objects.filter(is_member=True)))
    assert region.reported == len(table) and region.expected == 21
    numerator = sum(f.numerator for f in table.values())
    denominator = sum(f.denominator for f in table.values())
    assert region.value == pytest.approx(numerator / denominator * 100_000)
    assert 2016 in region.years and 2022 in region.years


def test_library_reports_add_up_with_coverage(peru, pe_public):
    libraries = [Library.objects.create(name=f"Biblioteca {n}", country=peru, type="public", locality="Lima")
                 for n in range(4)]
    visits = indicator("visits")
    for library, figure in zip(libraries[:3], (100, 250, 400), strict=True):
        Value.objects.create(indicator=visits, typology="public", country=peru, library=library, year=2024,
                             value=figure, source="survey", status="published")
    figure = services.aggregate_libraries(visits, "public", 2024, [peru])["PE"]
    assert figure.value == 750 and figure.basis == "aggregated"
    assert (figure.reported, figure.expected) == (3, 4) and figure.coverage == 0.75


def test_needs_name_the_figures_behind_them():
    found = services.needs(year=None)
    argentina = {need.indicator.code: need for need in found["AR"]}
    # LMW counts 30 public libraries for Argentina (CONABIP's popular libraries are another typology).
    need = argentina["libraries_per_100k"]
    assert need.figure.value < need.reference and need.rule == "regional_median"
    assert "ES" not in found or "libraries_per_100k" not in {n.indicator.code for n in found["ES"]}


def test_checks_flag_outliers_changes_and_parts():
    peers = [100, 110, 95, 105, 98, 102, 99, 101, 97]
    assert checks.check_outlier(10_000, peers, "peers")["code"] == "outlier"
    assert checks.check_outlier(104, peers, "peers") is None
    assert checks.check_outlier(10_000, peers[:3], "peers") is None  # too few peers to judge
    with translation.override("es"):
        assert "+100" in checks.check_change(200, 100)["message"]
    assert checks.check_change(120, 100) is None
    assert checks.check_part(12, 10, "with internet", "libraries")["code"] == "part"


def test_population_csv_is_all_or_nothing():
    good = "country,subdivision,year,population,source\nPE,,2020,33000000,INEI\nPE,PE-LIM,2020,10000000,INEI\n"
    report = load_population_csv(good.encode(), "pop.csv")
    assert report.created == 2
    assert Population.objects.get(subdivision__code="PE-LIM", year=2020).value == 10_000_000
    bad = "country,subdivision,year,population,source\nCL,,2020,19000000,INE\nCL,,2021,\"19.100.000\",INE\n"
    with pytest.raises(PopulationFileError) as error, translation.override("en"):
        load_population_csv(bad.encode(), "pop.csv")
    assert "pop.csv, line 3, column population" in str(error.value)
    assert not Population.objects.filter(country__code="CL", year=2020).exists()
    with pytest.raises(PopulationFileError, match="subdivision"):
        load_population_csv(b"country,subdivision,year,population,source\nCL,PE-LIM,2020,5,x\n", "p.csv")


def test_the_secretariat_sets_a_threshold_or_switches_a_need_off():
    from sirbi.stats.models import NeedRule

    per_100k = indicator("libraries_per_100k")
    # Spain (9.9 public libraries per 100,000) is above the median, so no need by default...
    assert "libraries_per_100k" not in {n.indicator.code for n in services.needs().get("ES", [])}
    # ...but below a regional goal of 12 set by the secretariat.
    NeedRule.objects.create(indicator=per_100k, typology="public", kind="threshold", threshold=12)
    spain = {n.indicator.code: n for n in services.needs()["ES"]}["libraries_per_100k"]
    assert (spain.reference, spain.rule) == (12, "threshold")
    # A reported indicator gives needs once it has a rule.
    NeedRule.objects.create(indicator=indicator("volunteers"), typology="public", kind="threshold", threshold=10_000)
    assert any(n.indicator.code == "volunteers" for needs in services.needs().values() for n in needs)
    NeedRule.objects.filter(indicator=per_100k).update(is_active=False)
    assert not any(n.indicator.code == "libraries_per_100k" for needs in services.needs().values() for n in needs)
