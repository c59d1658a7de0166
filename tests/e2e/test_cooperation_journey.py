"""Issue #4's journey in the browser: from a meeting to progress on the roadmap.

The secretariat creates a meeting with two sessions in the admin; Peru's and Chile's coordinators register
and, with one place, Chile's is wait-listed; the secretariat records an agreement of the minutes and turns
it into a roadmap action with an owner and a date; Peru's coordinator reports progress with a PDF; the
roadmap's rolled-up progress changes; the public meeting page and the roadmap show it in es, pt and en, and
axe-core finds no serious or critical violation on them.
"""

import datetime

import pytest

from sirbi.cooperation.models import Action, Agreement, Line, Meeting, Objective
from sirbi.registry.models import Country

from .conftest import axe_violations, describe, shot, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def roadmap(registry):
    """A roadmap line with an objective and one action of Argentina at 40 %: the rolled-up figure to move."""
    line = Line.objects.create(code="reading", name="Promoción de la lectura")
    objective = Objective.objects.create(line=line, code="reading-plans", name="Planes nacionales de lectura")
    Action.objects.create(objective=objective, code="ar-plan", title="Plan de Argentina", progress=40,
                          lead_country=Country.objects.get(code="AR"), start=datetime.date(2024, 1, 1),
                          end=datetime.date(2030, 1, 1), status="in_progress")
    return objective


def submit(page, button):
    with page.expect_navigation():
        button.click()


def message(page):
    box = page.locator(".messages")
    return box.inner_text() if box.count() else ""


def roadmap_total(page):
    return float(page.locator(".roadmap-total progress").get_attribute("value"))


@pytest.mark.e2e
def test_from_a_meeting_to_progress_on_the_roadmap(open_page, live_server, roadmap, secretary, coordinator_pe,
                                                   coordinator_cl, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    secretary.is_staff = True
    secretary.save()
    first_day = datetime.date.today() + datetime.timedelta(days=30)

    # 1. The secretariat creates the meeting, with two sessions, in the admin.
    secretariat = open_page()
    sign_in(secretariat, base, secretary)
    secretariat.goto(base + "/en/admin/cooperation/meeting/add/")
    secretariat.fill("#id_title", "Encuentro de redes 2030")
    secretariat.select_option("#id_kind", "regional")
    secretariat.fill("#id_start_date", first_day.isoformat())
    secretariat.fill("#id_end_date", (first_day + datetime.timedelta(days=1)).isoformat())
    secretariat.fill("#id_timezone", "America/Lima")
    secretariat.fill("#id_city", "Lima")
    secretariat.select_option("#id_country", label="Peru")
    secretariat.fill("#id_description", "Encuentro **anual** de las redes.")
    secretariat.fill("#id_capacity", "1")
    secretariat.check("#id_registration_open")
    sessions = [("Inauguración", "plenary", "09:00", "10:00"), ("Alianzas para la cooperación", "panel", "10:30",
                                                                  "12:00")]
    for index, (title, kind, start, end) in enumerate(sessions):
        secretariat.locator("#sessions-group .add-row a").click()
        secretariat.fill(f"#id_sessions-{index}-date", first_day.isoformat())
        secretariat.fill(f"#id_sessions-{index}-start_time", start)
        secretariat.fill(f"#id_sessions-{index}-end_time", end)
        secretariat.select_option(f"#id_sessions-{index}-kind", kind)
        secretariat.fill(f"#id_sessions-{index}-title", title)
    submit(secretariat, secretariat.locator("input[name=_save]"))
    errors = secretariat.locator(".errornote, .errorlist").all_inner_texts()
    assert "/add/" not in secretariat.url, f"the admin refused the meeting: {errors}"
    meeting = Meeting.objects.get(title="Encuentro de redes 2030")
    assert meeting.sessions.count() == 2 and meeting.capacity == 1
    meeting_url = f"{base}/en/cooperation/meetings/{meeting.pk}/"

    # 2. Two coordinators register; with one place, the second goes to the waiting list.
    for user, country, expected in ((coordinator_pe, "PE", "secretariat will confirm"),
                                    (coordinator_cl, "CL", "waiting list")):
        page = open_page()
        page.goto(meeting_url)
        page.get_by_role("link", name="Log in to register.").click()
        sign_in(page, base, user)
        assert page.url == meeting_url
        page.select_option("#id_country", country)
        page.select_option("#id_role", "head")
        page.check("#id_public_consent")
        submit(page, page.get_by_role("button", name="Register"))
        assert expected in message(page)
        if country == "PE":
            peru_page = page
    assert "Awaiting approval" in peru_page.locator(".registration-status").inner_text()
    secretariat.goto(f"{base}/en/cooperation/meetings/{meeting.pk}/participants/")
    rows = secretariat.locator("tbody tr")
    assert "On the waiting list" in rows.nth(1).inner_text()
    submit(secretariat, rows.nth(0).get_by_role("button", name="Approve"))
    assert "Approved" in secretariat.locator("tbody tr").nth(0).inner_text()

    # 3. The minutes record an agreement, which becomes a roadmap action in one step.
    secretariat.goto(meeting_url)
    secretariat.get_by_text("Record an agreement of the minutes").click()
    secretariat.fill("#id_text", "Crear un programa de maletas viajeras")
    secretariat.select_option("#id_countries", ["PE"])
    secretariat.fill("#id_deadline", "2031-06-30")
    submit(secretariat, secretariat.get_by_role("button", name="Record the agreement"))
    assert "Agreement 1 recorded" in message(secretariat)
    agreement = Agreement.objects.get(meeting=meeting)

    anonymous = open_page()
    anonymous.goto(base + "/en/cooperation/roadmap/")
    before = roadmap_total(anonymous)
    assert before == 40

    secretariat.get_by_text("Turn into a roadmap action").click()
    prefix = f"#id_a{agreement.pk}"
    secretariat.select_option(f"{prefix}-objective", str(roadmap.pk))
    secretariat.fill(f"{prefix}-code", "maletas")
    submit(secretariat, secretariat.get_by_role("button", name="Create the action"))
    assert secretariat.url == f"{base}/en/cooperation/actions/maletas/"
    assert "Peru" in secretariat.locator("dl.facts").inner_text()
    action = Action.objects.get(code="maletas")
    assert (action.lead_country.code, action.end) == ("PE", datetime.date(2031, 6, 30))

    # 4. Peru's coordinator, its owner, reports progress with a PDF as evidence.
    peru_page.goto(f"{base}/en/cooperation/actions/maletas/")
    peru_page.fill("#id_progress", "60")
    peru_page.fill("#id_text", "Primeras **40** maletas en circulación.")
    peru_page.set_input_files("#id_evidence", {"name": "informe.pdf", "mimeType": "application/pdf",
                                               "buffer": PDF})
    submit(peru_page, peru_page.get_by_role("button", name="Send the report"))
    assert "Progress reported: 60 %" in message(peru_page)
    assert "informe.pdf" in peru_page.locator(".reports").inner_text()
    violations = axe_violations(peru_page)
    assert not violations, describe(violations)

    # 5. The roadmap's rolled-up progress moves: (40 + 60) / 2 with equal weights.
    anonymous.goto(base + "/en/cooperation/roadmap/")
    assert roadmap_total(anonymous) == 50

    # 6. The public pages show it in the three languages; axe-core finds nothing serious.
    words = {"es": ("Acuerdos", "Hoja de ruta"), "pt": ("Acordos", "Roteiro"), "en": ("Agreements", "Roadmap")}
    for language, (agreements_word, roadmap_word) in words.items():
        anonymous.goto(f"{base}/{language}/cooperation/meetings/{meeting.pk}/")
        text = anonymous.locator("main").inner_text()
        assert agreements_word in text and "Crear un programa de maletas viajeras" in text
        assert "Alianzas para la cooperación" in text and "60 %" in text
        assert anonymous.locator("html").get_attribute("lang") == language
        violations = axe_violations(anonymous)
        assert not violations, f"{language} meeting page: {describe(violations)}"
        shot(anonymous, f"cooperation-meeting-{language}")
        anonymous.goto(f"{base}/{language}/cooperation/roadmap/")
        assert roadmap_word in anonymous.locator("h1").inner_text() or roadmap_word in anonymous.title()
        assert "Crear un programa de maletas viajeras" in anonymous.locator(".roadmap").inner_text()
        assert roadmap_total(anonymous) == 50
        violations = axe_violations(anonymous)
        assert not violations, f"{language} roadmap: {describe(violations)}"
        shot(anonymous, f"cooperation-roadmap-{language}")
