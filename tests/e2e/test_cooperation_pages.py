"""The cooperation pages of the demo, as a screen-reader user and as the secretariat (with every form open)
meet them: axe-core finds no serious or critical violation."""

import pytest

from sirbi.cooperation.demo import load_cooperation_demo
from sirbi.cooperation.models import Activity, GoodPractice, Meeting, PartnershipAgreement, Topic
from sirbi.stats.indicators import seed_indicators

from .conftest import axe_violations, describe, shot, sign_in


@pytest.fixture
def demo(registry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_indicators()
    load_cooperation_demo()
    return Meeting.objects.get(city="Lima")


@pytest.mark.e2e
def test_cooperation_pages_have_no_serious_accessibility_violation(page, live_server, demo, secretary):
    practice = GoodPractice.objects.filter(status="published").first()
    paths = ["/es/cooperation/meetings/", "/pt/cooperation/meetings/calendar/?month=2022-11",
             "/en/cooperation/roadmap/timeline/", "/es/cooperation/roadmap/timeline/?by=country",
             "/pt/cooperation/roadmap/countries/PE/", "/es/cooperation/actions/estadisticas-lmw/",
             f"/en/cooperation/meetings/{demo.pk}/", "/es/cooperation/groups/", "/pt/cooperation/groups/datos/",
             "/en/cooperation/needs/", "/es/cooperation/needs/diagnostico-2026/",
             "/pt/cooperation/needs/diagnostico-2026/matrix/", "/es/cooperation/alliances/",
             "/en/cooperation/practices/?q=lectura", f"/pt/cooperation/practices/{practice.pk}/",
             f"/es/cooperation/alliances/{PartnershipAgreement.objects.first().pk}/", "/es/cooperation/agenda/",
             f"/pt/cooperation/agenda/{Activity.objects.first().pk}/", "/en/cooperation/countries/PE/new/"]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = axe_violations(page)
        assert not violations, f"axe-core on {path}:\n{describe(violations)}"
        shot(page, "coop" + path.replace("/", "-").replace("?", "-"))
    # The secretariat's view of a meeting has every form; open them all before checking.
    page.goto(live_server.url + "/es/accounts/login/")
    sign_in(page, live_server.url, secretary)
    topic = Topic.objects.first()
    for path in (f"/es/cooperation/meetings/{demo.pk}/", f"/es/cooperation/meetings/{demo.pk}/participants/",
                 "/es/cooperation/groups/datos/", f"/pt/cooperation/groups/datos/topics/{topic.pk}/",
                 "/en/cooperation/needs/diagnostico-2026/countries/PE/",
                 "/es/cooperation/needs/diagnostico-2026/countries/BO/", "/en/cooperation/practices/new/",
                 "/es/cooperation/alliances/new/", "/pt/cooperation/roadmap/import/", "/es/cooperation/agenda/new/",
                 "/en/platform/account/notifications/"):
        page.goto(live_server.url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        violations = axe_violations(page)
        assert not violations, f"axe-core on {path} (secretariat):\n{describe(violations)}"
