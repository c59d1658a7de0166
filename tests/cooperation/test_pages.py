from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from sirbi.cooperation.models import Action, Agreement, Document, Meeting, Milestone, Session

from .conftest import pdf_file


def url(name, *args, language="en"):
    with __import__("django.utils.translation", fromlist=["override"]).override(language):
        return reverse(f"cooperation:{name}", args=args)


@pytest.fixture
def agenda(meeting):
    Session.objects.create(meeting=meeting, title="Alianzas para la cooperación", kind="panel",
                           date=date(2030, 5, 6), start_time="10:00", end_time="11:30", room="Auditorio",
                           speakers="IFLA", description="Panel **abierto** <script>alert('x')</script>")
    return meeting


def test_public_meeting_page_shows_agenda_sanitised_and_calendar_links(agenda, as_user):
    response = as_user(None).get(url("meeting", agenda.pk, language="es"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alianzas para la cooperación" in body and "<strong>abierto</strong>" in body
    assert "<script>alert" not in body
    assert "10:00" in body and "Panel" in body
    assert url("meeting-ics", agenda.pk, language="es") in body


def test_meeting_ics_has_the_meeting_and_its_sessions_in_local_time(agenda, as_user):
    response = as_user(None).get(url("meeting-ics", agenda.pk))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20300506" in text and "DTEND;VALUE=DATE:20300509" in text
    assert "DTSTART;TZID=America/Lima:20300506T100000" in text and "BEGIN:VTIMEZONE" in text
    feed = as_user(None).get(url("feed")).content.decode()
    assert feed.count("BEGIN:VEVENT") == 2


def test_calendar_page_places_the_meeting_on_its_days(agenda, as_user):
    body = as_user(None).get(url("calendar") + "?month=2030-05").content.decode()
    assert body.count(agenda.title) >= 3  # three days plus the month's list
    assert as_user(None).get(url("calendar") + "?month=nonsense").status_code == 200


def test_register_through_the_page_then_waitlisted_when_full(meeting, as_user, coordinator_pe, coordinator_cl,
                                                             reader):
    meeting.capacity = 1
    meeting.save()
    form = {"name": "Ana", "email": "ana@example.org", "country": "PE", "role": "head"}
    response = as_user(coordinator_pe).post(url("register", meeting.pk), form, follow=True)
    assert "secretariat will confirm" in response.content.decode()
    response = as_user(reader).post(url("register", meeting.pk), {"name": "Rosa", "email": "r@example.org",
                                                                  "role": "guest"}, follow=True)
    assert "waiting list" in response.content.decode()
    # Chile's coordinator may not register for Peru's delegation: the form refuses the choice.
    response = as_user(coordinator_cl).post(url("register", meeting.pk), form, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert meeting.participants.count() == 2


def test_a_registration_has_no_preset_role_and_is_confirmed_by_mail(meeting, as_user, reader, mailoutbox):
    page = as_user(reader).get(url("meeting", meeting.pk)).content.decode()
    assert 'value="" selected' in page.split('id="id_role"')[1].split("</select>")[0]  # "Choose your role"
    response = as_user(reader).post(url("register", meeting.pk), {"name": "Rosa", "email": "r@example.org"},
                                    follow=True)
    assert "This field is required" in response.content.decode() and not meeting.participants.exists()
    assert not mailoutbox
    as_user(reader).post(url("register", meeting.pk), {"name": "Rosa", "email": "rosa@example.org",
                                                       "role": "guest"})
    assert meeting.participants.get().role == "guest"
    # To the account's address and to the one given in the form.
    assert sorted(m.to[0] for m in mailoutbox) == ["reader@example.org", "rosa@example.org"]
    assert all(str(meeting) in m.subject for m in mailoutbox)


def test_only_the_secretariat_manages_registrations(meeting, as_user, coordinator_pe, secretary, peru):
    as_user(coordinator_pe).post(url("register", meeting.pk), {"name": "Ana", "email": "a@example.org",
                                                               "country": "PE", "role": "head"})
    participant = meeting.participants.get()
    assert as_user(coordinator_pe).get(url("participants", meeting.pk)).status_code == 403
    response = as_user(coordinator_pe).post(url("participants", meeting.pk),
                                            {"participant": participant.pk, "decision": "approve"})
    assert response.status_code == 403
    as_user(secretary).post(url("participants", meeting.pk), {"participant": participant.pk, "decision": "approve"})
    participant.refresh_from_db()
    assert participant.status == "approved"


def test_documents_upload_visibility_and_limits(meeting, as_user, secretary, reader, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(secretary)
    client.post(url("add-document", meeting.pk), {"title": "Acta", "kind": "minutes", "visibility": "members",
                                                  "file": pdf_file()})
    document = Document.objects.get()
    file_url = url("document-file", document.pk, 1)
    assert as_user(None).get(file_url).status_code == 302  # to the login
    assert as_user(reader).get(file_url).status_code == 403
    response = client.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # A disguised executable is refused with its name, and nothing is stored.
    response = client.post(url("add-document", meeting.pk), {
        "title": "Malo", "kind": "other", "visibility": "public",
        "file": pdf_file("virus.pdf").__class__("virus.pdf", b"MZ" + b"\x00" * 100)}, follow=True)
    assert "virus.pdf is not an accepted type" in response.content.decode()
    assert Document.objects.count() == 1
    # Too big: refused by the file check, and from the declared length before the body is read.
    settings.DOCUMENT_MAX_BYTES = 100
    response = client.post(url("add-document", meeting.pk), {"title": "Grande", "kind": "other",
                                                              "visibility": "public", "file": pdf_file(size=200)},
                           follow=True)
    assert "acta.pdf is 200\xa0bytes; the limit is 100\xa0bytes." in response.content.decode()
    response = client.post(url("add-document", meeting.pk), {"title": "Grande", "kind": "other",
                                                              "visibility": "public",
                                                              "file": pdf_file(size=200_000)}, follow=True)
    assert "larger than the limit of 100\xa0bytes" in response.content.decode()
    assert Document.objects.count() == 1


def test_coordinators_cannot_upload_documents(meeting, as_user, coordinator_pe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = as_user(coordinator_pe).post(url("add-document", meeting.pk), {
        "title": "Acta", "kind": "minutes", "visibility": "public", "file": pdf_file()})
    assert response.status_code == 403 and not Document.objects.exists()


def test_forms_need_the_csrf_token(meeting, coordinator_pe):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator_pe)
    response = client.post(url("register", meeting.pk), {"name": "Ana", "email": "a@example.org", "role": "guest"})
    assert response.status_code == 403 and not meeting.participants.exists()


def test_agreement_recorded_and_turned_into_an_action_through_the_page(meeting, as_user, secretary, objective,
                                                                        coordinator_pe):
    client = as_user(secretary)
    client.post(url("add-agreement", meeting.pk), {"text": "Compartir catálogos", "countries": ["PE", "CL"],
                                                   "deadline": "2031-03-31"})
    agreement = Agreement.objects.get()
    assert agreement.number == 1 and set(agreement.countries.values_list("code", flat=True)) == {"PE", "CL"}
    prefix = f"a{agreement.pk}"
    forbidden = as_user(coordinator_pe).post(url("agreement-to-action", agreement.pk), {
        f"{prefix}-objective": objective.pk, f"{prefix}-code": "catalogos", f"{prefix}-weight": "1"})
    assert forbidden.status_code == 403 and not Agreement.objects.get().action_id
    response = client.post(url("agreement-to-action", agreement.pk), {
        f"{prefix}-objective": objective.pk, f"{prefix}-code": "catalogos", f"{prefix}-weight": "2"}, follow=True)
    assert response.status_code == 200 and "Compartir catálogos" in response.content.decode()
    assert Agreement.objects.get().action.code == "catalogos"


def test_roadmap_country_and_timeline_pages(action_pe, action_ar, as_user):
    action_pe.progress = 50
    action_pe.save()
    for language in ("es", "pt", "en"):
        body = as_user(None).get(url("roadmap", language=language)).content.decode()
        assert "Plan de lectura del Perú" in body and 'value="37.5"' in body  # (3*50 + 1*0) / 4
    body = as_user(None).get(url("country", "CL")).content.decode()
    assert "Plan de lectura del Perú" in body and "Actions it takes part in" in body
    assert as_user(None).get(url("countries") + "?code=pe").url.endswith("/roadmap/countries/PE/")
    body = as_user(None).get(url("timeline") + "?by=country").content.decode()
    assert "Argentina" in body and "gantt-bar" in body


def test_report_progress_through_the_page_with_a_file(action_pe, as_user, coordinator_cl, coordinator_pe,
                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = as_user(coordinator_cl).post(url("report", action_pe.code), {
        "progress": "60", "date": "2025-02-01", "text": "Talleres <script>x()</script> hechos",
        "evidence": pdf_file("informe.pdf")}, follow=True)
    body = response.content.decode()
    assert "informe.pdf" in body and "<script>x()" not in body
    action_pe.refresh_from_db()
    assert action_pe.progress == 60
    report = action_pe.reports.get()
    assert as_user(None).get(url("evidence", report.pk))["Content-Type"] == "application/pdf"


def test_other_countries_cannot_report_through_the_page(action_ar, as_user, coordinator_pe):
    response = as_user(coordinator_pe).post(url("report", action_ar.code), {
        "progress": "60", "date": "2025-02-01", "text": "x"})
    assert response.status_code == 403
    action_ar.refresh_from_db()
    assert action_ar.progress == 0


def test_bad_progress_is_named_and_nothing_changes(action_pe, as_user, coordinator_pe):
    response = as_user(coordinator_pe).post(url("report", action_pe.code), {
        "progress": "140", "date": "2025-02-01", "text": "Un texto largo que no se pierde"}, follow=True)
    assert "Progress (%)" in response.content.decode() and "100" in response.content.decode()
    assert "Un texto largo que no se pierde</textarea>" in response.content.decode()  # what was typed stays
    assert not action_pe.reports.exists()


def test_meeting_list_splits_coming_and_past(meeting, as_user):
    Meeting.objects.create(title="Reunión virtual 2022", kind="network", start_date=date(2022, 7, 6),
                           end_date=date(2022, 7, 6))
    body = as_user(None).get(url("meetings")).content.decode()
    assert body.index("Encuentro regional") < body.index("Past meetings") < body.index("Reunión virtual 2022")


def test_action_titles_are_escaped_in_the_roadmap_list(objective, peru, as_user):
    Action.objects.create(objective=objective, code="x", title='A & B "quoted"', lead_country=peru,
                          start=date(2024, 1, 1), end=date(2030, 1, 1))
    body = as_user(None).get(url("roadmap")).content.decode()
    assert "A &amp; B &quot;quoted&quot;" in body


def test_roadmap_and_country_pages_cost_the_same_queries_for_more_actions(objective, peru, chile, as_user):
    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            assert as_user(None).get(path).status_code == 200
        return len(ctx.captured_queries)

    def add(n, start):
        for i in range(start, start + n):
            action = Action.objects.create(objective=objective, code=f"a{i}", title=f"Acción {i}", lead_country=peru,
                                           start=date(2024, 1, 1), end=date(2024 + i % 5, 6, 1))
            action.countries.add(chile)
            Milestone.objects.create(action=action, title="m", due=date(2024, 3, 1))

    add(2, 0)
    small = [queries(url("roadmap")), queries(url("country", "PE")), queries(url("country", "CL")),
             queries(url("timeline"))]
    add(40, 2)
    assert [queries(url("roadmap")), queries(url("country", "PE")), queries(url("country", "CL")),
            queries(url("timeline"))] == small


def test_whats_new_lists_the_countrys_changes_with_links(action_pe, coordinator_pe, as_user):
    from sirbi.core.changelog import save_object
    action_pe.title = "Plan renovado"
    save_object(action_pe, user=coordinator_pe)
    body = as_user(None).get(url("whats-new", "pe")).content.decode()
    assert 'href="/en/cooperation/actions/pe-plan/"' in body and "Plan renovado" in body
    assert "Plan renovado" not in as_user(None).get(url("whats-new", "CL")).content.decode()


def test_sample_meetings_say_so_in_the_calendar_and_ics_and_far_months_work(agenda, as_user):
    agenda.is_sample = True
    agenda.save()
    assert "(sample data)" in as_user(None).get(url("meeting-ics", agenda.pk)).content.decode()
    month = as_user(None).get(url("calendar") + "?month=2030-05").content.decode()
    assert "(sample)" in month
    for far in ("9999-12", "0001-01", "1-1"):
        assert as_user(None).get(url("calendar") + f"?month={far}").status_code == 200


def test_date_pickers_get_iso_values_in_every_language(action_pe, coordinator_pe, as_user):
    with translation.override("es"):
        page = as_user(coordinator_pe).get(reverse("cooperation:action", args=[action_pe.code])).content.decode()
    assert f'type="date" name="date" value="{date.today().isoformat()}"' in page
