"""Counting libraries the same way: the typology crosswalk types every library, and a country's reconciliation puts
the registry's libraries and service points beside the Library Map of the World's counts with the reasons."""

import pytest
from django.utils import translation

from sirbi.registry.choices import IsoSubtype, IsoType, LibraryType, LmwType, NetworkType
from sirbi.registry.imports import import_libraries
from sirbi.registry.models import Library, ServicePoint, TypologyRule
from sirbi.registry.typology import Typed, rule_for, typed, uncovered, unreachable
from sirbi.stats.reconciliation import reconcile


def line(lines, lmw_type):
    return next(item for item in lines if item.lmw_type == lmw_type)


def test_every_lmw_and_sirbi_type_is_reachable_and_every_kind_of_library_typed(db):
    rules = list(TypologyRule.objects.all())
    assert unreachable(rules, LmwType.values, NetworkType.values) == (set(), set())
    assert uncovered(rules, IsoType.values) == []
    assert all(rule.name_es and rule.name_pt and rule.name_en for rule in rules)


def test_every_rule_is_named_and_types_some_kind_of_library(db):
    """Each derived type names the rule that produced it: every ISO 2789 combination meets a rule with a code and
    names in three languages, and no rule of the starting crosswalk is dead."""
    rules = list(TypologyRule.objects.all())
    used = set()
    for iso_type in IsoType.values:
        for subtype in ("", *IsoSubtype.values):
            for statutory in (True, False):
                rule = rule_for(rules, Typed(iso_type, subtype, statutory))
                assert rule is not None and rule.code, (iso_type, subtype, statutory)
                used.add(rule.code)
    assert used == {rule.code for rule in rules} == {
        "national", "higher-education", "public-statutory", "public-community", "school", "special"}
    # The registry's declared types, while a library's ISO 2789 fields are empty, by the rule each one meets.
    assert {kind: rule_for(rules, typed(kind)).code for kind in LibraryType.values} == {
        "public": "public-statutory", "mobile": "public-statutory", "popular": "public-community",
        "school": "school", "national": "national", "university": "higher-education", "special": "special"}


def test_a_popular_library_is_community_for_the_lmw_and_popular_for_sirbi_by_a_named_rule(db):
    rules = list(TypologyRule.objects.all())
    rule = rule_for(rules, typed("popular"))
    assert (rule.code, rule.lmw_type, rule.sirbi_type) == ("public-community", "community", "popular")
    # A public library its registry entry says is run by a community group counts the same way.
    assert rule_for(rules, typed("public", statutory=False)) == rule
    # Its own ISO 2789 fields, once filled in, win over the declared type.
    assert typed("public", iso_type="special", iso_subtype="health") == Typed("special", "health", True)
    assert rule_for(rules, typed("public", iso_type="special")).lmw_type == "other"


def test_peru_reconciliation_counts_service_points_and_names_the_reasons(peru, lima_library, cusco_library):
    ServicePoint.objects.create(library=lima_library, kind="main", name="Sede central")
    for n in range(3):
        ServicePoint.objects.create(library=lima_library, kind="branch", name=f"Filial {n}")
    ServicePoint.objects.create(library=lima_library, kind="mobile", name="Bibliobús", status="closed")
    Library.objects.create(name="Biblioteca Comunal de Pisac", country=peru, type="popular", locality="Pisac")
    with translation.override("en"):
        lines = reconcile([peru])["PE"]
        public = line(lines, "public")
        community = line(lines, "community")
        assert (public.units, public.points, public.rules) == (2, 5, {"public-statutory"})
        assert public.lmw == 882 and public.lmw_year == "2015"
        assert public.difference == 882 - 5
        reasons = " ".join(public.reasons())
        assert "2 libraries have 5 service points" in reasons
        assert "The network “Sistema Nacional de Bibliotecas (SNB)” declares 469 libraries (2022)" in reasons
        assert "of 2015" in reasons
        assert (community.units, community.points, community.rules) == (1, 1, {"public-community"})
        assert "Community libraries" in " ".join(community.reasons())


def test_the_reconciliation_pages_and_csv(peru, lima_library, client):
    with translation.override("es"):
        page = client.get("/es/stats/countries/PE/reconciliation/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Bibliotecas públicas" in text or "bibliotecas públicas" in text
    assert "882" in text and "public-community" in text
    csv = b"".join(client.get("/es/stats/countries/PE/reconciliation/?format=csv").streaming_content).decode()
    assert csv.splitlines()[0].lstrip("\ufeff").startswith("country,lmw_type,registry_libraries")
    assert any(row.startswith("PE,public,1,1,") for row in csv.splitlines())
    region = client.get("/es/stats/reconciliation/")
    assert region.status_code == 200 and "/es/stats/countries/PE/reconciliation/" in region.content.decode()
    assert client.get("/es/stats/countries/US/reconciliation/").status_code == 404


@pytest.mark.parametrize("user", ["coordinator_pe", "reader"])
def test_only_the_secretariat_keeps_the_crosswalk(user, request, secretary):
    from sirbi.core import permissions

    rule = TypologyRule.objects.get(code="school")
    assert permissions.can(secretary, "change", rule)
    assert not permissions.can(request.getfixturevalue(user), "change", rule)


def test_the_crosswalk_admin_warns_of_a_type_no_rule_gives(secretary, as_user):
    secretary.is_staff = True
    secretary.save()
    client = as_user(secretary)
    with translation.override("en"):
        assert "No rule gives" not in client.get("/en/admin/registry/typologyrule/").content.decode()
        TypologyRule.objects.filter(code="public-community").delete()
        page = client.get("/en/admin/registry/typologyrule/").content.decode()
    assert "nothing is counted under them: community, popular." in page
    assert "public (no)" in page


def test_a_library_page_says_how_the_library_is_counted(peru, lima_library, client):
    ServicePoint.objects.create(library=lima_library, kind="mobile", name="Bibliobús del Rímac")
    lima_library.statutory = False
    lima_library.save()
    with translation.override("en"):
        text = client.get(f"/en/registry/libraries/{lima_library.pk}/").content.decode()
    assert "community libraries" in text and "crosswalk rule public-community" in text
    assert "Bibliobús del Rímac" in text and "1 service point" in text
    assert "/en/stats/countries/PE/reconciliation/" in text


def test_the_api_gives_a_country_or_every_member_and_the_region(peru, lima_library, client):
    rows = client.get("/api/v1/reconciliation/?country=pe", HTTP_ACCEPT_LANGUAGE="en").json()
    public = next(row for row in rows if row["lmw_type"] == "public")
    assert (public["country"], public["registry_libraries"], public["lmw_count"]) == ("PE", 1, 882.0)
    assert public["rules"] == ["public-statutory"] and any("2015" in reason for reason in public["reasons"])
    everything = client.get("/api/v1/reconciliation/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {row["country"] for row in everything} >= {"PE", "CL", "region"}
    national = next(row for row in everything if row["country"] == "region" and row["lmw_type"] == "national")
    assert any("adds up the" in reason for reason in national["reasons"])
    assert "The registry holds no library of this type yet." in national["reasons"]
    assert client.get("/api/v1/reconciliation/?country=US").status_code == 400


def test_a_coordinator_says_through_the_api_that_a_library_is_run_by_a_community(
        lima_library, coordinator_pe, coordinator_cl, as_user):
    ServicePoint.objects.create(library=lima_library, kind="branch", name="Filial de San Juan")
    url = f"/api/v1/libraries/{lima_library.pk}/"
    read = as_user(coordinator_pe).get(url).json()
    assert (read["iso_type"], read["statutory"], read["lmw_type"], read["typology_rule"]) == (
        "", None, "public", "public-statutory")
    assert [point["name"] for point in read["service_points"]] == ["Filial de San Juan"]
    change = {"statutory": False, "version": read["version"]}
    assert as_user(coordinator_cl).patch(url, change, content_type="application/json").status_code == 403
    answer = as_user(coordinator_pe).patch(url, change, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["lmw_type"], answer.json()["sirbi_type"]) == ("community", "popular")
    lima_library.refresh_from_db()
    assert lima_library.statutory is False


def test_an_import_sets_the_typology_and_names_a_bad_cell(coordinator_pe, pe_public):
    header = "name,country,type,iso_type,iso_subtype,statutory,locality\n"
    good = ("Biblioteca Comunal de Pisac,PE,public,,,no,Pisac\n"
            "Biblioteca del Hospital Loayza,PE,special,special,health,sí,Lima\n")
    with translation.override("en"):
        report = import_libraries((header + good).encode(), "typology.csv", user=coordinator_pe)
        assert report.applied, report.messages()
        pisac = Library.objects.get(name="Biblioteca Comunal de Pisac")
        loayza = Library.objects.get(name="Biblioteca del Hospital Loayza")
        assert (pisac.iso_type, pisac.statutory) == ("", False)
        assert (loayza.iso_type, loayza.iso_subtype, loayza.statutory) == ("special", "health", True)
        bad = "Biblioteca de Urubamba,PE,public,publica,,quizás,Urubamba\n"
        report = import_libraries((header + bad).encode(), "bad.csv", user=coordinator_pe)
        messages = " ".join(report.messages())
    assert "column iso_type: unknown value “publica”" in messages
    assert "column statutory: “quizás” is neither yes nor no" in messages
    assert not Library.objects.filter(name="Biblioteca de Urubamba").exists()


def test_indicators_that_count_libraries_say_they_count_service_points(peru, client):
    from sirbi.stats.models import Indicator

    assert dict(Indicator.objects.filter(counts="service_points").values_list("code", "counts")) == {
        "libraries": "service_points", "libraries_internet": "service_points",
        "libraries_per_100k": "service_points"}
    with translation.override("en"):
        indicator_page = client.get("/en/stats/indicators/libraries_per_100k/").content.decode()
        profile = client.get("/en/stats/countries/PE/").content.decode()
        visits = client.get("/en/stats/indicators/visits/").content.decode()
    assert "Counted as service points" in indicator_page and "/en/stats/reconciliation/" in indicator_page
    assert "Counted as service points" in profile and "/en/stats/countries/PE/reconciliation/" in profile
    assert "Counted as service points" not in visits
