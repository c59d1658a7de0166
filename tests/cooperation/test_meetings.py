from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sirbi.cooperation.choices import ActionStatus, RegistrationStatus
from sirbi.cooperation.meetings import services as meetings
from sirbi.cooperation.models import Agreement, Meeting, Session

from .conftest import pdf_file


def reg(meeting, user, country=None):
    return meetings.register(meeting, user, name=user.username, email=user.email, country=country)


def test_registration_waits_for_approval_and_the_third_is_waitlisted(meeting, coordinator_pe, coordinator_cl,
                                                                     reader, peru, chile):
    first = reg(meeting, coordinator_pe, peru)
    second = reg(meeting, coordinator_cl, chile)
    third = reg(meeting, reader)
    assert [first.status, second.status, third.status] == ["requested", "requested", "waitlisted"]


def test_cancelling_moves_the_first_waiting_person_up_and_tells_them(meeting, secretary, coordinator_pe,
                                                                      coordinator_cl, reader, peru, chile):
    meeting.capacity = 1
    meeting.save()
    first = reg(meeting, coordinator_pe, peru)
    second = reg(meeting, coordinator_cl, chile)
    reg(meeting, reader)
    assert second.status == "waitlisted"
    meetings.approve(first, secretary)
    meetings.cancel(first, coordinator_pe)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.REQUESTED
    assert meeting.participants.get(user=reader).status == "waitlisted"
    assert any("coord_cl@example.org" in m.to for m in mail.outbox)


def test_approval_is_refused_when_the_places_are_taken(meeting, secretary, coordinator_pe, coordinator_cl, reader,
                                                       peru, chile):
    meeting.capacity = 1
    meeting.save()
    first = reg(meeting, coordinator_pe, peru)
    waiting = reg(meeting, coordinator_cl, chile)
    meetings.approve(first, secretary)
    with pytest.raises(ValidationError, match="1 places are taken"):
        meetings.approve(waiting, secretary)
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def test_only_the_secretariat_approves_and_nobody_registers_for_another_country(meeting, coordinator_pe, chile):
    participant = reg(meeting, coordinator_pe)
    with pytest.raises(PermissionDenied):
        meetings.approve(participant, coordinator_pe)
    with pytest.raises(PermissionDenied, match=r"countries you coordinate \(Per[uú]\); Chile is not one of them"):
        meetings.register(meeting, coordinator_pe, name="x", country=chile)


def test_registering_twice_closed_or_past_is_refused(meeting, coordinator_pe):
    reg(meeting, coordinator_pe)
    with pytest.raises(ValidationError, match="already registered"):
        reg(meeting, coordinator_pe)
    with pytest.raises(ValidationError, match="over"):
        meetings.register(meeting, coordinator_pe, name="x", today=date(2031, 1, 1))
    meeting.registration_open = False
    with pytest.raises(ValidationError, match="closed"):
        reg(meeting, coordinator_pe)


def test_public_list_shows_only_approved_people_who_agreed(meeting, secretary, coordinator_pe, coordinator_cl,
                                                           peru, chile):
    agreed = meetings.register(meeting, coordinator_pe, name="Ana", country=peru, public_consent=True)
    private = meetings.register(meeting, coordinator_cl, name="Berta", country=chile)
    meetings.approve(agreed, secretary)
    meetings.approve(private, secretary)
    assert [p.name for p in meetings.public_participants(meeting)] == ["Ana"]


def test_attendance_only_for_approved(meeting, secretary, coordinator_pe):
    participant = reg(meeting, coordinator_pe)
    with pytest.raises(ValidationError):
        meetings.set_attendance(participant, True, secretary)
    meetings.approve(participant, secretary)
    meetings.set_attendance(participant, True, secretary)
    participant.refresh_from_db()
    assert participant.attended is True


# Documents -----------------------------------------------------------------------------------------------

def test_documents_keep_versions_and_their_detected_type(meeting, secretary, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = meetings.add_document(meeting, secretary, title="Acta", kind="minutes", visibility="public",
                                     upload=pdf_file())
    meetings.add_version(document, secretary, pdf_file("acta-v2.pdf"), note="corrected")
    versions = list(document.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].media_type == "application/pdf" and len(versions[1].sha256) == 64
    assert versions[1].file.read().startswith(b"%PDF")


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("acta.pdf", b"MZ\x90\x00\x03\x00\x00\x00" * 20), "not an accepted type"),
    (SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>"), "accepted type of file [(].html"),
    (SimpleUploadedFile("photo.png", b"%PDF-1.4\n%%EOF\n"), "does not match its content"),
    (SimpleUploadedFile("empty.pdf", b""), "is empty"),
])
def test_wrong_files_are_refused_and_nothing_is_stored(meeting, secretary, settings, tmp_path, upload, message):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match=message):
        meetings.add_document(meeting, secretary, title="Acta", kind="minutes", visibility="public", upload=upload)
    assert not meeting.documents.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_too_big_files_are_refused(meeting, secretary, settings, tmp_path):
    settings.MEDIA_ROOT, settings.DOCUMENT_MAX_BYTES = tmp_path, 1000
    with pytest.raises(ValidationError, match="the limit is"):
        meetings.add_document(meeting, secretary, title="Acta", kind="minutes", visibility="public",
                              upload=pdf_file(size=2000))


def test_documents_are_uploaded_by_the_secretariat_only(meeting, coordinator_pe):
    with pytest.raises(PermissionDenied):
        meetings.add_document(meeting, coordinator_pe, title="x", kind="other", visibility="public",
                              upload=pdf_file())


# Sessions and agreements -----------------------------------------------------------------------------------

def test_session_outside_the_meeting_or_ending_before_it_starts_is_invalid(meeting):
    session = Session(meeting=meeting, title="Panel", date=date(2030, 5, 9), start_time="10:00", end_time="09:00")
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert set(error.value.message_dict) == {"date", "end_time"}


def test_meeting_ending_before_it_starts_is_invalid(peru):
    with pytest.raises(ValidationError, match="before the first day"):
        Meeting(title="x", kind="webinar", start_date=date(2030, 1, 2), end_date=date(2030, 1, 1)).full_clean()


def test_markup_in_a_title_is_refused_with_the_tag_named(meeting):
    meeting.title = "Encuentro <script>alert(1)</script>"
    with pytest.raises(ValidationError, match="<script>"):
        meeting.full_clean()


def test_agreement_becomes_an_action_in_one_step(meeting, secretary, objective, peru, chile, pe_public):
    agreement = Agreement.objects.create(meeting=meeting, number=1, text="Crear un catálogo colectivo",
                                         deadline=date(2031, 6, 30))
    agreement.countries.set([peru, chile])
    agreement.networks.set([pe_public])
    action = meetings.to_action(agreement, secretary, objective=objective, code="catalogo")
    agreement.refresh_from_db()
    assert agreement.action == action
    assert action.lead_country == chile  # the first by code leads: CL before PE
    assert list(action.countries.all()) == [peru] and list(action.networks.all()) == [pe_public]
    assert action.end == date(2031, 6, 30) and action.start == meeting.end_date
    assert action.version == 1 and agreement.version == 2
    with pytest.raises(ValidationError, match="already"):
        meetings.to_action(agreement, secretary, objective=objective, code="otra")


def test_agreement_without_country_or_deadline_is_not_turned(meeting, secretary, objective, peru):
    agreement = Agreement.objects.create(meeting=meeting, number=1, text="x")
    with pytest.raises(ValidationError, match="responsible country"):
        meetings.to_action(agreement, secretary, objective=objective, code="x")
    agreement.countries.add(peru)
    with pytest.raises(ValidationError, match="deadline"):
        meetings.to_action(agreement, secretary, objective=objective, code="x")
    assert agreement.action_id is None


def test_open_agreements_carry_over_until_their_action_is_done(meeting, secretary, objective, peru):
    later = Meeting.objects.create(title="Siguiente", kind="regional", start_date=date(2031, 5, 1),
                                   end_date=date(2031, 5, 2))
    open_one = Agreement.objects.create(meeting=meeting, number=1, text="abierto", deadline=date(2031, 1, 1))
    Agreement.objects.create(meeting=meeting, number=2, text="cumplido", status="done")
    open_one.countries.add(peru)
    assert [a.text for a in meetings.carried_over(later)] == ["abierto"]
    assert list(meetings.carried_over(meeting)) == []
    action = meetings.to_action(open_one, secretary, objective=objective, code="abierto")
    assert [a.text for a in meetings.carried_over(later)] == ["abierto"]
    action.status = ActionStatus.DONE
    action.save()
    assert list(meetings.carried_over(later)) == []
    open_one.refresh_from_db()
    assert meetings.effective_status(open_one) == "done"


def test_the_secretariat_chooses_which_responsible_country_leads(meeting, secretary, objective, peru, chile,
                                                                 argentina):
    agreement = Agreement.objects.create(meeting=meeting, number=1, text="Acuerdo", deadline=date(2031, 1, 1))
    agreement.countries.set([peru, chile])
    with pytest.raises(ValidationError, match="responsible countries"):
        meetings.to_action(agreement, secretary, objective=objective, code="x", lead_country=argentina)
    action = meetings.to_action(agreement, secretary, objective=objective, code="x", lead_country=peru)
    assert action.lead_country == peru and list(action.countries.all()) == [chile]
