"""Sample figures (summed from invented reports of sample libraries) are never joined to published ones: Peru's
profile draws them as a line of their own, labelled, and marks them in its tables; published figures alone
carry no marker. The published figures are IFLA's, loaded by tests/conftest.py."""

import json
import re

from sirbi.registry.models import Library
from sirbi.stats import page_tables
from sirbi.stats.models import Indicator, Value


def report_sample_visits(peru, year=2023):
    visits = Indicator.objects.get(code="visits")
    for n in range(3):
        library = Library.objects.create(name=f"Biblioteca de ejemplo {n}", country=peru, type="public",
                                         locality="Lima", is_sample=True)
        Value.objects.create(indicator=visits, typology="public", country=peru, library=library, year=year,
                             value=1_000_000, source="survey", status="published", is_sample=True)
    return visits


def chart_of(body, code):
    data = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', body, re.S).group(1)
    return json.loads(data)[code]


def test_sample_figures_are_a_line_of_their_own_on_perus_profile(client, peru):
    before = client.get("/en/stats/countries/PE/").content.decode()
    assert "Sample data" not in before
    assert not any(line["sample"] for line in chart_of(before, "visits")["series"])

    report_sample_visits(peru)
    body = client.get("/en/stats/countries/PE/").content.decode()
    assert "Sample data" in body
    lines = chart_of(body, "visits")["series"]
    published = [line for line in lines if line["label"] == "public libraries"]
    sample = [line for line in lines if line["sample"]]
    assert len(published) == 1 and len(sample) == 1 and sample[0]["label"] == "public libraries (sample data)"
    # Each year's figure is on one line only: the published line stops where the sample one starts.
    years = chart_of(body, "visits")["labels"]
    assert published[0]["values"][years.index("2023")] is None
    assert sample[0]["values"][years.index("2023")] == 3_000_000
    assert all(value is None for year, value in zip(years, sample[0]["values"], strict=True) if year != "2023")


def test_figures_computed_from_sample_ones_are_sample_too(peru):
    report_sample_visits(peru)
    indicators = list(Indicator.objects.filter(code__in=["visits", "visits_per_capita"]))
    series = page_tables.country_series(peru, indicators)
    for code in ("visits", "visits_per_capita"):
        rows = [row for row in series[code] if row.year == 2023]
        assert rows and all(row.figure.is_sample for row in rows), code
        assert not any(row.figure.is_sample for row in series[code] if row.year != 2023)
