"""The catalogue is the secretariat's: edits go to the change log; others cannot write it."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from sirbi.core.changelog import history
from sirbi.stats.models import Indicator, Population


def indicator_form(indicator, **changes):
    data = {f: getattr(indicator, f) for f in ["code", "name_es", "name_pt", "name_en", "definition_es",
                                                 "definition_pt", "definition_en", "unit", "aggregation",
                                                 "direction", "standard", "multiplier", "position"]}
    data.update({"level_library": "on", "level_network": "on", "level_country": "on", "is_active": "on",
                 "numerator": indicator.numerator_id or "", "denominator": indicator.denominator_id or "",
                 "base_version": indicator.version, "message": ""})
    data.update(changes)
    return data


def staff(user):
    user.is_staff = True
    user.save()
    return user


def test_the_secretariat_edits_an_indicator_with_its_history(as_user, secretary):
    staff(secretary)
    indicator = Indicator.objects.get(code="visits")
    url = f"/en/admin/stats/indicator/{indicator.pk}/change/"
    response = as_user(secretary).post(url, indicator_form(indicator, name_en="In-person visits",
                                                           message="LMW wording"))
    assert response.status_code == 302, response.content.decode()[:3000]
    indicator.refresh_from_db()
    assert indicator.name_en == "In-person visits" and indicator.version == 2
    entry = history(indicator).get()
    assert entry.message == "LMW wording" and entry.before["name_en"] == "Physical visits"


def test_a_coordinator_cannot_change_the_catalogue(as_user, coordinator_pe):
    staff(coordinator_pe)
    indicator = Indicator.objects.get(code="visits")
    url = f"/en/admin/stats/indicator/{indicator.pk}/change/"
    response = as_user(coordinator_pe).post(url, indicator_form(indicator, name_en="Changed"))
    assert response.status_code == 403
    indicator.refresh_from_db()
    assert indicator.name_en == "Physical visits"
    assert as_user(coordinator_pe).post("/en/admin/stats/population/add/", {}).status_code == 403
    assert as_user(coordinator_pe).post("/en/admin/stats/needrule/add/", {
        "indicator": indicator.pk, "typology": "public", "kind": "regional_median"}).status_code == 403


def test_the_secretariat_adds_a_need_threshold_in_the_admin(as_user, secretary):
    staff(secretary)
    indicator = Indicator.objects.get(code="libraries_per_100k")
    client = as_user(secretary)
    response = client.post("/en/admin/stats/needrule/add/", {"indicator": indicator.pk, "typology": "public",
                                                             "kind": "threshold", "threshold": "", "is_active": "on"})
    assert response.status_code == 200 and "Give the threshold." in response.content.decode()
    response = client.post("/en/admin/stats/needrule/add/", {"indicator": indicator.pk, "typology": "public",
                                                             "kind": "threshold", "threshold": "12",
                                                             "is_active": "on", "message": "Regional goal"})
    assert response.status_code == 302
    rule = indicator.need_rules.get()
    assert rule.threshold == 12 and history(rule).get().message == "Regional goal"


def test_import_population_command(tmp_path):
    good = tmp_path / "pop.csv"
    good.write_text("country,year,population,source\nUY,2023,3444263,INE Uruguay\n", encoding="utf-8")
    call_command("import_population", str(good))
    assert Population.objects.get(country__code="UY", year=2023).value == 3_444_263
    bad = tmp_path / "bad.csv"
    bad.write_text("country,year,population,source\nXX,2023,5,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.csv, line 2, column country.*Nothing was stored"), \
            translation.override("en"):
        call_command("import_population", str(bad))
