"""One rule set for figures: the same bad figures sent through the campaign form, the API, a unit's spreadsheet
and a scope's spreadsheet (CSV and XLSX, the bulk path) are refused with the same words, and nothing is saved."""

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sirbi.stats.campaigns.services import Unit
from sirbi.stats.campaigns.spreadsheets import template_csv, template_xlsx
from sirbi.stats.models import Value
from tests.registry.test_api import token_client
from tests.stats.test_campaigns import campaign  # noqa: F401  (fixture)
from tests.stats.test_scope_upload import eager_jobs  # noqa: F401  (fixture)
from tests.stats.test_spreadsheets import csv_rows, write_csv

# indicator: (value, source, note), each figure breaking one rule or two.
BAD = {"libraries": ("12.5", "", ""), "libraries_internet": ("-3", "", ""),
       "visits": ("10", "bogus", "<b>many</b>")}
MESSAGES = [
    "12.5 is not a whole number, and libraries is a count.",
    "a count cannot be negative.",
    "“bogus” is not one of network, lmw, survey, estimate.",
    "HTML is not allowed here (found <b>). Write plain text.",
]


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def through_form(client, campaign, peru):  # noqa: F811
    data = {"save": ""}
    for code, (value, source, note) in BAD.items():
        data.update({f"{code}-public-value": value, f"{code}-public-source": source, f"{code}-public-note": note})
    return text(client.post(f"/en/stats/campaigns/{campaign.pk}/report/PE/", data))


def through_api(client, campaign, peru):  # noqa: F811
    figures = [{"indicator": code, "typology": "public", "value": float(value), "source": source, "note": note}
               for code, (value, source, note) in BAD.items()]
    response = token_client(client.user).post(f"/api/v1/campaigns/{campaign.pk}/figures/",
                                              {"unit": "PE", "figures": figures}, format="json",
                                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    return response.json()["detail"]


def filled_csv(campaign, units):  # noqa: F811
    rows = csv_rows(template_csv(campaign, units, "en"))
    for row in rows:
        if row["unit"] == "PE":
            row["value"], row["source"], row["note"] = BAD[row["indicator"]]
    return write_csv(rows)


def filled_xlsx(campaign, units):  # noqa: F811
    workbook = load_workbook(io.BytesIO(template_xlsx(campaign, units, "en")))
    sheet = workbook["figures"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(("value", "source", "note"), BAD[row[header.index("indicator")].value], strict=True))
        for column, value in values.items():
            row[header.index(column)].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def through_unit_csv(client, campaign, peru):  # noqa: F811
    return text(client.post(f"/en/stats/campaigns/{campaign.pk}/report/PE/upload/",
                            {"file": SimpleUploadedFile("pe.csv", filled_csv(campaign, [Unit(peru)]))}, follow=True))


def through_scope_csv(client, campaign, peru):  # noqa: F811
    return text(client.post(f"/en/stats/campaigns/{campaign.pk}/upload/",
                            {"file": SimpleUploadedFile("all.csv", filled_csv(campaign, [Unit(peru)]))}, follow=True))


def through_scope_xlsx(client, campaign, peru):  # noqa: F811
    return text(client.post(f"/en/stats/campaigns/{campaign.pk}/upload/",
                            {"file": SimpleUploadedFile("all.xlsx", filled_xlsx(campaign, [Unit(peru)]))},
                            follow=True))


@pytest.mark.parametrize("door", [through_form, through_api, through_unit_csv, through_scope_csv,
                                  through_scope_xlsx])
def test_every_door_refuses_the_same_figures_in_the_same_words(door, as_user, coordinator_pe, campaign, peru,  # noqa: F811
                                                              eager_jobs):  # noqa: F811
    client = as_user(coordinator_pe)
    client.user = coordinator_pe
    said = door(client, campaign, peru)
    for message in MESSAGES:
        assert message in said, (door.__name__, message, said)
    assert not Value.objects.filter(campaign=campaign).exists()


def test_a_spreadsheet_names_the_row_and_column_of_each(as_user, coordinator_pe, campaign, peru, eager_jobs):  # noqa: F811
    said = through_scope_xlsx(as_user(coordinator_pe), campaign, peru)
    assert "figures, row 2, column value: 12.5 is not a whole number" in said
    assert "figures, row 4, column source: “bogus” is not one of" in said
    assert "figures, row 4, column note: HTML is not allowed here" in said
