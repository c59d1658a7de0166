"""A request's life through the services: the named actions move it, the wrong library is refused, the rota
moves on after Unfilled, a declined condition or silence, and every step is on the timeline and in the change
log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from sirbi.core.changelog import history
from sirbi.loans import services
from sirbi.loans.iso18626.codes import Action, Status
from sirbi.loans.iso18626.requester import State, Step
from sirbi.loans.models import LoanRequest


@pytest.fixture
def loan(librarian_lima, lima_library, novel, policies, santiago_library, montevideo_library):
    policies["PE-CUS01"].lends_returnables = False  # Cusco only sends copies: Santiago, then Montevideo
    policies["PE-CUS01"].save()
    loan = services.open_request(librarian_lima, lima_library, cluster=novel, title="Cien años de soledad",
                                 patron_reference="Lectora del club de los martes")
    # Lima asks Santiago first (the rota put Montevideo first: same tier, same load, by name).
    assert [e.library.isil for e in loan.rota.all()] == ["UY-MVD01", "CL-STG01"]
    services.set_rota(librarian_lima, loan, [santiago_library.pk, montevideo_library.pk])
    return loan


def test_the_journey_from_lima_to_montevideo_and_back(loan, librarian_lima, librarian_santiago,
                                                      librarian_montevideo, santiago_library, montevideo_library):
    assert [e.library.isil for e in loan.rota.all()] == ["CL-STG01", "UY-MVD01"]
    loan = services.act(loan, Step.SEND, user=librarian_lima)
    assert (loan.state, loan.lender) == (State.REQUESTED, santiago_library)

    loan = services.respond(loan, Status.UNFILLED, user=librarian_santiago, reason_unfilled="NotOnShelf")
    assert (loan.state, loan.lender, loan.supplier_status) == (State.REQUESTED, montevideo_library, "")

    loan = services.respond(loan, Status.WILL_SUPPLY, user=librarian_montevideo, loan_condition="LibraryUseOnly")
    assert loan.state == State.CONDITIONAL
    loan = services.act(loan, Step.ACCEPT, user=librarian_lima)
    assert loan.state == State.WILL_SUPPLY
    loan = services.respond(loan, Status.LOANED, user=librarian_montevideo)
    assert loan.state == State.SHIPPED
    assert loan.due_date == timezone.localdate() + datetime.timedelta(days=21)
    loan = services.act(loan, Action.RECEIVED, user=librarian_lima)
    loan = services.act(loan, Action.SHIPPED_RETURN, user=librarian_lima, note="Por correo certificado")
    loan = services.respond(loan, Status.LOAN_COMPLETED, user=librarian_montevideo)
    assert loan.state == State.COMPLETED

    steps = [(t.side, t.name) for t in loan.transitions.all()]
    assert steps == [("requester", "opened"), ("requester", "rota_changed"), ("requester", "send"),
                     ("platform", "asked"), ("supplier", "Unfilled"),
                     ("platform", "asked"), ("supplier", "WillSupply"), ("requester", "accept"),
                     ("supplier", "Loaned"), ("requester", "Received"), ("requester", "ShippedReturn"),
                     ("supplier", "LoanCompleted")]
    assert loan.rota.get(library=santiago_library).reason_unfilled == "NotOnShelf"
    # Every move is in the change log; the patron reference never is.
    entries = list(history(loan))
    assert len(entries) == 9  # the creation and each change of state
    assert all("Lectora" not in str(e.before) + str(e.after) for e in entries)


def test_the_wrong_library_is_refused_on_each_side(loan, librarian_lima, librarian_santiago, librarian_montevideo,
                                                   coordinator_pe):
    with pytest.raises(PermissionDenied):
        services.act(loan, Step.SEND, user=librarian_santiago)
    with pytest.raises(PermissionDenied):
        services.act(loan, Step.SEND, user=coordinator_pe)  # coordinators read; library staff act
    services.act(loan, Step.SEND, user=librarian_lima)
    with pytest.raises(PermissionDenied):
        services.respond(loan, Status.WILL_SUPPLY, user=librarian_montevideo)  # not asked yet
    with pytest.raises(PermissionDenied):
        services.respond(loan, Status.WILL_SUPPLY, user=librarian_lima)  # the requester cannot answer for it
    assert LoanRequest.objects.get(pk=loan.pk).state == State.REQUESTED


def test_out_of_turn_steps_are_refused_and_change_nothing(loan, librarian_lima, librarian_santiago):
    with pytest.raises(services.LoanError):
        services.act(loan, Action.RECEIVED, user=librarian_lima)
    services.act(loan, Step.SEND, user=librarian_lima)
    with pytest.raises(services.LoanError):
        services.respond(loan, Status.LOAN_COMPLETED, user=librarian_santiago)
    loan.refresh_from_db()
    assert (loan.state, loan.supplier_status, loan.transitions.count()) == (State.REQUESTED, "", 4)


def test_declining_a_condition_moves_to_the_next_lender(loan, librarian_lima, librarian_santiago,
                                                        montevideo_library):
    services.act(loan, Step.SEND, user=librarian_lima)
    loan = services.respond(loan, Status.RETRY_POSSIBLE, user=librarian_santiago,
                            reason_retry="MustMeetLoanCondition", loan_condition="NoReproduction")
    assert loan.state == State.CONDITIONAL
    loan = services.act(loan, Step.DECLINE, user=librarian_lima)
    assert (loan.state, loan.lender) == (State.REQUESTED, montevideo_library)


def test_the_end_of_the_rota_ends_the_request_as_unfilled_with_every_reason(loan, librarian_lima,
                                                                            librarian_santiago,
                                                                            librarian_montevideo):
    services.act(loan, Step.SEND, user=librarian_lima)
    services.respond(loan, Status.UNFILLED, user=librarian_santiago, reason_unfilled="NotOnShelf")
    loan = services.respond(LoanRequest.objects.get(pk=loan.pk), Status.UNFILLED, user=librarian_montevideo,
                            reason_unfilled="PoorCondition")
    assert loan.state == State.UNFILLED and loan.lender is None
    ended = loan.transitions.last()
    assert ended.name == "rota_ended"
    assert "NotOnShelf" in ended.note and "PoorCondition" in ended.note


def test_silence_passes_the_lender_over_and_late_loans_become_overdue(loan, librarian_lima, librarian_montevideo,
                                                                      montevideo_library):
    sent = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC)  # a Friday
    services.act(loan, Step.SEND, user=librarian_lima, now=sent)
    loan.refresh_from_db()
    assert loan.answer_due == datetime.datetime(2026, 12, 9, 10, 0, tzinfo=datetime.UTC)  # three working days
    assert services.tick(now=datetime.datetime(2026, 12, 9, 9, 0, tzinfo=datetime.UTC))["moved"] == 0
    assert services.tick(now=datetime.datetime(2026, 12, 9, 11, 0, tzinfo=datetime.UTC))["moved"] == 1
    loan.refresh_from_db()
    assert loan.lender == montevideo_library
    assert loan.rota.first().outcome == "timed_out"

    services.respond(loan, Status.LOANED, user=librarian_montevideo, due_date=datetime.date(2026, 12, 20))
    services.act(loan, Action.RECEIVED, user=librarian_lima)
    assert services.tick(now=datetime.datetime(2026, 12, 21, 9, 0, tzinfo=datetime.UTC))["overdue"] == 1
    loan.refresh_from_db()
    assert (loan.state, loan.supplier_status) == (State.OVERDUE, Status.OVERDUE)
    # A renewal granted brings it back.
    services.act(loan, Action.RENEW, user=librarian_lima)
    loan = services.respond(loan, Status.LOANED, user=librarian_montevideo, due_date=datetime.date(2027, 1, 10))
    assert (loan.state, loan.due_date) == (State.RECEIVED, datetime.date(2027, 1, 10))


def test_the_lenders_asked_read_the_request_the_others_do_not(loan, librarian_lima, librarian_santiago,
                                                              librarian_montevideo, coordinator_pe, coordinator_cl,
                                                              reader):
    assert services.can_read(librarian_lima, loan) and services.can_read(coordinator_pe, loan)
    assert not services.can_read(librarian_santiago, loan)  # not asked yet
    services.act(loan, Step.SEND, user=librarian_lima)
    assert services.can_read(librarian_santiago, loan) and services.can_read(coordinator_cl, loan)
    assert not services.can_read(librarian_montevideo, loan)
    assert not services.can_read(reader, loan)


def _values(obj):
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def test_the_steps_plain_statements_write_and_read_what_the_orm_does(loan, librarian_lima, librarian_santiago,
                                                                     santiago_library):
    """Each step reads the request with its lender's rota entry, and writes the request, the entry and the timeline
    step, in plain SQL (loans/plain.py): the rows are those the ORM reads, the same types (aware times, dates)."""
    # After the fixture's steps (replacing the microseconds alone could move it back before them).
    moment = (timezone.now() + datetime.timedelta(seconds=1)).replace(microsecond=123456)
    loan = services.act(loan, Step.SEND, user=librarian_lima, now=moment)
    loan = services.respond(loan, Status.WILL_SUPPLY, user=librarian_santiago, now=moment)
    shipped = moment + datetime.timedelta(hours=1)
    loan = services.respond(loan, Status.LOANED, user=librarian_santiago, note="Por courier", now=shipped)
    stored = LoanRequest.objects.get(pk=loan.pk)
    assert (stored.state, stored.version, stored.supplier_status) == (State.SHIPPED, loan.version, Status.LOANED)
    # The loan period runs from the day it was shipped (the next day when the hour after `moment` is past midnight).
    assert stored.due_date == timezone.localdate(shipped) + datetime.timedelta(days=21)
    with transaction.atomic():
        locked = services._locked(loan)
        entry = services._current_entry(locked)
    assert _values(locked) == _values(stored)
    assert locked.updated.tzinfo is not None and isinstance(locked.due_date, datetime.date)
    assert _values(entry) == _values(stored.rota.get(library=santiago_library))
    assert (entry.outcome, entry.supplier_status, entry.asked_at) == ("supplying", Status.LOANED, moment)
    last = stored.transitions.last()
    assert (last.name, last.note, last.time, last.rota_entry_id, last.user_id, last.library_id) == (
        "Loaned", "Por courier", moment + datetime.timedelta(hours=1), entry.pk, librarian_santiago.pk,
        santiago_library.pk)
    assert [t.pk for t in stored.transitions.all()] == sorted(t.pk for t in stored.transitions.all())
