"""The union catalog's OAI-PMH provider at /oai: every answer valid against OAI-PMH.xsd (the records in it against
MARC21slim.xsd and oai_dc.xsd), one record per cluster with every holding in 852, datestamps that move when a
cluster changes, tombstones that stay, sets, keyset resumption tokens, and every error code of the protocol.

The catalog fixture: Lima and Palermo (Buenos Aires) hold the 20 records of pymarc's marc.dat; Palermo also holds
one more and two MARCXML records."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymarc
import pytest
from defusedxml import ElementTree

from sirbi.catalog import clusters
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Cluster, ClusterTombstone, Record, Source
from sirbi.catalog.oai import sets, tokens, verbs
from sirbi.registry.models import Library
from tests.standards import assert_valid

DATA = Path(__file__).resolve().parents[1] / "data" / "marc"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
MARC = "{http://www.loc.gov/MARC21/slim}"
T0 = datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC)


def oai(client, **params):
    """The parsed answer to a GET of /oai, after checking it against OAI-PMH.xsd."""
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert_valid("OAI-PMH.xsd", response.content)
    return ElementTree.fromstring(response.content)


def error_code(tree):
    element = tree.find(f"{OAI}error")
    return element.get("code") if element is not None else None


def identifiers(tree):
    return [h.findtext(f"{OAI}identifier") for h in tree.iter(f"{OAI}header")]


def cluster_of(identifier):
    return int(identifier.rsplit("/", 1)[1])


def identifier(cluster_id):
    return f"oai:127.0.0.1:cluster/{cluster_id}"


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def spread(catalog):
    """The clusters' datestamps one second apart from T0, in id order (imports stamp them all in one second)."""
    for n, pk in enumerate(Cluster.objects.order_by("pk").values_list("pk", flat=True)):
        Cluster.objects.filter(pk=pk).update(updated=T0 + timedelta(seconds=n))
    return list(Cluster.objects.order_by("pk").values_list("pk", flat=True))


def shared_cluster():
    """A cluster that both Lima and Palermo hold."""
    return Record.objects.filter(source__code="lima").order_by("pk").first().cluster_id


def test_identify_says_deletions_are_kept_and_times_are_to_the_second(client, catalog):
    tree = oai(client, verb="Identify")
    identify = tree.find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}baseURL") == "http://testserver/oai"
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    oldest = Cluster.objects.order_by("updated").first().updated
    assert identify.findtext(f"{OAI}earliestDatestamp") == stamp(oldest)


def test_a_harvester_gets_one_marc_record_per_cluster_with_every_holding(client, catalog):
    tree = oai(client, verb="ListRecords", metadataPrefix="marc21")
    records = tree.findall(f".//{OAI}record")
    assert len(records) == Cluster.objects.count()
    assert tree.find(f".//{OAI}resumptionToken") is None  # one page holds them all
    by_cluster = {cluster_of(r.findtext(f"{OAI}header/{OAI}identifier")): r for r in records}
    shared = by_cluster[shared_cluster()]
    marc = shared.find(f"{OAI}metadata/{MARC}record")
    assert_valid("MARC21slim.xsd", ElementTree.tostring(marc))
    assert marc.findtext(f"{MARC}controlfield[@tag='001']") == str(shared_cluster())
    holders = sorted(f.findtext(f"{MARC}subfield[@code='a']") for f in marc.findall(f"{MARC}datafield[@tag='852']"))
    assert holders == ["AR-BAP01", "PE-LIM01"]
    specs = [s.text for s in shared.findall(f"{OAI}header/{OAI}setSpec")]
    assert specs == ["country:AR", "country:PE", "library:AR-BAP01", "library:PE-LIM01", "network:pe-public"]


def test_dublin_core_records_validate_and_carry_the_title(client, catalog):
    tree = oai(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier(shared_cluster()))
    dc = tree.find(f".//{OAI}metadata/{{http://www.openarchives.org/OAI/2.0/oai_dc/}}dc")
    assert_valid("oai_dc.xsd", ElementTree.tostring(dc))
    representative = Cluster.objects.get(pk=shared_cluster()).representative
    assert dc.findtext("{http://purl.org/dc/elements/1.1/}title") == representative.title


def test_list_metadata_formats_and_get_record_in_marc21(client, catalog):
    formats = oai(client, verb="ListMetadataFormats", identifier=identifier(shared_cluster()))
    assert [e.text for e in formats.iter(f"{OAI}metadataPrefix")] == ["marc21", "oai_dc"]
    tree = oai(client, verb="GetRecord", metadataPrefix="marc21", identifier=identifier(shared_cluster()))
    assert tree.find(f".//{OAI}metadata/{MARC}record") is not None


def test_post_requests_are_answered_like_get(client, catalog):
    response = client.post("/oai", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "country:PE"})
    assert_valid("OAI-PMH.xsd", response.content)
    assert len(identifiers(ElementTree.fromstring(response.content))) == 20  # Lima's 20 clusters


def test_a_network_harvests_its_part_by_set(client, catalog):
    peru = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", set="country:PE"))
    network = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", set="network:pe-public"))
    lima = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", set="library:PE-LIM01"))
    argentina = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", set="country:AR"))
    every = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", set="country"))
    lima_clusters = Record.objects.filter(source__code="lima").values_list("cluster_id", flat=True)
    expected = {identifier(pk) for pk in lima_clusters}
    assert set(peru) == set(network) == set(lima) == expected
    assert len(argentina) == Cluster.objects.count() == len(every)  # Palermo holds every record
    assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", set="country:CL")) == \
        "noRecordsMatch"


def test_list_sets_names_countries_networks_and_libraries(client, catalog):
    tree = oai(client, verb="ListSets")
    found = {s.findtext(f"{OAI}setSpec"): s.findtext(f"{OAI}setName") for s in tree.iter(f"{OAI}set")}
    assert found["country:PE"] == "Peru"
    assert found["library:PE-LIM01"] == "Biblioteca Municipal de Lima"
    assert "network:pe-public" in found and "country" in found
    assert "country:CL" not in found  # no Chilean library holds anything


def test_an_isil_with_a_slash_and_a_colon_is_escaped_in_its_set(client, catalog, argentina):
    """ISO 15511 allows "/" and ":" in an ISIL; a setSpec allows neither inside a level."""
    odd = Library.objects.create(name="Biblioteca Rara", isil="AR-B/X:1", country=argentina, type="public")
    source = Source.objects.create(code="rara", name="Rara", library=odd)
    import_file(source, (DATA / "pymarc-diacritic.dat").read_bytes(), "diacritic.dat")
    assert sets.escape("AR-B/X:1") == "AR-B~2FX~3A1"
    assert sets.parse("library:AR-B~2FX~3A1") == sets.SetSpec("library", "AR-B/X:1")
    listed = {s.findtext(f"{OAI}setSpec") for s in oai(client, verb="ListSets").iter(f"{OAI}set")}
    assert "library:AR-B~2FX~3A1" in listed
    tree = oai(client, verb="ListRecords", metadataPrefix="marc21", set="library:AR-B~2FX~3A1")
    [record] = tree.findall(f".//{OAI}record")
    assert "AR-B/X:1" in [f.findtext(f"{MARC}subfield[@code='a']") for f in record.iter(f"{MARC}datafield")
                          if f.get("tag") == "852"]


@pytest.mark.parametrize("text", ["library:AR/X", "library:a~2f", "library:a~", "shelf:1", "country:pe",
                                  "country:PE:x"])
def test_set_specs_that_cannot_be_ours_are_refused(text):
    with pytest.raises(ValueError):
        sets.parse(text)


def test_from_and_until_select_by_datestamp_to_the_second(client, spread):
    third = T0 + timedelta(seconds=2)
    found = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", until=stamp(third)))
    assert found == [identifier(pk) for pk in spread[:3]]  # until is inclusive
    found = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", **{"from": stamp(third)},
                            until=stamp(third + timedelta(seconds=1))))
    assert found == [identifier(pk) for pk in spread[2:4]]
    found = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", **{"from": "2026-01-05"},
                            until="2026-01-05"))
    assert len(found) == len(spread)  # whole days
    assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", until="2025-12-31")) == \
        "noRecordsMatch"


def test_datestamps_move_when_a_record_joins_a_cluster_and_it_gains_a_holding(client, spread, cusco_library):
    """Cusco imports one of the records Lima and Palermo hold: that cluster alone changes, now."""
    target = shared_cluster()
    record = next(pymarc.MARCReader((DATA / "pymarc-marc.dat").read_bytes()))
    record.remove_fields("001")
    record.add_ordered_field(pymarc.Field(tag="001", data="cusco-1"))
    cusco = Source.objects.create(code="cusco", name="Cusco", library=cusco_library)
    before = datetime.now(UTC).replace(microsecond=0)
    import_file(cusco, record.as_marc(), "cusco.mrc")
    assert Record.objects.get(source=cusco).cluster_id == target
    tree = oai(client, verb="ListRecords", metadataPrefix="marc21", **{"from": stamp(before)})
    [changed] = tree.findall(f".//{OAI}record")
    assert changed.findtext(f"{OAI}header/{OAI}identifier") == identifier(target)
    assert "library:PE-CUS01" in [s.text for s in changed.iter(f"{OAI}setSpec")]
    assert "PE-CUS01" in [f.text for f in changed.iter(f"{MARC}subfield") if f.get("code") == "a"]


def test_a_changed_record_moves_its_clusters_datestamp(client, spread, catalog):
    lima, _palermo = catalog
    pieces = (DATA / "pymarc-marc.dat").read_bytes().split(b"\x1d")  # the file's records, byte for byte
    record = next(pymarc.MARCReader(pieces[3] + b"\x1d"))
    record.add_ordered_field(pymarc.Field(tag="500", indicators=[" ", " "],
                                          subfields=[pymarc.Subfield("a", "Revised note.")]))
    pieces[3] = record.as_marc()[:-1]
    changed = Record.objects.get(source=lima, local_id=record["001"].data).cluster_id
    before = datetime.now(UTC).replace(microsecond=0)
    import_file(lima, b"\x1d".join(pieces), "marc.dat")
    found = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", **{"from": stamp(before)}))
    assert found == [identifier(changed)]


def test_a_merged_cluster_stays_as_a_deleted_record(client, spread, catalog, secretary):
    """A cataloguer puts Palermo's own record (a cluster of one) in another cluster: its old cluster is gone, and
    harvesters are told so, for good, also in set-selective harvests."""
    _lima, palermo = catalog
    alone = Record.objects.filter(source=palermo).exclude(
        cluster_id__in=Record.objects.filter(source__code="lima").values("cluster_id")).order_by("pk").first()
    target = Record.objects.get(pk=Record.objects.filter(source__code="lima").order_by("pk").first().pk)
    gone = alone.cluster_id
    before = datetime.now(UTC).replace(microsecond=0)
    clusters.merge(alone, target, secretary)
    assert not Cluster.objects.filter(pk=gone).exists() and ClusterTombstone.objects.filter(pk=gone).exists()
    tree = oai(client, verb="GetRecord", metadataPrefix="marc21", identifier=identifier(gone))
    header = tree.find(f".//{OAI}header")
    assert header.get("status") == "deleted" and tree.find(f".//{OAI}metadata") is None
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="country:PE", **{"from": stamp(before)})
    headers = {h.findtext(f"{OAI}identifier"): h.get("status") for h in tree.iter(f"{OAI}header")}
    assert headers == {identifier(gone): "deleted", identifier(target.cluster_id): None}
    assert error_code(oai(client, verb="ListMetadataFormats", identifier=identifier(gone))) is None


def test_records_leaving_empty_a_cluster_leave_a_tombstone(client, catalog):
    _lima, palermo = catalog
    record = Record.objects.filter(source=palermo, raw_format="marcxml").first()
    gone = record.cluster_id
    assert Record.objects.filter(cluster_id=gone).count() == 1
    Record.objects.filter(pk=record.pk).update(deleted=True)
    clusters.leave([record])
    identify = oai(client, verb="ListIdentifiers", metadataPrefix="marc21")
    assert [h.get("status") for h in identify.iter(f"{OAI}header")
            if h.findtext(f"{OAI}identifier") == identifier(gone)] == ["deleted"]


def test_pages_follow_keyset_tokens_and_survive_an_import_between_them(client, spread, catalog, monkeypatch,
                                                                       cusco_library):
    monkeypatch.setattr(verbs, "PAGE", 7)
    first = oai(client, verb="ListIdentifiers", metadataPrefix="marc21")
    started = first.findtext(f"{OAI}responseDate")
    token = first.find(f".//{OAI}resumptionToken")
    assert token.get("completeListSize") == str(len(spread)) and token.get("cursor") == "0"
    assert datetime.strptime(token.get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) > \
        datetime.now(UTC)
    harvested = identifiers(first)
    # Between two pages, Cusco's import changes one cluster already sent and one not sent yet.
    sent = cluster_of(harvested[0])
    unsent = Record.objects.filter(source__code="lima").order_by("-cluster_id").first().cluster_id
    assert identifier(unsent) not in harvested
    wanted = [Record.objects.filter(cluster_id=pk).order_by("pk").first().local_id for pk in (sent, unsent)]
    file = b""
    for record in pymarc.MARCReader((DATA / "pymarc-marc.dat").read_bytes() + (DATA / "pymarc-diacritic.dat")
                                    .read_bytes()):
        if record["001"] and record["001"].data in wanted:
            record["001"].data = "cusco-" + record["001"].data
            file += record.as_marc()
    cusco = Source.objects.create(code="cusco", name="Cusco", library=cusco_library)
    import_file(cusco, file, "cusco.mrc")
    assert {r.cluster_id for r in Record.objects.filter(source=cusco)} == {sent, unsent}
    cursors = ["0"]
    while token is not None and token.text:
        page = oai(client, verb="ListIdentifiers", resumptionToken=token.text)
        harvested += identifiers(page)
        token = page.find(f".//{OAI}resumptionToken")
        cursors.append(token.get("cursor"))
    assert token.get("completeListSize") == str(len(spread))
    assert cursors[:3] == ["0", "7", "14"]
    assert len(harvested) == len(set(harvested))  # nothing twice
    # Everything that was there when the list started, once; the cluster changed before it was sent comes
    # with the next incremental harvest, from this one's start.
    assert set(harvested) == {identifier(pk) for pk in spread if pk != unsent}
    later = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="marc21", **{"from": started}))
    assert set(later) == {identifier(sent), identifier(unsent)}


def test_list_sets_pages_too(client, catalog, monkeypatch):
    monkeypatch.setattr(verbs, "SETS_PAGE", 3)
    specs, tree = [], oai(client, verb="ListSets")
    while True:
        specs += [e.text for e in tree.iter(f"{OAI}setSpec")]
        token = tree.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            break
        tree = oai(client, verb="ListSets", resumptionToken=token.text)
    assert len(specs) == len(set(specs)) == 8 and specs == sorted(specs)


def expired_token():
    old = datetime(2020, 1, 1, tzinfo=UTC)
    return tokens.encode(tokens.Token("ListRecords", "marc21", None, None, old, (old.isoformat(), 1), 10, 5,
                                      old + tokens.LIFETIME))


def other_verbs_token():
    now = datetime.now(UTC)
    return tokens.encode(tokens.Token("ListIdentifiers", "marc21", None, None, now, (now.isoformat(), 1), 10, 5,
                                      tokens.expiry(now)))


@pytest.mark.parametrize(("params", "code"), [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "set": "country"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["marc21", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2026-01-05T10:00:00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2026-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2026-01-05", "until": "2026-01-06T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2026-01-06", "until": "2026-01-05"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "set": "library:PE/1"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "marc21"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:127.0.0.1:cluster/1"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "expired"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "other verb's"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "mods", "identifier": "oai:127.0.0.1:cluster/1"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": "oai:127.0.0.1:cluster/999999"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": "oai:elsewhere.org:cluster/1"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "cluster/01"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2100-01-01"}, "noRecordsMatch"),
])
def test_every_error_is_the_protocols_own(client, catalog, params, code):
    token = params.get("resumptionToken")
    if token in ("expired", "other verb's"):
        params = {**params, "resumptionToken": expired_token() if token == "expired" else other_verbs_token()}
    tree = oai(client, **params)
    assert error_code(tree) == code
    request = tree.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # such answers do not echo the arguments
    else:
        assert request.get("verb") == params["verb"]


def test_the_endpoint_writes_nothing_and_refuses_other_methods(client, catalog):
    assert client.put("/oai").status_code == 405
    assert client.delete("/oai").status_code == 405
