"""ISO 18626 as plain Python: the two state machines, and messages built, parsed and checked against the official
schema (version 1.2, from the shared standards folder)."""

import datetime

import pytest

from sirbi.loans.iso18626 import requester, supplier
from sirbi.loans.iso18626.codes import Action, ErrorType, Status
from sirbi.loans.iso18626.messages import (
    Agency,
    Confirmation,
    Header,
    MessageError,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
    build,
    parse,
)
from sirbi.loans.iso18626.requester import State, Step
from sirbi.loans.iso18626.supplier import TransitionError
from tests.standards import assert_valid, schema

NOW = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)
HEADER = Header(supplying=Agency("UY-MVD01"), requesting=Agency("PE-LIM01"), timestamp=NOW, request_id="SIRBI-42")


# The supplier's machine ------------------------------------------------------------------------------------------

def test_a_loan_runs_its_course_through_the_supplier_statuses():
    status = None
    for new in (Status.REQUEST_RECEIVED, Status.WILL_SUPPLY, Status.LOANED, Status.OVERDUE, Status.LOANED,
                Status.RECALLED, Status.LOAN_COMPLETED):
        status = supplier.advance(status, new)
    assert status == Status.LOAN_COMPLETED
    assert supplier.allowed_next(status) == []


@pytest.mark.parametrize("current, new", [
    (None, Status.LOAN_COMPLETED),              # nothing lent yet
    (None, Status.CANCELLED),                   # a cancellation answers a Cancel
    (Status.WILL_SUPPLY, Status.EXPECT_TO_SUPPLY),
    (Status.LOANED, Status.UNFILLED),           # once lent, it is no longer unfilled
    (Status.UNFILLED, Status.LOANED),           # terminal
    (Status.COPY_COMPLETED, Status.LOANED),
])
def test_the_supplier_cannot_jump_where_the_standard_does_not_go(current, new):
    with pytest.raises(TransitionError):
        supplier.advance(current, new)


def test_the_supplier_accepts_each_action_only_in_its_statuses():
    assert supplier.accepts(Status.LOANED, Action.RECEIVED) == Action.RECEIVED
    assert supplier.accepts(Status.COPY_COMPLETED, Action.STATUS_REQUEST)
    for status, action in ((Status.WILL_SUPPLY, Action.RECEIVED), (Status.LOANED, Action.CANCEL),
                           (Status.RECALLED, Action.RENEW), (Status.REQUEST_RECEIVED, Action.SHIPPED_RETURN)):
        with pytest.raises(TransitionError):
            supplier.accepts(status, action)


# The requester's machine -----------------------------------------------------------------------------------------

def test_a_request_with_a_condition_waits_for_the_requester_to_accept():
    state = requester.take(State.DRAFT, Step.SEND)
    assert state == State.REQUESTED
    state = requester.on_status(state, Status.WILL_SUPPLY, condition="LibraryUseOnly")
    assert state == State.CONDITIONAL
    assert requester.take(state, Step.ACCEPT, supplier_status=Status.WILL_SUPPLY) == State.WILL_SUPPLY
    assert requester.take(state, Step.DECLINE) == requester.NEXT_LENDER


def test_unfilled_and_a_retry_without_condition_move_to_the_next_lender():
    assert requester.on_status(State.REQUESTED, Status.UNFILLED) == requester.NEXT_LENDER
    assert requester.on_status(State.REQUESTED, Status.RETRY_POSSIBLE, reason_retry="OnLoan") == requester.NEXT_LENDER
    assert requester.on_status(State.REQUESTED, Status.RETRY_POSSIBLE,
                               reason_retry="MustMeetLoanCondition") == State.CONDITIONAL


def test_the_requester_side_of_a_loan():
    state = requester.on_status(State.WILL_SUPPLY, Status.LOANED)
    assert state == State.SHIPPED
    state = requester.take(state, Action.RECEIVED)
    assert state == State.RECEIVED
    assert requester.take(state, Action.RENEW) == State.RECEIVED
    state = requester.on_status(state, Status.OVERDUE)
    assert requester.on_status(state, Status.LOANED, received=True) == State.RECEIVED  # renewed
    state = requester.take(state, Action.SHIPPED_RETURN)
    assert state == State.RETURNED
    assert requester.on_status(state, Status.LOAN_COMPLETED) == State.COMPLETED


@pytest.mark.parametrize("state, action", [
    (State.REQUESTED, Action.RECEIVED),         # nothing shipped yet
    (State.SHIPPED, Action.CANCEL),             # too late to cancel
    (State.SHIPPED, Action.SHIPPED_RETURN),     # not received yet
    (State.COMPLETED, Action.STATUS_REQUEST),
    (State.RECEIVED, Action.SHIPPED_FORWARD),   # not offered by this platform
    (State.REQUESTED, Step.ACCEPT),             # no condition to accept
])
def test_the_requester_cannot_act_out_of_turn(state, action):
    with pytest.raises(TransitionError):
        requester.take(state, action)


def test_a_status_that_cannot_arrive_in_the_requesters_state_is_refused():
    with pytest.raises(TransitionError):
        requester.on_status(State.DRAFT, Status.LOANED)
    with pytest.raises(TransitionError):
        requester.on_status(State.COMPLETED, Status.RECALLED)


# Messages --------------------------------------------------------------------------------------------------------

MESSAGES = [
    Request(header=HEADER, title="Cien años de soledad", author="García Márquez", isbns=["9780307474728"],
            service_type="Loan", need_before=NOW, note="Para un club de lectura"),
    Request(header=HEADER, title="Artículo", pages="12-19", service_type="Copy", request_type="Retry",
            previous_request_id="SIRBI-41"),
    SupplyingAgencyMessage(header=HEADER, reason_for_message="RequestResponse", status="WillSupply", last_change=NOW,
                           loan_condition="LibraryUseOnly", note="Solo en sala"),
    SupplyingAgencyMessage(header=HEADER, reason_for_message="StatusChange", status="Unfilled", last_change=NOW,
                           reason_unfilled="NotOnShelf"),
    SupplyingAgencyMessage(header=HEADER, reason_for_message="StatusChange", status="Loaned", last_change=NOW,
                           due_date=NOW + datetime.timedelta(days=21), date_sent=NOW),
    RequestingAgencyMessage(header=HEADER, action="ShippedReturn", note="Por correo certificado"),
    Confirmation(kind="requestConfirmation", status="OK", header=HEADER, timestamp_received=NOW),
    Confirmation(kind="supplyingAgencyMessageConfirmation", status="ERROR", header=HEADER,
                 error_type="UnrecognisedDataValue", error_value="requestingAgencyRequestId: SIRBI-999",
                 reason_for_message="StatusChange"),
    Confirmation(kind="requestingAgencyMessageConfirmation", status="ERROR", error_type="BadlyFormedMessage"),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_every_message_we_build_is_valid_and_reads_back(message):
    xml = build(message)
    assert_valid("ISO-18626-v1_2.xsd", xml)
    again = parse(xml)
    assert type(again) is type(message)
    if not isinstance(message, Confirmation):
        assert again.header.request_id == "SIRBI-42"
        assert again.header.supplying == Agency("UY-MVD01")
    for name in ("title", "isbns", "status", "loan_condition", "reason_unfilled", "action", "pages", "error_type"):
        if hasattr(message, name):
            assert getattr(again, name) == getattr(message, name)


def _xml(body):
    return ('<?xml version="1.0"?><ill:ISO18626Message xmlns:ill="http://illtransactions.org/2013/iso18626" '
            f'ill:version="1.2">{body}</ill:ISO18626Message>').encode()


_HEAD = ("<ill:header><ill:supplyingAgencyId><ill:agencyIdType>ISIL</ill:agencyIdType><ill:agencyIdValue>UY-MVD01"
         "</ill:agencyIdValue></ill:supplyingAgencyId><ill:requestingAgencyId><ill:agencyIdType>ISIL</ill:agencyIdType>"
         "<ill:agencyIdValue>PE-LIM01</ill:agencyIdValue></ill:requestingAgencyId><ill:multipleItemRequestId/>"
         "<ill:timestamp>2026-12-06T12:00:00Z</ill:timestamp><ill:requestingAgencyRequestId>SIRBI-42"
         "</ill:requestingAgencyRequestId></ill:header>")

BAD = [
    (b"<not xml", ErrorType.BADLY_FORMED_MESSAGE),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', ErrorType.BADLY_FORMED_MESSAGE),
    (b"<ISO18626Message/>", ErrorType.BADLY_FORMED_MESSAGE),  # no namespace
    (_xml(f"<ill:requestingAgencyMessage>{_HEAD}</ill:requestingAgencyMessage>"), ErrorType.BADLY_FORMED_MESSAGE),
    (_xml(f"<ill:requestingAgencyMessage>{_HEAD}<ill:action>Borrow</ill:action></ill:requestingAgencyMessage>"),
     ErrorType.UNSUPPORTED_ACTION_TYPE),
    (_xml(f"<ill:requestingAgencyMessage>{_HEAD}<ill:action>Received</ill:action><ill:colour>red</ill:colour>"
          "</ill:requestingAgencyMessage>"), ErrorType.UNRECOGNISED_DATA_ELEMENT),
    (_xml(f"<ill:supplyingAgencyMessage>{_HEAD}<ill:messageInfo><ill:reasonForMessage>Whim</ill:reasonForMessage>"
          "</ill:messageInfo><ill:statusInfo><ill:status>Loaned</ill:status><ill:lastChange>2026-12-06T12:00:00Z"
          "</ill:lastChange></ill:statusInfo></ill:supplyingAgencyMessage>"),
     ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE),
    (_xml(f"<ill:supplyingAgencyMessage>{_HEAD}<ill:messageInfo><ill:reasonForMessage>StatusChange"
          "</ill:reasonForMessage></ill:messageInfo><ill:statusInfo><ill:status>Lost</ill:status><ill:lastChange>"
          "2026-12-06T12:00:00Z</ill:lastChange></ill:statusInfo></ill:supplyingAgencyMessage>"),
     ErrorType.UNRECOGNISED_DATA_VALUE),
    (_xml(f"<ill:supplyingAgencyMessage>{_HEAD}<ill:messageInfo><ill:reasonForMessage>StatusChange"
          "</ill:reasonForMessage></ill:messageInfo><ill:statusInfo><ill:status>Loaned</ill:status><ill:lastChange>"
          "yesterday</ill:lastChange></ill:statusInfo></ill:supplyingAgencyMessage>"),
     ErrorType.UNRECOGNISED_DATA_VALUE),
    # Elements out of the schema's order.
    (_xml(f"<ill:requestingAgencyMessage><ill:action>Received</ill:action>{_HEAD}</ill:requestingAgencyMessage>"),
     ErrorType.BADLY_FORMED_MESSAGE),
]


@pytest.mark.parametrize("xml, error", BAD)
def test_what_the_schema_refuses_is_refused_with_the_standards_error(xml, error):
    with pytest.raises(MessageError) as refused:
        parse(xml)
    assert refused.value.error_type == error
    # And the official schema refuses it too (when it is XML at all).
    if xml.startswith(b"<?xml"):
        assert not schema("ISO-18626-v1_2.xsd").is_valid(xml.decode())


def test_the_header_of_an_invalid_message_is_kept_for_the_confirmation():
    with pytest.raises(MessageError) as refused:
        parse(BAD[4][0])
    assert refused.value.kind == "requestingAgencyMessage"
    assert refused.value.header.request_id == "SIRBI-42"
