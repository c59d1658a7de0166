"""A reporting campaign from end to end, in the browser.

The secretariat opens a campaign on the campaigns page; Peru's coordinator downloads the XLSX template, fills it
offline with an outlier, uploads it, explains the flagged figure and submits; the secretariat returns the
outlier with a comment and accepts the other figure; the coordinator corrects it and submits again; the
secretariat accepts and publishes; an anonymous visitor finds the published figure on the public pages and
in the open data. axe-core checks the reporting page on the way.

The live server's transactions are flushed afterwards, so the journey loads the catalogue itself.
"""

import csv
import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from sirbi.registry.models import Country
from sirbi.stats.indicators import seed_indicators
from sirbi.stats.models import Campaign, Indicator, Value

from .conftest import axe_violations, describe, shot, sign_in

# Peers for the outlier check: published 2025 visits of other member countries, of similar magnitude.
PEER_VISITS = {"AR": 1_000_000, "BO": 1_100_000, "BR": 1_200_000, "CL": 1_300_000, "CO": 1_400_000,
               "EC": 1_500_000, "MX": 1_600_000, "PY": 1_700_000, "UY": 1_800_000, "CR": 1_900_000}


@pytest.fixture
def catalogue(registry):
    seed_indicators()
    visits = Indicator.objects.get(code="visits")
    for code, figure in PEER_VISITS.items():
        Value.objects.create(indicator=visits, typology="public", country=Country.objects.get(code=code),
                             year=2025, value=figure, source="survey", status="published")


def post_and_wait(page, button):
    with page.expect_navigation():
        button.click()


def messages_text(page):
    box = page.locator(".messages").first
    return box.inner_text() if box.count() else ""


@pytest.mark.e2e
def test_a_campaign_from_opening_to_publication(open_page, live_server, registry, catalogue, secretary,
                                                coordinator_pe, tmp_path):
    base = live_server.url
    deadline = datetime.date.today() + datetime.timedelta(days=60)

    # 1. The secretariat opens the campaign on the campaigns page.
    secretariat = open_page()
    sign_in(secretariat, base, secretary)
    secretariat.goto(base + "/en/stats/campaigns/")
    secretariat.click("text=Open a new campaign")
    assert secretariat.locator("#id_title").count() == 1, "the campaign form did not open for the secretariat"
    secretariat.fill("#id_title", "Annual statistics 2025")
    secretariat.fill("#id_year", "2025")
    for pk in Indicator.objects.filter(code__in=["libraries", "visits"]).values_list("pk", flat=True):
        secretariat.check(f"input[name=indicators][value='{pk}']")
    secretariat.check("#id_level_country")
    secretariat.check("input[name=typologies][value=public]")
    for code in ("es", "pt", "en"):
        secretariat.check(f"input[name=languages][value={code}]")
    secretariat.fill("#id_deadline", deadline.isoformat())
    secretariat.select_option("#id_status", "open")
    post_and_wait(secretariat, secretariat.locator("form.form button[type=submit]"))
    errors = secretariat.locator(".errorlist, .message.error").all_inner_texts()
    assert "/stats/campaigns/new/" not in secretariat.url, f"the campaign was refused: {errors}"
    campaign = Campaign.objects.get(title="Annual statistics 2025")
    assert (campaign.year, campaign.status, campaign.deadline, campaign.typologies, campaign.level_country) == (
        2025, "open", deadline, ["public"], True)
    assert set(campaign.indicators.values_list("code", flat=True)) == {"libraries", "visits"}
    report_url = f"{base}/en/stats/campaigns/{campaign.pk}/report/PE/"

    # 3. Peru's coordinator opens the campaign, downloads the XLSX template and fills it offline.
    coordinator = open_page()
    coordinator.goto(f"{base}/en/stats/campaigns/{campaign.pk}/")
    sign_in(coordinator, base, coordinator_pe)
    assert coordinator.url == f"{base}/en/stats/campaigns/{campaign.pk}/"
    assert coordinator.get_by_role("heading", level=1).inner_text() == "Annual statistics 2025"
    post_and_wait(coordinator, coordinator.get_by_role("row", name="Peru").get_by_role("link", name="Report"))
    assert coordinator.url == report_url
    with coordinator.expect_download() as download_info:
        coordinator.locator('section.offline a[hreflang="en"]', has_text="XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "sirbi-2025-PE-en.xlsx"
    template = tmp_path / download.suggested_filename
    download.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["figures"]
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) + 1 for name in header}
    filled = {"libraries": 800, "visits": 900_000_000}
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, column["indicator"]).value
        assert sheet.cell(row, column["unit"]).value == "PE"
        assert sheet.cell(row, column["typology"]).value == "public"
        sheet.cell(row, column["value"]).value = filled.pop(code)
    assert not filled, f"the template has no row for {filled}"
    buffer = io.BytesIO()
    workbook.save(buffer)

    # ... uploads it: the figures are saved as a draft, and the visits are flagged as an outlier.
    coordinator.set_input_files("#id-upload", {
        "name": "sirbi-2025-PE-en.xlsx", "buffer": buffer.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    post_and_wait(coordinator, coordinator.locator("section.offline form button[type=submit]"))
    assert coordinator.url == report_url
    assert "saved as a draft" in messages_text(coordinator)
    libraries_row, visits_row = coordinator.locator("#row-libraries-public"), coordinator.locator("#row-visits-public")
    assert coordinator.locator('input[name="libraries-public-value"]').input_value() == "800"
    assert coordinator.locator('input[name="visits-public-value"]').input_value() == "900,000,000"
    assert "draft" in libraries_row.inner_text() and "draft" in visits_row.inner_text()
    assert "far from" in visits_row.locator(".flag").inner_text()
    assert libraries_row.locator(".flag").count() == 0
    shot(coordinator, "en-campaign-report-flagged")
    # The reporting form with its flag and justification passes axe-core too.
    violations = axe_violations(coordinator)
    assert not violations, describe(violations)

    # Submitting without explaining the flagged figure is refused, then accepted with a justification.
    post_and_wait(coordinator, coordinator.get_by_role("button", name="Submit for review"))
    assert "Explain the flagged figures" in messages_text(coordinator)
    assert set(Value.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"draft"}
    coordinator.locator('textarea[name="visits-public-justification"]').fill(
        "Counted by turnstiles for the first time, including the book fair.")
    post_and_wait(coordinator, coordinator.get_by_role("button", name="Submit for review"))
    assert "submitted for review" in messages_text(coordinator)
    assert "submitted" in visits_row.inner_text() and "submitted" in libraries_row.inner_text()
    assert coordinator.locator('input[name="visits-public-value"]').count() == 0  # sent figures are read-only

    # 4. Chile's report is not hers.
    response = coordinator.goto(f"{base}/en/stats/campaigns/{campaign.pk}/report/CL/")
    assert response.status == 403

    # 5. The secretariat returns the visits with a comment and accepts the libraries.
    review_url = f"{base}/en/stats/campaigns/{campaign.pk}/review/PE/"
    secretariat.goto(review_url)
    visits_review = secretariat.locator("#value-visits-public")
    assert "far from" in visits_review.inner_text() and "turnstiles" in visits_review.inner_text()
    visits_review.get_by_label("Comment").fill("900 million visits is not plausible; please check the count.")
    post_and_wait(secretariat, visits_review.get_by_role("button", name="Return"))
    post_and_wait(secretariat, secretariat.locator("#value-libraries-public").get_by_role("button", name="Accept"))
    assert "returned with comments" in secretariat.locator("#value-visits-public").inner_text()
    assert "accepted" in secretariat.locator("#value-libraries-public").inner_text()

    # 6. The coordinator reads the comment, corrects the visits and submits again.
    coordinator.goto(report_url)
    assert "not plausible" in visits_row.locator(".message.error").inner_text()
    coordinator.locator('input[name="visits-public-value"]').fill("1,500,000")
    justification = coordinator.locator('textarea[name="visits-public-justification"]')
    if justification.count():
        justification.fill("Corrected: the earlier figure counted every turnstile passage twice.")
    post_and_wait(coordinator, coordinator.get_by_role("button", name="Submit for review"))
    assert "submitted for review" in messages_text(coordinator), messages_text(coordinator)
    assert "1,500,000" in visits_row.inner_text() and "submitted" in visits_row.inner_text()
    visits = Value.objects.get(campaign=campaign, indicator__code="visits")
    assert (visits.value, visits.status, visits.flags) == (1_500_000, "submitted", [])

    # 7. The secretariat accepts the visits and publishes both figures.
    secretariat.goto(review_url)
    post_and_wait(secretariat, secretariat.locator("#value-visits-public").get_by_role("button", name="Accept"))
    for code in ("libraries", "visits"):
        post_and_wait(secretariat, secretariat.locator(f"#value-{code}-public").get_by_role("button", name="Publish"))
    assert set(Value.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"published"}

    # 8. An anonymous visitor finds Peru's figure in the indicator's table, the country page and the open data.
    visitor = open_page()
    visitor.goto(f"{base}/en/stats/indicators/visits/?typology=public&year=2025")
    peru_row = visitor.locator("main table.figures-table").get_by_role("row", name="Peru")
    assert "1,500,000" in peru_row.inner_text() and "2025" in peru_row.inner_text()
    shot(visitor, "en-stats-visits-2025")
    visitor.goto(f"{base}/en/stats/countries/PE/")
    assert "1,500,000" in visitor.locator("main").inner_text()
    response = visitor.request.get(f"{base}/en/stats/data/values.csv?indicator=visits&country=PE&year=2025")
    assert response.status == 200
    lines = [line for line in response.text().splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    assert [(r["country"], r["indicator"], r["year"]) for r in rows] == [("PE", "visits", "2025")]
    assert re.fullmatch(r"1500000(\.0+)?", rows[0]["value"]), rows[0]

    # 9. The reporting page, now read-only, has no serious or critical accessibility violation.
    coordinator.goto(report_url, wait_until="networkidle")
    violations = axe_violations(coordinator)
    assert not violations, f"axe-core on {report_url}:\n{describe(violations)}"
