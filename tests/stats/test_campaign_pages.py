"""The campaign pages as reporters and the secretariat use them (Django test client)."""

import html
import re

import pytest

from sirbi.stats.models import Value
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_a_coordinator_fills_the_form_in_spanish_numbers(as_user, coordinator_pe, campaign):  # noqa: F811
    client = as_user(coordinator_pe)
    page = text(client.get(f"/es/stats/campaigns/{campaign.pk}/"))
    assert "Perú" in page and "Chile" not in page
    url = f"/es/stats/campaigns/{campaign.pk}/report/PE/"
    assert "Bibliotecas y puntos de servicio" in text(client.get(url))
    response = client.post(url, {"libraries-public-value": "1.234", "visits-public-value": "2.500.000",
                                 "visits-public-source": "survey", "save": ""})
    assert response.status_code == 302
    stored = {v.indicator.code: v for v in Value.objects.filter(campaign=campaign, unit_key="PE")}
    assert stored["libraries"].value == 1234 and stored["visits"].value == 2_500_000
    assert stored["visits"].source == "survey" and stored["libraries"].status == "draft"
    # Shown back the Spanish way (Django groups thousands with a no-break space in Spanish).
    assert re.search(r'value="2.500.000"', client.get(url).content.decode())


def test_an_ambiguous_number_is_refused_with_its_row_named(as_user, coordinator_pe, campaign):  # noqa: F811
    client = as_user(coordinator_pe)
    url = f"/en/stats/campaigns/{campaign.pk}/report/PE/"
    response = client.post(url, {"libraries-public-value": "1.234,5", "visits-public-value": "10", "save": ""})
    page = text(response)
    assert response.status_code == 200 and "Nothing was saved" in page
    assert "“1.234,5” mixes the separators; in this language write it like 1,234.5" in page
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Value.objects.filter(campaign=campaign).exists()


def test_a_coordinator_cannot_report_for_another_country(as_user, coordinator_pe, campaign):  # noqa: F811
    client = as_user(coordinator_pe)
    url = f"/en/stats/campaigns/{campaign.pk}/report/CL/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"libraries-public-value": "5", "save": ""}).status_code == 403
    assert client.get(f"/en/stats/campaigns/{campaign.pk}/review/PE/").status_code == 403
    assert not Value.objects.filter(campaign=campaign).exists()


def test_the_public_does_not_see_campaigns(client, reader, as_user, campaign):  # noqa: F811
    assert client.get("/en/stats/campaigns/").status_code == 302  # to the login page
    assert as_user(reader).get(f"/en/stats/campaigns/{campaign.pk}/").status_code == 403


def test_submit_review_return_and_publish(as_user, coordinator_pe, secretary, campaign):  # noqa: F811
    reporter, reviewer = as_user(coordinator_pe), as_user(secretary)
    url = f"/en/stats/campaigns/{campaign.pk}/report/PE/"
    reporter.post(url, {"libraries-public-value": "500", "visits-public-value": "90,000", "submit": ""})
    assert set(Value.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"submitted"}
    review_url = f"/en/stats/campaigns/{campaign.pk}/review/PE/"
    visits = Value.objects.get(campaign=campaign, indicator__code="visits")
    response = reviewer.post(review_url, {"value": visits.pk, "action": "return", "comment": ""}, follow=True)
    assert "Say why the figure is returned" in text(response)
    reviewer.post(review_url, {"value": visits.pk, "action": "return", "comment": "Counted twice?"})
    visits.refresh_from_db()
    assert visits.status == "returned"
    page = text(reporter.get(url))
    assert "Reviewer: Counted twice?" in page
    reporter.post(url, {"visits-public-value": "45,000", "submit": ""})
    visits.refresh_from_db()
    assert (visits.status, visits.value) == ("submitted", 45_000)
    for value in Value.objects.filter(campaign=campaign):
        reviewer.post(review_url, {"value": value.pk, "action": "accept"})
        reviewer.post(review_url, {"value": value.pk, "action": "publish"})
    assert set(Value.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"published"}


def test_the_secretariat_opens_and_changes_a_campaign_on_its_pages(as_user, secretary, coordinator_pe,
                                                                   campaign):  # noqa: F811
    import datetime

    from django.urls import reverse
    from django.utils import translation

    from sirbi.core.models import ChangeLog
    from sirbi.stats.models import Campaign, Indicator

    with translation.override("en"):
        new_url = reverse("stats-campaigns:new")
        list_url = reverse("stats-campaigns:list")
    visits, loans = Indicator.objects.get(code="visits"), Indicator.objects.get(code="loans_books")
    deadline = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    form = {"title": "Campaña 2026", "year": "2026", "indicators": [visits.pk, loans.pk], "level_country": "on",
            "typologies": ["public", "school"], "languages": ["es", "pt"], "deadline": deadline,
            "status": "draft", "instructions": "Cifras del año 2026."}
    # Coordinators may not open campaigns; a derived indicator is not offered; no level is refused.
    assert as_user(coordinator_pe).post(new_url, form).status_code == 403
    page = as_user(secretary).get(new_url).content.decode()
    derived = Indicator.objects.get(code="visits_per_capita")
    assert 'type="date"' in page and f'value="{visits.pk}"' in page and f'value="{derived.pk}"' not in page
    assert re.search(r'value="pt"[^>]*checked', page)  # every language proposed
    refused = as_user(secretary).post(new_url, dict(form, level_country="")).content.decode()
    assert "Choose at least one level that reports." in refused and not Campaign.objects.filter(year=2026).exists()
    response = as_user(secretary).post(new_url, form)
    created = Campaign.objects.get(year=2026)
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert set(created.indicators.all()) == {visits, loans} and created.typologies == ["public", "school"]
    assert ChangeLog.objects.filter(object_id=str(created.pk), action="create").exists()
    assert "Campaña 2026" not in as_user(coordinator_pe).get(list_url).content.decode()  # in preparation
    # Opening it: the change log keeps the before and after; a stale form is refused.
    with translation.override("en"):
        edit_url = reverse("stats-campaigns:edit", args=[created.pk])
    as_user(secretary).post(edit_url, dict(form, status="open", base_version=created.version))
    created.refresh_from_db()
    assert created.status == "open" and "Campaña 2026" in as_user(coordinator_pe).get(list_url).content.decode()
    stale = as_user(secretary).post(edit_url, dict(form, status="closed", base_version=created.version - 1))
    assert stale.status_code == 200 and Campaign.objects.get(pk=created.pk).status == "open"
    assert as_user(coordinator_pe).get(edit_url).status_code == 403


@pytest.mark.parametrize("page", ["", "report/PE/", "report/PE/template.xlsx", "template.csv", "upload/",
                                  "report/PE/upload/"])
def test_a_campaign_in_preparation_is_the_secretariats_alone(as_user, coordinator_pe, secretary, campaign,  # noqa: F811
                                                             page):
    """Its title, deadline and indicators are not read by the coordinators until the secretariat opens it."""
    campaign.status = "draft"
    campaign.save()
    send = as_user(coordinator_pe).post if page.endswith("upload/") else as_user(coordinator_pe).get
    assert send(f"/en/stats/campaigns/{campaign.pk}/{page}").status_code == 404
    assert "Campaña 2025" not in as_user(coordinator_pe).get("/en/stats/campaigns/").content.decode()
    assert as_user(coordinator_pe).get("/api/v1/campaigns/").json()["count"] == 0
    assert as_user(secretary).get(f"/en/stats/campaigns/{campaign.pk}/").status_code == 200
