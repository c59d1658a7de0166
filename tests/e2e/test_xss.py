"""Stored text is shown as text: a visitor, Lucía, opens every page that shows what members typed, after
someone planted script in it straight in the database (old data, or a slip past the forms). No dialog opens,
and the text reads literally, on the pages, in the maps' tooltips and popups, and in the JSON they read.
The Content-Security-Policy is bypassed here: the escaping alone must hold (test_csp.py checks the policy)."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from sirbi.catalog import marc
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.cooperation.demo import load_cooperation_demo
from sirbi.cooperation.models import (
    Action,
    Activity,
    GoodPractice,
    Meeting,
    Milestone,
    Participant,
    PartnershipAgreement,
)
from sirbi.registry.models import Country, Library, Network
from sirbi.stats.indicators import seed_indicators

# Both payloads in one text: one ends a <script> block, the other runs as an element's event handler.
PAYLOAD = "X</script><script>alert(1)</script><img src=x onerror=alert(2)>"
SAMPLE = Path(__file__).resolve().parents[2] / "src" / "sirbi" / "catalog" / "data" / "lc-spa-por-sample.mrc"


@pytest.fixture
def planted(registry, settings, tmp_path):
    """Every plain field a non-secretariat role writes and a page shows, holding the payload (written with
    update(), past every validator)."""
    settings.MEDIA_ROOT, settings.CATALOG_INDEX_DIR = tmp_path, tmp_path / "index"
    seed_indicators()
    load_cooperation_demo()
    uruguay = Country.objects.get(code="UY")
    network = Network.objects.filter(country=uruguay).first()
    Network.objects.filter(pk=network.pk).update(name=PAYLOAD, acronym=PAYLOAD, governing_entity=PAYLOAD,
                                                 legal_framework=PAYLOAD, description=PAYLOAD)
    # The only located library: the full map centres on it.
    library = Library.objects.create(name="Biblioteca", country=uruguay, type="public", latitude=-34.9,
                                     longitude=-56.16)
    library.networks.add(network)
    Library.objects.filter(pk=library.pk).update(name=PAYLOAD, locality=PAYLOAD, address=PAYLOAD,
                                                 description=PAYLOAD, phone=PAYLOAD)
    source = Source.objects.create(code="mvd", name="Montevideo", library=library)
    import_file(source, b"".join(p.raw for p in list(marc.read(SAMPLE.read_bytes()))[:3]), "mvd.mrc")
    record = Record.objects.filter(source=source).first()
    Record.objects.filter(pk=record.pk).update(title=PAYLOAD, publisher=PAYLOAD, place=PAYLOAD)
    # The agenda shows Uruguay's activities only: this one, on the map at its town.
    Activity.objects.filter(country=uruguay).delete()
    soon = date.today() + timedelta(days=5)
    activity = Activity.objects.create(title="Feria", kind="book_fair", country=uruguay, start=soon, end=soon,
                                       latitude=-34.9, longitude=-56.16)
    Activity.objects.filter(pk=activity.pk).update(title=PAYLOAD, organiser=PAYLOAD, city=PAYLOAD)
    practice = GoodPractice.objects.filter(status="published").first()
    GoodPractice.objects.filter(pk=practice.pk).update(title=PAYLOAD)
    action = Action.objects.first()
    Action.objects.filter(pk=action.pk).update(title=PAYLOAD)
    Milestone.objects.create(action=action, title="Hito", due=soon)
    Milestone.objects.filter(action=action).update(title=PAYLOAD)
    agreement = PartnershipAgreement.objects.first()
    PartnershipAgreement.objects.filter(pk=agreement.pk).update(title=PAYLOAD)
    meeting = Meeting.objects.get(city="Lima")
    Participant.objects.create(meeting=meeting, name=PAYLOAD, organisation=PAYLOAD, status="approved",
                               public_consent=True)
    return {"network": network, "library": library, "cluster": record.cluster_id, "activity": activity,
            "practice": practice, "action": action, "agreement": agreement, "meeting": meeting}


def watch_dialogs(page):
    opened = []

    def dismiss(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def at_map_centre(page, selector, shown):
    """Click the centre of a map, where its only marker ends up once the map has fitted its
    bounds, until `shown` appears; the map may still be moving when it is first drawn (slow machines)."""
    for _attempt in range(20):
        box = page.locator(selector).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x - 40, y - 40)
        page.mouse.click(x, y)
        try:  # a canvas map answers the pointer on its next frame
            page.locator(shown).first.wait_for(timeout=1000)
        except PlaywrightTimeoutError:
            continue
        return page.locator(shown).first.inner_text()
    raise AssertionError(f"nothing shown at the centre of {selector}")


def click_map_centre(page, selector):
    """The map's only marker sits at its centre (drawn on a canvas): a click there opens its popup."""
    page.wait_for_function(f"() => document.querySelector('{selector}').dataset.markers === '1'")
    return at_map_centre(page, selector, f"{selector} .leaflet-popup-content")


def test_planted_script_is_shown_as_text_everywhere(page, live_server, planted):
    dialogs = watch_dialogs(page)
    base = live_server.url
    p = planted
    pages = [
        "/es/registry/countries/UY/", "/es/registry/networks/?country=UY",
        f"/es/registry/networks/{p['network'].code}/",
        "/es/registry/libraries/?country=UY", f"/es/registry/libraries/{p['library'].pk}/",
        f"/es/catalog/clusters/{p['cluster']}/", "/es/cooperation/agenda/?country=UY",
        f"/es/cooperation/agenda/{p['activity'].pk}/", "/es/cooperation/meetings/calendar/",
        "/es/cooperation/practices/", f"/es/cooperation/practices/{p['practice'].pk}/",
        "/es/cooperation/alliances/", f"/es/cooperation/alliances/{p['agreement'].pk}/",
        "/es/cooperation/roadmap/", "/es/cooperation/roadmap/timeline/",
        f"/es/cooperation/actions/{p['action'].code}/",
        f"/es/cooperation/meetings/{p['meeting'].pk}/",
    ]
    for path in pages:
        response = page.goto(base + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert PAYLOAD in page.inner_text("main"), f"the planted text is not shown literally on {path}"
        assert not page.locator("main img[src=x]").count(), path
    page.goto(base + "/es/")  # the members' map: country names and counts only
    page.wait_for_load_state("networkidle")
    assert dialogs == []

    # The maps' popups set text too (tooltips go through the same maps.js textNode; hovering the library page's
    # canvas marker did not open its tooltip reliably in headless Chromium, see docs/STATUS.md).
    page.goto(base + "/es/registry/map/")
    assert PAYLOAD in click_map_centre(page, "#library-map")
    page.goto(base + f"/es/catalog/clusters/{p['cluster']}/")
    assert PAYLOAD in click_map_centre(page, "#points-map")
    page.goto(base + "/es/cooperation/agenda/?country=UY")
    assert click_map_centre(page, "#points-map") == f"{PAYLOAD}\n{PAYLOAD}"
    assert dialogs == []
