import json
from datetime import date

import pytest
from rest_framework.test import APIClient

from sirbi.cooperation.models import Action, Agreement, Document, Session
from sirbi.core.models import ChangeLog

from .conftest import pdf_file


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def full_meeting(meeting, secretary, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Session.objects.create(meeting=meeting, title="Panel", kind="panel", date=date(2030, 5, 6), start_time="10:00",
                           end_time="11:00")
    from sirbi.cooperation.meetings import services as meetings
    meetings.add_document(meeting, secretary, title="Acta", kind="minutes", visibility="public", upload=pdf_file())
    meetings.add_document(meeting, secretary, title="Interno", kind="other", visibility="members",
                          upload=pdf_file("interno.pdf"))
    Agreement.objects.create(meeting=meeting, number=1, text="Acuerdo uno")
    return meeting


def test_meetings_come_with_sessions_public_documents_and_agreements(full_meeting, coordinator_pe):
    data = api().get("/api/v1/meetings/").json()["results"][0]
    assert data["title"] == "Encuentro regional" and data["country"] == "PE"
    assert [s["title"] for s in data["sessions"]] == ["Panel"]
    assert [d["title"] for d in data["documents"]] == ["Acta"]
    acta = Document.objects.get(title="Acta")
    assert data["documents"][0]["versions"][0]["url"].endswith(f"/documents/{acta.pk}/v1/")
    assert data["agreements"][0]["status"] == "open"
    member = api(coordinator_pe).get(f"/api/v1/meetings/{full_meeting.pk}/").json()
    assert {d["title"] for d in member["documents"]} == {"Acta", "Interno"}
    ics = api().get(data["ics"])
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    assert api().get("/api/v1/meetings/?country=cl").json()["count"] == 0


def test_meetings_are_read_only(full_meeting, secretary):
    assert api(secretary).post("/api/v1/meetings/", {"title": "x"}).status_code == 405


def test_actions_list_with_computed_progress_and_filters(action_pe, action_ar):
    action_pe.progress = 50
    action_pe.save()
    rows = api().get("/api/v1/actions/").json()["results"]
    assert {r["code"]: r["progress"] for r in rows} == {"pe-plan": 50, "ar-plan": 0}
    assert rows[0]["line"] == "reading" and rows[0]["objective"] == "reading-plans"
    assert [r["code"] for r in api().get("/api/v1/actions/?country=cl").json()["results"]] == ["pe-plan"]
    assert [r["code"] for r in api().get("/api/v1/actions/?lead=ar").json()["results"]] == ["ar-plan"]
    roadmap = api().get("/api/v1/roadmap/").json()
    assert roadmap["progress"] == pytest.approx((3 * 50 + 0) / 4)
    assert roadmap["lines"][0]["objectives"][0]["action_codes"] == ["ar-plan", "pe-plan"]


def test_lead_coordinator_edits_an_action_others_are_refused(action_pe, coordinator_pe, coordinator_cl):
    response = api(coordinator_pe).patch("/api/v1/actions/pe-plan/", {"status": "in_progress",
                                                                      "version": action_pe.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress" and response.json()["version"] == 2
    assert ChangeLog.objects.filter(object_id=action_pe.pk, content_type__model="action", source="api").exists()
    assert api(coordinator_cl).patch("/api/v1/actions/pe-plan/", {"status": "done"},
                                     format="json").status_code == 403
    stale = api(coordinator_pe).patch("/api/v1/actions/pe-plan/", {"status": "done", "version": 1}, format="json")
    assert stale.status_code == 409
    bad = api(coordinator_pe).patch("/api/v1/actions/pe-plan/", {"end": "2000-01-01", "version": 2}, format="json")
    assert bad.status_code == 400 and "end" in bad.json()
    action_pe.refresh_from_db()
    assert action_pe.status == "in_progress" and action_pe.end == date(2030, 12, 31)


def test_coordinator_creates_an_action_only_for_their_country(objective, coordinator_pe):
    body = {"objective": "reading-plans", "code": "nueva", "title": "Nueva", "lead_country": "PE",
            "countries": ["CL"], "start": "2026-01-01", "end": "2027-01-01", "weight": "1"}
    assert api(coordinator_pe).post("/api/v1/actions/", body, format="json").status_code == 201
    assert api(coordinator_pe).post("/api/v1/actions/", {**body, "code": "otra", "lead_country": "AR"},
                                    format="json").status_code == 403
    assert list(Action.objects.get(code="nueva").countries.values_list("code", flat=True)) == ["CL"]
    assert not Action.objects.filter(code="otra").exists()
    assert api().post("/api/v1/actions/", body, format="json").status_code in (401, 403)


def test_owners_post_progress_reports_through_the_api(action_pe, action_ar, coordinator_cl, coordinator_pe, settings,
                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = api(coordinator_cl).post("/api/v1/actions/pe-plan/reports/", {
        "progress": 30, "text": "Talleres", "date": "2025-01-10", "evidence": pdf_file()}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["evidence"].endswith("/evidence/")
    assert api().get("/api/v1/actions/pe-plan/reports/").json()[0]["progress"] == 30
    assert api().get("/api/v1/actions/pe-plan/").json()["progress"] == 30
    refused = api(coordinator_pe).post("/api/v1/actions/ar-plan/reports/", {"progress": 1, "text": "x"},
                                       format="json")
    assert refused.status_code == 403 and not action_ar.reports.exists()
    too_much = api(coordinator_pe).post("/api/v1/actions/pe-plan/reports/", {"progress": 101, "text": "x"},
                                        format="json")
    assert too_much.status_code == 400 and "progress" in json.dumps(too_much.json())
    assert api().post("/api/v1/actions/pe-plan/reports/", {"progress": 1, "text": "x"},
                      format="json").status_code in (401, 403)


def test_agreements_and_the_schema(full_meeting):
    assert api().get("/api/v1/meeting-agreements/").json()["results"][0]["text"] == "Acuerdo uno"
    paths = api().get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path in ("/api/v1/meetings/", "/api/v1/actions/", "/api/v1/meeting-agreements/", "/api/v1/roadmap/",
                 "/api/v1/actions/{code}/reports/", "/api/v1/meetings/{id}/ics/"):
        assert path in paths, path


def test_roadmap_actions_need_the_version_too(action_pe, coordinator_pe):
    client = api(coordinator_pe)
    response = client.patch("/api/v1/actions/pe-plan/", {"status": "in_progress"}, format="json")
    assert response.status_code == 428
    response = client.patch("/api/v1/actions/pe-plan/", {"status": "in_progress", "countries": "CL",
                                                         "version": action_pe.version}, format="json")
    assert response.status_code == 400 and "countries" in response.json()
