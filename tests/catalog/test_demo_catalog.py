"""The demo catalog: real LC records of the region's authors and in Spanish and Portuguese, held by the
registry demo's sample libraries in every member country, each copy with a call number and a status."""

from collections import Counter

import pytest

from sirbi.catalog.demo import STATUSES, call_number, lc_cutter, load_catalog_demo
from sirbi.catalog.models import Cluster, Holding, Record
from sirbi.catalog.search import backend
from sirbi.registry.demo import load_sample_libraries
from sirbi.registry.models import CERLALC_MEMBERS


@pytest.mark.django_db(transaction=False)
def test_the_demo_catalog_is_held_in_every_member_country():
    load_sample_libraries()
    result = load_catalog_demo()
    assert result["sources"] == len(CERLALC_MEMBERS)
    records = Record.objects.count()
    assert result["records"] == records and 5000 < records < 12000
    assert Cluster.objects.filter(records__isnull=False).distinct().count() >= 4000
    holdings = Holding.objects.select_related("library")
    assert not holdings.filter(library=None).exists()  # every ISIL of the 852s is a library of the source's network
    assert not holdings.filter(library__is_sample=False).exists()
    countries = Counter(holdings.values_list("library__country__code", flat=True))
    assert set(countries) == set(CERLALC_MEMBERS)
    assert countries["BR"] > countries["PA"]  # the bigger network holds more
    assert set(holdings.values_list("status", flat=True)) == set(STATUSES)
    assert not holdings.filter(call_number="").exists()
    # The region's authors are there, in their languages and in translation.
    borges = Record.objects.filter(authors__icontains="Borges, Jorge Luis")
    assert {"spa", "eng"} <= set(borges.values_list("language", flat=True))
    assert Record.objects.filter(language="por").count() > 1000
    found = backend().search("borges", {}, "relevance", offset=0, limit=20)
    assert found.count >= 5
    # Safe to run again.
    assert load_catalog_demo()["records"] == 0 and Record.objects.count() == records


def test_call_numbers_are_plausible():
    import pymarc

    record = pymarc.Record()
    record.add_field(pymarc.Field("100", [" ", " "], [pymarc.Subfield("a", "Borges, Jorge Luis,")]))
    record.add_field(pymarc.Field("082", ["0", "4"], [pymarc.Subfield("a", "863/.62")]))
    assert call_number(record) == "863.62 B67"
    record.remove_fields("082")
    record.add_field(pymarc.Field("050", ["0", "0"], [pymarc.Subfield("a", "PQ7797.B635"),
                                                       pymarc.Subfield("b", "F5 1995")]))
    assert call_number(record) == "PQ7797.B635 F5 1995"
    assert [lc_cutter(name) for name in ("Neruda", "Álvarez", "Sábato", "Quiroga")] == ["N47", "A48", "S23", "Q57"]
