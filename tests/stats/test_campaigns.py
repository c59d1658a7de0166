"""A reporting campaign from the secretariat's opening to the public's reading, at the service level."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from sirbi.core.changelog import history
from sirbi.stats import services
from sirbi.stats.campaigns.services import CampaignError, Entry, Unit, review, save_figures, units_for
from sirbi.stats.models import Campaign, Indicator, Value
from sirbi.stats.numbers import NumberError, parse_number


@pytest.fixture
def campaign(db):
    campaign = Campaign.objects.create(title="Campaña 2025", year=2025, typologies=["public"],
                                       languages=["es", "pt", "en"], status="open",
                                       deadline=datetime.date.today() + datetime.timedelta(days=30),
                                       level_country=True, level_library=True)
    campaign.indicators.set(Indicator.objects.filter(code__in=["libraries", "libraries_internet", "visits"]))
    return campaign


def entry(code, value, typology="public", **extra):
    return Entry(indicator=Indicator.objects.get(code=code), typology=typology, value=value, **extra)


def test_a_coordinator_reports_saves_a_draft_and_submits(campaign, coordinator_pe, peru):
    unit = Unit(peru)
    assert [u.key for u in units_for(coordinator_pe, campaign) if u.level == "country"] == ["PE"]
    values = save_figures(coordinator_pe, campaign, unit, [entry("libraries", 900)])
    assert values[("libraries", "public")].status == "draft"
    assert not services.country_table(Indicator.objects.get(code="libraries"), "public", 2025)  # not public
    values = save_figures(coordinator_pe, campaign, unit, [entry("visits", 1_000_000)], submit=True)
    assert {v.status for v in values.values()} == {"submitted"}
    assert history(values[("libraries", "public")]).count() == 2  # created, then submitted


def test_a_coordinator_cannot_report_for_another_country(campaign, coordinator_pe, chile):
    with pytest.raises(PermissionDenied):
        save_figures(coordinator_pe, campaign, Unit(chile), [entry("libraries", 10)])
    assert not Value.objects.filter(campaign=campaign).exists()


def test_after_the_deadline_nothing_is_accepted(campaign, coordinator_pe, peru):
    campaign.deadline = datetime.date.today() - datetime.timedelta(days=1)
    campaign.save()
    with pytest.raises(CampaignError, match="deadline"), translation.override("en"):
        save_figures(coordinator_pe, campaign, Unit(peru), [entry("libraries", 10)])


def test_negative_counts_and_unasked_figures_are_refused_whole(campaign, coordinator_pe, peru):
    with pytest.raises(CampaignError), translation.override("en"):
        save_figures(coordinator_pe, campaign, Unit(peru), [entry("libraries", 10), entry("visits", -5)])
    with pytest.raises(CampaignError, match="not asked"), translation.override("en"):
        save_figures(coordinator_pe, campaign, Unit(peru), [entry("volunteers", 3)])
    assert not Value.objects.filter(campaign=campaign).exists()  # all or nothing


def test_a_flag_needs_a_justification_to_submit(campaign, coordinator_pe, peru):
    unit = Unit(peru)
    values = save_figures(coordinator_pe, campaign, unit, [entry("libraries", 100), entry("libraries_internet", 150)])
    assert [f["code"] for f in values[("libraries_internet", "public")].flags] == ["part"]
    with pytest.raises(CampaignError, match="Explain"), translation.override("en"):
        save_figures(coordinator_pe, campaign, unit, [], submit=True)
    values = save_figures(coordinator_pe, campaign, unit, [
        entry("libraries_internet", 150, justification="Branches counted twice; corrected next year.")],
        submit=True)
    assert values[("libraries_internet", "public")].status == "submitted"


def test_the_secretariat_returns_one_value_and_publishes_after_the_fix(campaign, coordinator_pe, secretary, peru):
    unit = Unit(peru)
    values = save_figures(coordinator_pe, campaign, unit, [entry("libraries", 900), entry("visits", 2_000_000)],
                          submit=True)
    with pytest.raises(PermissionDenied):
        review(coordinator_pe, values[("libraries", "public")], "accept")
    review(secretary, values[("visits", "public")], "return", "¿Incluye las visitas virtuales?")
    notice = coordinator_pe.notifications.get()  # the person who entered it is told, with the comment
    assert "¿Incluye las visitas virtuales?" in notice.body and notice.url.endswith("/report/PE/")
    review(secretary, values[("libraries", "public")], "accept")
    # Submitted and accepted figures cannot change; the returned one can, and is sent again.
    with pytest.raises(CampaignError), translation.override("en"):
        save_figures(coordinator_pe, campaign, unit, [entry("libraries", 901)])
    values = save_figures(coordinator_pe, campaign, unit, [entry("visits", 1_800_000)], submit=True)
    visits = values[("visits", "public")]
    assert visits.status == "submitted" and visits.value == 1_800_000
    review(secretary, visits, "accept")
    for value in values.values():
        review(secretary, value, "publish")
    table = services.country_table(Indicator.objects.get(code="visits"), "public", 2025)
    assert table["PE"].value == 1_800_000 and table["PE"].source == "network"


def test_library_staff_report_for_their_library_under_its_type(campaign, librarian_lima, lima_library,
                                                                cusco_library):
    units = units_for(librarian_lima, campaign)
    assert [u.key for u in units] == [f"library:{lima_library.pk}"]
    values = save_figures(librarian_lima, campaign, units[0], [entry("visits", 12_000)])
    assert values[("visits", "public")].source == "survey"
    with pytest.raises(PermissionDenied):
        save_figures(librarian_lima, campaign, Unit(cusco_library.country, library=cusco_library),
                     [entry("visits", 1)])


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("1.234,5", "es", 1234.5), ("1.234,5", "pt", 1234.5), ("1,234.5", "en", 1234.5), ("1 234", "es", 1234),
    ("0,5", "es", 0.5), ("1.234.567", "pt", 1234567), ("1,234", "en", 1234), ("42", "en", 42),
])
def test_numbers_are_read_the_way_each_language_writes_them(text, language, expected):
    assert parse_number(text, language) == expected


@pytest.mark.parametrize(("text", "language"), [("1.5", "es"), ("1,234.5", "es"), ("1,23", "en"), ("1.234,5", "en"),
                                                ("doce", "es"), ("", "en"), ("1,2,3", "es")])
def test_ambiguous_or_foreign_numbers_are_refused(text, language):
    with pytest.raises(NumberError):
        parse_number(text, language)


def test_a_part_is_checked_against_the_total_saved_earlier(campaign, coordinator_pe, peru):  # noqa: F811
    unit = Unit(peru)
    save_figures(coordinator_pe, campaign, unit, [entry("libraries", 100)])
    values = save_figures(coordinator_pe, campaign, unit, [entry("libraries_internet", 150)])
    assert [f["code"] for f in values[("libraries_internet", "public")].flags] == ["part"]
    values = save_figures(coordinator_pe, campaign, unit, [entry("libraries_internet", 90)])
    assert values[("libraries_internet", "public")].flags == []
