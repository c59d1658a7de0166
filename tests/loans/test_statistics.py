"""ILL statistics (issue #17 §5) on a small hand-built year with known answers: Lima asks three times (one loan
supplied by Montevideo after Santiago had it not on shelf, one copy supplied by Santiago, one that nobody could
supply), Cusco once (supplied by Santiago), Santiago once (Lima has not answered yet); plus a request of the year
before and a draft never sent, which count nowhere."""

import datetime

import pytest
from django.utils import timezone

from sirbi.loans import statistics
from sirbi.loans.models import LoanRequest, RotaEntry, Transition
from sirbi.stats import services as stats_services
from sirbi.stats.models import Indicator, NeedRule, Value
from tests.conftest import client_for

YEAR = 2025


def at(month, day, hour=10, year=YEAR):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def story(key, borrower, *, sent, rota=(), shipped=None, received=None, state="completed", service="Loan",
          sample=False, title="Libro secreto"):
    """A request sent at `sent`, asked of `rota` [(library, outcome, reason)], shipped by the `shipped` (library,
    time) pair, received at `received`."""
    loan = LoanRequest.objects.create(borrower=borrower, title=f"{title} {key}", request_id=f"st-{key}", state=state,
                                      service_type=service, received_at=received, is_sample=sample,
                                      patron_reference="Lectora Ana Pérez")
    if sent:
        Transition.objects.create(request=loan, side="requester", name="send", time=sent, library=borrower)
    for position, (library, outcome, reason) in enumerate(rota, start=1):
        RotaEntry.objects.create(request=loan, library=library, position=position, reason="region", outcome=outcome,
                                 reason_unfilled=reason, asked_at=sent)
    if shipped:
        lender, moment = shipped
        status = "CopyCompleted" if service == "Copy" else "Loaned"
        Transition.objects.create(request=loan, side="supplier", name=status, supplier_status=status, time=moment,
                                  library=lender)
    if received:
        Transition.objects.create(request=loan, side="requester", name="Received", time=received, library=borrower)
    return loan


@pytest.fixture
def year_of_loans(lima_library, cusco_library, santiago_library, montevideo_library):
    lima, cusco, santiago, montevideo = lima_library, cusco_library, santiago_library, montevideo_library
    story(1, lima, sent=at(3, 1), rota=[(santiago, "unfilled", "NotOnShelf"), (montevideo, "supplying", "")],
          shipped=(montevideo, at(3, 5)), received=at(3, 11))
    story(2, lima, sent=at(4, 1), rota=[(santiago, "supplying", "")], shipped=(santiago, at(4, 3)), service="Copy")
    story(3, lima, sent=at(5, 1), rota=[(cusco, "timed_out", ""), (santiago, "unfilled", "NotHeld")],
          state="unfilled")
    story(4, cusco, sent=at(6, 1), rota=[(santiago, "supplying", "")], shipped=(santiago, at(6, 7)),
          received=at(6, 9), sample=True)
    story(5, santiago, sent=at(7, 1), rota=[(lima, "asked", "")], state="requested")
    story(6, lima, sent=at(5, 1, year=YEAR - 1), rota=[(cusco, "supplying", "")], shipped=(cusco, at(5, 2, year=2024)))
    story(7, lima, sent=None, rota=[(santiago, "waiting", "")], state="draft")
    return lima, cusco, santiago, montevideo


def test_the_region_counts_what_was_sent_in_the_year(year_of_loans):
    region = statistics.compute(YEAR).of(statistics.REGION)
    assert (region.made, region.made_loans, region.made_copies) == (5, 4, 1)
    assert (region.filled, region.unfilled, region.received, region.lent) == (3, 1, 7, 3)
    assert region.fill_rate == pytest.approx(0.6)
    assert region.unfilled_reasons == {"NotOnShelf": 1, "NotHeld": 1, "timed_out": 1}
    assert sorted(region.to_shipment) == [2, 4, 6] and region.median_to_shipment == 4
    assert region.median_to_receipt == 9  # 10 and 8 days; the copy has no receipt
    assert region.is_sample


def test_each_library_network_and_country_has_its_own_figures(year_of_loans, pe_public):
    lima, cusco, santiago, montevideo = year_of_loans
    stats = statistics.compute(YEAR)
    mine = stats.of(f"library:{lima.pk}")
    assert (mine.made, mine.filled, mine.unfilled, mine.received, mine.lent) == (3, 2, 1, 1, 0)
    assert mine.fill_rate == pytest.approx(2 / 3) and mine.median_to_shipment == 3 and mine.median_to_receipt == 10
    assert not mine.is_sample
    assert stats.of(f"network:{pe_public.pk}").made == 3  # Lima is pe-public's only library here
    peru, chile, uruguay = stats.of("PE"), stats.of("CL"), stats.of("UY")
    assert (peru.made, peru.filled, peru.received, peru.lent, peru.median_to_receipt) == (4, 3, 2, 0, 9)
    assert (chile.made, chile.filled, chile.received, chile.lent, chile.lent_copies) == (1, 0, 4, 2, 1)
    assert (uruguay.made, uruguay.received, uruguay.lent) == (0, 1, 1)
    assert stats.of(f"library:{santiago.pk}").fill_rate == 0


def test_the_flow_matrix_says_who_lends_to_whom(year_of_loans):
    stats = statistics.compute(YEAR)
    assert stats.flows == {("CL", "PE"): 2, ("UY", "PE"): 1}
    assert +stats.flow_samples == {("CL", "PE"): 1}
    rows = {lender.code: (dict((b.code, n) for b, n in cells), total) for lender, cells, total in stats.flow_rows()}
    assert rows["CL"] == ({"CL": 0, "PE": 2, "UY": 0}, 2) and rows["PE"][1] == 0
    assert dict((c.code, n) for c, n in stats.flow_columns()) == {"CL": 0, "PE": 3, "UY": 0}


def test_the_counts_are_a_fixed_number_of_queries(year_of_loans, django_assert_max_num_queries):
    lima, cusco, santiago, montevideo = year_of_loans
    with django_assert_max_num_queries(8):
        statistics.compute(YEAR)
    for k in range(30):
        story(100 + k, cusco, sent=at(8, 1), rota=[(montevideo, "supplying", "")], shipped=(montevideo, at(8, 2)))
    with django_assert_max_num_queries(8):
        assert statistics.compute(YEAR).of("UY").lent == 31


def test_the_year_becomes_statistics_values_once(year_of_loans):
    lima = year_of_loans[0]
    # 4 figures for each of 4 libraries, 1 network, 3 countries (all libraries) and 3 (their public libraries).
    assert statistics.record_values(YEAR) == {"created": 44, "updated": 0, "deleted": 0}
    values = {(v.indicator.code, v.typology, v.unit_key): v for v in Value.objects.filter(source="ill", year=YEAR)}
    assert values[("ill_requests_made", "all", "PE")].value == 4
    assert values[("ill_requests_made", "public", "PE")].value == 4  # Lima and Cusco are public libraries
    assert values[("ill_borrowing", "all", "PE")].value == 3
    assert values[("ill_lending", "all", "CL")].value == 2
    assert values[("ill_requests_received", "all", "CL")].value == 4
    assert values[("ill_requests_made", "public", f"library:{lima.pk}")].value == 3
    assert values[("ill_requests_made", "all", "PE")].status == "published"
    assert values[("ill_requests_made", "all", "PE")].is_sample  # Cusco's request is a sample
    assert not values[("ill_requests_made", "public", f"library:{lima.pk}")].is_sample
    assert statistics.record_values(YEAR) == {"created": 0, "updated": 0, "deleted": 0}
    LoanRequest.objects.filter(request_id="st-3").update(state="completed")
    Transition.objects.create(request=LoanRequest.objects.get(request_id="st-3"), side="supplier", name="Loaned",
                              time=at(5, 20), library=year_of_loans[1])
    assert statistics.record_values(YEAR)["updated"] > 0
    assert Value.objects.get(source="ill", year=YEAR, unit_key="PE", typology="all",
                             indicator__code="ill_borrowing").value == 4


def test_the_fill_rate_is_an_indicator_whose_needs_are_detected(year_of_loans):
    statistics.record_values(YEAR)
    rate = Indicator.objects.get(code="ill_fill_rate")
    table = stats_services.country_table(rate, "all", YEAR)
    assert table["PE"].value == pytest.approx(75) and table["PE"].source == "ill"
    assert table["CL"].value == 0 and "UY" not in table  # Uruguay made no request: no rate, not zero
    NeedRule.objects.create(indicator=rate, typology="all", kind="threshold", threshold=50)
    needs = stats_services.needs([rate], typology="all", year=YEAR)
    assert [need.country for code in needs for need in needs[code]] == ["CL"]


def test_ill_values_are_shown_beside_reported_ones(year_of_loans, client):
    statistics.record_values(YEAR)
    lending = Indicator.objects.get(code="ill_lending")
    Value.objects.create(indicator=lending, typology="all", country=year_of_loans[2].country, year=YEAR, value=5,
                         source="survey", status="published")
    figure = stats_services.country_table(lending, "all", YEAR)["CL"]
    assert (figure.value, figure.source) == (5, "survey")
    assert [(a.value, a.source) for a in figure.alternatives] == [(2, "ill")]
    page = client.get("/en/stats/countries/CL/").content.decode()
    assert "ILL transactions" in page


def test_the_public_page_shows_totals_and_no_request(year_of_loans, django_assert_max_num_queries):
    anonymous = client_for(None)
    with django_assert_max_num_queries(14):
        response = anonymous.get(f"/en/loans/statistics/?year={YEAR}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Who lends to whom" in page and "Chile" in page and "60" in page  # the fill rate
    assert "Libro secreto" not in page and "Ana Pérez" not in page and "st-1" not in page
    assert "Sample data" in page
    lima = year_of_loans[0]
    page = anonymous.get(f"/en/loans/statistics/library/{lima.pk}/?year={YEAR}").content.decode()
    assert "Libro secreto" not in page and "Ana Pérez" not in page
    for k in range(20):
        story(200 + k, lima, sent=at(9, 1), rota=[(year_of_loans[3], "supplying", "")],
              shipped=(year_of_loans[3], at(9, 3)))
    with django_assert_max_num_queries(14):
        assert anonymous.get(f"/en/loans/statistics/?year={YEAR}").status_code == 200
    with django_assert_max_num_queries(16):
        assert anonymous.get(f"/en/loans/statistics/country/PE/?year={YEAR}").status_code == 200


def test_the_csv_downloads_hold_the_figures(year_of_loans):
    anonymous = client_for(None)
    response = anonymous.get(f"/en/loans/statistics/?year={YEAR}&format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("year,unit,unit_name,requests_made")
    assert lines[1].startswith(f"{YEAR},region,Region,5,4,1,3,0.6,1,7,3,")
    assert any(line.startswith(f"{YEAR},PE,") for line in lines)
    flows = anonymous.get(f"/en/loans/statistics/?year={YEAR}&format=csv&table=flows").content.decode("utf-8-sig")
    assert flows.splitlines()[1:] == [f"{YEAR},CL,PE,2,yes", f"{YEAR},UY,PE,1,no"]
    assert "Libro secreto" not in flows


def test_unknown_units_are_not_found(year_of_loans):
    anonymous = client_for(None)
    assert anonymous.get("/en/loans/statistics/planet/1/").status_code == 404
    assert anonymous.get("/en/loans/statistics/library/abc/").status_code == 404
    assert anonymous.get("/en/loans/statistics/country/ZZ/").status_code == 404


def test_the_api_gives_the_same_figures(year_of_loans, django_assert_max_num_queries):
    anonymous = client_for(None)
    with django_assert_max_num_queries(12):
        data = anonymous.get(f"/api/v1/loans/statistics/?year={YEAR}").json()
    units = {unit["unit"]: unit for unit in data["units"]}
    assert data["years"] == [YEAR, YEAR - 1] and data["units"][0]["unit"] == "region"
    assert (units["region"]["requests_made"], units["region"]["filled"], units["region"]["fill_rate"]) == (5, 3, 0.6)
    assert units["PE"]["median_days_to_receipt"] == 9 and units["CL"]["supplied"] == 2
    assert data["flows"] == [{"lender_country": "CL", "borrower_country": "PE", "supplied": 2, "is_sample": True},
                             {"lender_country": "UY", "borrower_country": "PE", "supplied": 1, "is_sample": False}]
    assert "Libro secreto" not in str(data)
    assert anonymous.get("/api/v1/loans/statistics/?year=abc").status_code == 400


def test_the_command_writes_the_values_and_a_second_run_changes_nothing(year_of_loans):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from sirbi.core.models import ChangeLog

    out = StringIO()
    call_command("ill_statistics", "--year", str(YEAR), stdout=out)
    assert out.getvalue().startswith(f"{YEAR}: 44 value(s) created")
    entries = ChangeLog.objects.filter(source="ill").count()
    assert entries == 44
    call_command("ill_statistics", "--all", stdout=out)
    assert f"{YEAR}: 0 value(s) created, 0 updated, 0 removed." in out.getvalue()
    assert ChangeLog.objects.filter(source="ill").count() == entries + Value.objects.filter(year=YEAR - 1).count()
    with pytest.raises(CommandError):
        call_command("ill_statistics", "--year", "3000")
