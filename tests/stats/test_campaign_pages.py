"""The campaign pages as reporters and the secretariat use them (Django test client)."""

import html
import re

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
    response = client.post(url, {"libraries-public-value": "1.234", "visits-public-value": "2.500.000,5",
                                 "visits-public-source": "survey", "save": ""})
    assert response.status_code == 302
    stored = {v.indicator.code: v for v in Value.objects.filter(campaign=campaign, unit_key="PE")}
    assert stored["libraries"].value == 1234 and stored["visits"].value == 2_500_000.5
    assert stored["visits"].source == "survey" and stored["libraries"].status == "draft"
    # Shown back the Spanish way (Django groups thousands with a no-break space in Spanish).
    assert re.search(r'value="2.500.000,50"', client.get(url).content.decode())


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
