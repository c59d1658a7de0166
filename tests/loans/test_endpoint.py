"""POST /iso18626: a partner library on another system moves requests by ISO 18626 XML, authenticated by its own
token; every answer is the standard's confirmation, valid against the schema; a duplicate changes nothing; the
wrong partner is refused."""

import datetime

import pytest
from django.test import Client

from sirbi.loans import services
from sirbi.loans.iso18626.codes import Status
from sirbi.loans.iso18626.messages import (
    Agency,
    Header,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
    build,
    parse,
)
from sirbi.loans.iso18626.requester import State, Step
from sirbi.loans.models import LoanRequest, PartnerEndpoint
from tests.standards import assert_valid

NOW = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)


def partner(library, token):
    endpoint = PartnerEndpoint(library=library, url="https://ill.example.org/iso18626", agency_id=library.isil)
    endpoint.set_token(token)
    endpoint.save()
    return endpoint


@pytest.fixture
def montevideo_partner(montevideo_library):
    return partner(montevideo_library, "token-of-montevideo")


@pytest.fixture
def santiago_partner(santiago_library):
    return partner(santiago_library, "token-of-santiago")


def post(xml, token="token-of-montevideo"):
    response = Client().post("/iso18626", data=xml, content_type="application/xml",
                             headers={"Authorization": f"Bearer {token}"} if token else {})
    return response


def confirmation(response):
    assert response.status_code == 200
    assert_valid("ISO-18626-v1_2.xsd", response.content)
    return parse(response.content)


@pytest.fixture
def asked(librarian_lima, lima_library, novel, policies, montevideo_library, montevideo_partner):
    """Lima asks Montevideo (a partner on another system) first."""
    loan = services.open_request(librarian_lima, lima_library, cluster=novel, title="Cien años de soledad")
    services.set_rota(librarian_lima, loan, [montevideo_library.pk])
    return services.act(loan, Step.SEND, user=librarian_lima)


def answer(loan, status, at=NOW, supplier="UY-MVD01", **extra):
    header = Header(supplying=Agency(supplier), requesting=Agency("PE-LIM01"), timestamp=at,
                    request_id=loan.request_id)
    return build(SupplyingAgencyMessage(header=header, reason_for_message=extra.pop("reason", "StatusChange"),
                                        status=status, last_change=at, **extra))


def test_a_partner_lender_answers_and_lends(asked):
    reply = confirmation(post(answer(asked, "WillSupply", reason="RequestResponse", loan_condition="LibraryUseOnly")))
    assert (reply.kind, reply.status, reply.reason_for_message) == (
        "supplyingAgencyMessageConfirmation", "OK", "RequestResponse")
    asked.refresh_from_db()
    assert (asked.state, asked.loan_condition) == (State.CONDITIONAL, "LibraryUseOnly")
    assert asked.transitions.last().via == "iso18626"


def test_the_same_message_twice_changes_nothing(asked):
    message = answer(asked, "Unfilled", reason_unfilled="NotOnShelf")
    assert confirmation(post(message)).status == "OK"
    asked.refresh_from_db()
    state, steps, version = asked.state, asked.transitions.count(), asked.version
    assert state == State.UNFILLED
    assert confirmation(post(message)).status == "OK"
    asked.refresh_from_db()
    assert (asked.state, asked.transitions.count(), asked.version) == (state, steps, version)


def test_a_status_the_standard_does_not_allow_now_is_an_error(asked):
    reply = confirmation(post(answer(asked, "LoanCompleted")))
    assert (reply.status, reply.error_type) == ("ERROR", "UnrecognisedDataValue")
    assert "LoanCompleted" in reply.error_value
    asked.refresh_from_db()
    assert asked.supplier_status == ""


def test_an_unknown_request_is_an_error(asked):
    asked.request_id = "sirbi-unknown"
    reply = confirmation(post(answer(asked, "WillSupply")))
    assert (reply.status, reply.error_type) == ("ERROR", "UnrecognisedDataValue")
    assert "sirbi-unknown" in reply.error_value


def test_an_unknown_requesting_agency_is_named_in_the_error(asked):
    header = Header(supplying=Agency("UY-MVD01"), requesting=Agency("PE-NOBODY"), timestamp=NOW,
                    request_id=asked.request_id)
    reply = confirmation(post(build(SupplyingAgencyMessage(header=header, reason_for_message="RequestResponse",
                                                           status="WillSupply", last_change=NOW))))
    assert (reply.status, reply.error_type, reply.error_value) == (
        "ERROR", "UnrecognisedDataValue", "requestingAgencyId: PE-NOBODY")
    asked.refresh_from_db()
    assert asked.supplier_status == ""


def test_malformed_xml_is_badly_formed(asked):
    reply = confirmation(post(b"<ISO18626Message><request>"))
    assert (reply.status, reply.error_type) == ("ERROR", "BadlyFormedMessage")


def test_without_a_valid_token_nothing_is_read(asked):
    assert post(answer(asked, "WillSupply"), token=None).status_code == 401
    assert post(answer(asked, "WillSupply"), token="guessed").status_code == 401
    asked.refresh_from_db()
    assert asked.supplier_status == ""


def test_the_wrong_partner_is_refused(asked, santiago_partner):
    """Santiago's token cannot answer for Montevideo, nor in its own name for a request it was not asked."""
    reply = confirmation(post(answer(asked, "Loaned"), token="token-of-santiago"))
    assert (reply.status, reply.error_type) == ("ERROR", "UnrecognisedDataValue")
    reply = confirmation(post(answer(asked, "Loaned", supplier="CL-STG01"), token="token-of-santiago"))
    assert reply.status == "ERROR"
    asked.refresh_from_db()
    assert asked.supplier_status == ""


def test_a_partner_borrower_asks_one_of_ours(montevideo_partner, lima_library, librarian_lima):
    """Montevideo (on another system) asks Lima; Lima's staff answer on our pages; Montevideo says Received."""
    header = Header(supplying=Agency("PE-LIM01"), requesting=Agency("UY-MVD01"), timestamp=NOW,
                    request_id="mvd-2026-0042")
    request = build(Request(header=header, title="Los ríos profundos", isbns=["9788437604589"]))
    assert confirmation(post(request)).status == "OK"
    assert confirmation(post(request)).status == "OK"  # the same request again: still one
    loan = LoanRequest.objects.get(request_id="mvd-2026-0042")
    assert (loan.external, loan.state, loan.lender) == (True, State.REQUESTED, lima_library)
    services.respond(loan, Status.LOANED, user=librarian_lima)
    received = build(RequestingAgencyMessage(header=header, action="Received"))
    reply = confirmation(post(received))
    assert (reply.kind, reply.status, reply.action) == ("requestingAgencyMessageConfirmation", "OK", "Received")
    loan.refresh_from_db()
    assert loan.state == State.RECEIVED
    # An action out of turn is the standard's UnsupportedActionType.
    reply = confirmation(post(build(RequestingAgencyMessage(
        header=Header(**{**header.__dict__, "timestamp": NOW + datetime.timedelta(minutes=1)}), action="Cancel"))))
    assert (reply.status, reply.error_type) == ("ERROR", "UnsupportedActionType")


def test_the_endpoint_takes_no_get_and_no_oversized_body(montevideo_partner):
    assert Client().get("/iso18626").status_code == 405
    response = Client().post("/iso18626", data=b"x" * (300 * 1024), content_type="application/xml",
                             headers={"Authorization": "Bearer token-of-montevideo"})
    assert response.status_code == 413
