"""A partner library on another system (a mock ISO 18626 server on 127.0.0.1) and this platform talk over HTTP both
ways: our outbox sends our steps to it (each message valid against the official XSD, checked by the mock), it sends
its own to our POST /iso18626. The four scenarios of the issue, the refusals, and the sender's retries."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from sirbi.loans import outbox, services
from sirbi.loans.iso18626.codes import Action, Status
from sirbi.loans.iso18626.messages import Request, RequestingAgencyMessage, SupplyingAgencyMessage
from sirbi.loans.iso18626.requester import State, Step
from sirbi.loans.models import LoanRequest, OutgoingMessage, PartnerEndpoint
from tests.loans.partner import MockPartner
from tests.standards import assert_valid

XSD = "ISO-18626-v1_2.xsd"
LIMA = "PE-LIM01"


@pytest.fixture
def partner(transactional_db, live_server, settings, montevideo_library):
    """Montevideo's library runs its own ISO 18626 system: the mock. Loopback is allowed for this test only."""
    settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.1"]
    with MockPartner("UY-MVD01", token_from_us="ours-for-montevideo", token_to_us="montevideo-for-us",
                     our_endpoint=live_server.url + "/iso18626") as mock:
        endpoint = PartnerEndpoint(library=montevideo_library, url=mock.url, agency_id="UY-MVD01",
                                   outgoing_token="ours-for-montevideo")
        endpoint.set_token("montevideo-for-us")
        endpoint.save()
        yield mock
        assert not mock.invalid, mock.invalid  # every message we sent is valid against the XSD
        assert not mock.refused


def ask(librarian, borrower, cluster, *lenders):
    loan = services.open_request(librarian, borrower, cluster=cluster, title="Cien años de soledad",
                                 isbn="9780307474728")
    services.set_rota(librarian, loan, [library.pk for library in lenders])
    return services.act(loan, Step.SEND, user=librarian)


def answered(partner, xml):
    status, reply, raw = partner.post(xml)
    assert status == 200
    assert_valid(XSD, raw)
    return reply


def states(loan):
    loan.refresh_from_db()
    return loan.state, loan.supplier_status


@pytest.fixture
def asked(partner, librarian_lima, lima_library, novel, montevideo_library):
    """Lima asks Montevideo; the outbox sends the request; the partner confirms it."""
    loan = ask(librarian_lima, lima_library, novel, montevideo_library)
    assert outbox.send_due() == {"sent": 1, "failed": 0, "retried": 0}
    request = partner.received[-1]
    assert isinstance(request, Request)
    assert (request.header.request_id, request.header.requesting.value, request.header.supplying.value,
            request.isbns) == (loan.request_id, LIMA, "UY-MVD01", ["9780307474728"])
    sent = OutgoingMessage.objects.get(request=loan)
    assert (sent.delivery, sent.confirmation_status, sent.attempts) == ("sent", "OK", 1)
    return loan


def test_will_supply_then_loaned(partner, asked, librarian_lima):
    reply = answered(partner, partner.as_lender(asked.request_id, LIMA, "WillSupply", reason="RequestResponse"))
    assert reply.status == "OK"
    assert states(asked) == (State.WILL_SUPPLY, Status.WILL_SUPPLY)
    due = datetime.datetime(2027, 1, 10, tzinfo=datetime.UTC)
    assert answered(partner, partner.as_lender(asked.request_id, LIMA, "Loaned", due_date=due)).status == "OK"
    assert states(asked) == (State.SHIPPED, Status.LOANED)
    assert str(asked.due_date) == "2027-01-10"
    services.act(asked, Action.RECEIVED, user=librarian_lima)
    services.act(asked, Action.SHIPPED_RETURN, user=librarian_lima)
    assert outbox.send_due()["sent"] == 2
    actions = [m.action for m in partner.received if isinstance(m, RequestingAgencyMessage)]
    assert actions == ["Received", "ShippedReturn"]
    assert answered(partner, partner.as_lender(asked.request_id, LIMA, "LoanCompleted")).status == "OK"
    assert states(asked) == (State.COMPLETED, Status.LOAN_COMPLETED)
    # The request page shows each message and its delivery.
    client = Client()
    client.force_login(librarian_lima)
    page = client.get(asked.get_absolute_url()).content.decode()
    assert page.count('class="delivery-sent"') == 3


def test_will_supply_then_unfilled_moves_on(partner, librarian_lima, lima_library, novel, montevideo_library,
                                            santiago_library):
    loan = ask(librarian_lima, lima_library, novel, montevideo_library, santiago_library)
    outbox.send_due()
    answered(partner, partner.as_lender(loan.request_id, LIMA, "WillSupply", reason="RequestResponse"))
    reply = answered(partner, partner.as_lender(loan.request_id, LIMA, "Unfilled", reason_unfilled="NotOnShelf"))
    assert reply.status == "OK"
    loan.refresh_from_db()
    assert (loan.state, loan.lender) == (State.REQUESTED, santiago_library)
    # Santiago is on this platform: nothing more goes to the partner.
    assert outbox.send_due()["sent"] == 0


def test_unfilled_ends_a_rota_of_one(partner, asked):
    reply = answered(partner, partner.as_lender(asked.request_id, LIMA, "Unfilled", reason="RequestResponse",
                                                reason_unfilled="NotOnShelf"))
    assert reply.status == "OK"
    assert states(asked)[0] == State.UNFILLED
    assert "NotOnShelf" in asked.transitions.get(name="rota_ended").note


def test_loaned_directly(partner, asked):
    assert answered(partner, partner.as_lender(asked.request_id, LIMA, "Loaned", reason="RequestResponse")).status \
        == "OK"
    assert states(asked) == (State.SHIPPED, Status.LOANED)


def test_the_partner_borrows_from_us_and_hears_each_status(partner, lima_library, librarian_lima):
    reply = answered(partner, partner.as_borrower("mvd-77", LIMA, title="Los ríos profundos"))
    assert reply.status == "OK"
    loan = LoanRequest.objects.get(request_id="mvd-77")
    services.respond(loan, Status.WILL_SUPPLY, user=librarian_lima)
    services.respond(loan, Status.LOANED, user=librarian_lima)
    assert outbox.send_due()["sent"] == 2
    answers = [(m.reason_for_message, m.status) for m in partner.received if isinstance(m, SupplyingAgencyMessage)]
    assert answers == [("RequestResponse", "WillSupply"), ("StatusChange", "Loaned")]
    assert partner.received[-1].due_date is not None
    assert answered(partner, partner.as_borrower("mvd-77", LIMA, action="Received")).status == "OK"
    assert states(loan)[0] == State.RECEIVED


def test_what_the_endpoint_refuses(partner, asked):
    """Malformed XML, an unknown request, an action the state does not allow, and a duplicate message."""
    status, reply, raw = partner.post(b"<ISO18626Message><request>")
    assert (status, reply.status, reply.error_type) == (200, "ERROR", "BadlyFormedMessage")
    assert_valid(XSD, raw)
    reply = answered(partner, partner.as_lender("sirbi-nobody", LIMA, "Loaned"))
    assert (reply.status, reply.error_type) == ("ERROR", "UnrecognisedDataValue")
    reply = answered(partner, partner.as_lender(asked.request_id, LIMA, "LoanCompleted"))
    assert (reply.status, reply.error_type) == ("ERROR", "UnrecognisedDataValue")
    assert states(asked) == (State.REQUESTED, "")
    # Montevideo as a borrower: an action out of turn is UnsupportedActionType.
    answered(partner, partner.as_borrower("mvd-78", LIMA, title="Rayuela"))
    reply = answered(partner, partner.as_borrower("mvd-78", LIMA, action="ShippedReturn"))
    assert (reply.status, reply.error_type) == ("ERROR", "UnsupportedActionType")
    # The same message twice: confirmed twice, applied once.
    message = partner.as_lender(asked.request_id, LIMA, "WillSupply", reason="RequestResponse")
    assert answered(partner, message).status == "OK"
    steps, version = asked.transitions.count(), LoanRequest.objects.get(pk=asked.pk).version
    assert answered(partner, message).status == "OK"
    asked.refresh_from_db()
    assert (asked.transitions.count(), asked.version) == (steps, version)


def test_the_sender_retries_with_back_off(partner, librarian_lima, lima_library, novel, montevideo_library):
    loan = ask(librarian_lima, lima_library, novel, montevideo_library)
    partner.http_errors = [503]
    now = timezone.now()
    assert outbox.send_due(now) == {"sent": 0, "failed": 0, "retried": 1}
    message = OutgoingMessage.objects.get(request=loan)
    assert (message.delivery, message.attempts, message.last_error) == ("pending", 1, "HTTP 503")
    assert message.next_attempt == now + outbox.FIRST_DELAY
    assert outbox.send_due(now)["sent"] == 0  # not due yet
    assert outbox.send_due(now + outbox.FIRST_DELAY)["sent"] == 1
    message.refresh_from_db()
    assert (message.delivery, message.attempts, message.confirmation_status) == ("sent", 2, "OK")


def test_an_error_confirmation_fails_the_message(partner, librarian_lima, lima_library, novel, montevideo_library):
    loan = ask(librarian_lima, lima_library, novel, montevideo_library)
    partner.error_next = ("UnrecognisedDataValue", "supplyingAgencyId: unknown")
    assert outbox.send_due()["failed"] == 1
    message = OutgoingMessage.objects.get(request=loan)
    assert (message.delivery, message.confirmation_status, message.confirmation_error) == (
        "failed", "ERROR", "UnrecognisedDataValue")
    client = Client()
    client.force_login(librarian_lima)
    assert "supplyingAgencyId: unknown" in client.get(loan.get_absolute_url()).content.decode()


def test_loopback_is_refused_unless_allowed(partner, settings, librarian_lima, lima_library, novel,
                                            montevideo_library):
    settings.HARVEST_ALLOWED_HOSTS = []
    loan = ask(librarian_lima, lima_library, novel, montevideo_library)
    assert outbox.send_due()["retried"] == 1
    assert partner.received == []
    message = OutgoingMessage.objects.get(request=loan)
    assert message.delivery == "pending" and "not public" in message.last_error


def test_a_status_request_is_answered_at_once(partner, lima_library, librarian_lima):
    """Lima's staff need not answer a StatusRequest: the platform answers with the status as it stands."""
    answered(partner, partner.as_borrower("mvd-79", LIMA, title="Pedro Páramo"))
    assert answered(partner, partner.as_borrower("mvd-79", LIMA, action="StatusRequest")).status == "OK"
    services.respond(LoanRequest.objects.get(request_id="mvd-79"), Status.WILL_SUPPLY, user=librarian_lima)
    assert answered(partner, partner.as_borrower("mvd-79", LIMA, action="StatusRequest")).status == "OK"
    outbox.send_due()
    answers = [(m.reason_for_message, m.status) for m in partner.received if isinstance(m, SupplyingAgencyMessage)]
    assert answers == [("StatusRequestResponse", "RequestReceived"), ("RequestResponse", "WillSupply"),
                       ("StatusRequestResponse", "WillSupply")]


def test_a_partner_address_must_be_public_unless_allowed(db, montevideo_library, settings):
    from sirbi.loans.admin import EndpointForm

    data = {"library": montevideo_library.pk, "url": "http://127.0.0.1:8000/iso18626", "agency_id_type": "ISIL",
            "agency_id": "UY-MVD01", "outgoing_token": "secret", "active": "on"}
    form = EndpointForm(data=data)
    assert "url" in form.errors
    settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.1"]
    form = EndpointForm(data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["outgoing_token"] == "secret"


def test_the_keepers_page_of_an_endpoint_issues_a_token_once(db, client, montevideo_library, librarian_montevideo,
                                                             librarian_lima):
    from django.urls import reverse

    url = reverse("loans:endpoint-edit", args=[montevideo_library.pk])
    client.force_login(librarian_lima)
    assert client.get(url).status_code == 403  # another library's keepers
    client.force_login(librarian_montevideo)
    data = {"url": "https://ill.montevideo.example.org/iso18626", "agency_id_type": "ISIL", "agency_id": "UY-MVD01",
            "outgoing_token": "theirs", "active": "on", "message": ""}
    response = client.post(url, data, follow=True)
    endpoint = PartnerEndpoint.objects.get(library=montevideo_library)
    token = [str(m) for m in response.context["messages"] if "token" in str(m).lower()][0].rsplit(" ", 1)[-1]
    assert endpoint.token_matches(token) and endpoint.outgoing_token == "theirs"
    assert token not in client.get(url).content.decode() and "theirs" not in client.get(url).content.decode()
    # Saved again without retyping the token for their endpoint: it is kept; the partner's token is unchanged.
    client.post(url, {**data, "outgoing_token": "", "base_version": endpoint.version})
    endpoint.refresh_from_db()
    assert endpoint.outgoing_token == "theirs" and endpoint.token_matches(token)


def test_the_worker_sends_what_is_due(partner, librarian_lima, lima_library, novel, montevideo_library):
    """`sirbi worker` sends the outbox at each sweep (no job to queue): a request to a partner goes out."""
    from sirbi.core import jobs

    loan = ask(librarian_lima, lima_library, novel, montevideo_library)
    jobs.work(once=True)
    assert [m.header.request_id for m in partner.received] == [loan.request_id]
    assert OutgoingMessage.objects.get(request=loan).delivery == "sent"


def test_a_declined_condition_cancels_at_the_partner_and_its_answer_changes_nothing(
        partner, librarian_lima, lima_library, novel, montevideo_library, santiago_library):
    loan = ask(librarian_lima, lima_library, novel, montevideo_library, santiago_library)
    outbox.send_due()
    answered(partner, partner.as_lender(loan.request_id, LIMA, "WillSupply", reason="RequestResponse",
                                        loan_condition="LibraryUseOnly"))
    services.act(loan, Step.DECLINE, user=librarian_lima)
    assert outbox.send_due()["sent"] == 1
    assert (partner.received[-1].action, partner.received[-1].note) == ("Cancel", "Condition declined")
    loan.refresh_from_db()
    assert loan.lender == santiago_library
    reply = answered(partner, partner.as_lender(loan.request_id, LIMA, "Cancelled", reason="CancelResponse",
                                                answer="Y"))
    assert reply.status == "OK"
    loan.refresh_from_db()
    assert (loan.lender, loan.state) == (santiago_library, State.REQUESTED)
    assert loan.transitions.filter(name="CancelResponse", library=montevideo_library).count() == 1


def test_a_failed_message_is_sent_again_by_our_side_only(partner, librarian_lima, librarian_montevideo,
                                                         librarian_santiago, lima_library, novel, montevideo_library):
    from django.urls import reverse

    loan = ask(librarian_lima, lima_library, novel, montevideo_library)
    partner.error_next = ("UnrecognisedDataValue", "busy")
    outbox.send_due()
    message = OutgoingMessage.objects.get(request=loan)
    url = reverse("loans:request-resend", args=[loan.pk, message.pk])
    for outsider in (librarian_santiago, librarian_montevideo):
        client = Client()
        client.force_login(outsider)
        assert client.post(url).status_code == 403
    message.refresh_from_db()
    assert message.delivery == "failed"
    client = Client()
    client.force_login(librarian_lima)
    assert "Send again" in client.get(loan.get_absolute_url()).content.decode() or "Enviar de nuevo" in \
        client.get(loan.get_absolute_url()).content.decode()
    assert client.post(url).status_code == 302
    assert outbox.send_due()["sent"] == 1
    message.refresh_from_db()
    assert (message.delivery, message.attempts) == ("sent", 1)


def test_a_partner_request_our_lender_lets_time_out_is_unfilled_for_the_partner(partner, lima_library):
    from django.core.management import call_command

    answered(partner, partner.as_borrower("mvd-80", LIMA, title="Ficciones"))
    loan = LoanRequest.objects.get(request_id="mvd-80")
    outbox.send_due()
    LoanRequest.objects.filter(pk=loan.pk).update(answer_due=timezone.now() - datetime.timedelta(hours=1))
    call_command("ill_tick", stdout=open("/dev/null", "w"))
    assert states(loan)[0] == State.UNFILLED
    last = partner.received[-1]
    assert isinstance(last, SupplyingAgencyMessage)
    assert (last.status, last.header.supplying.value) == ("Unfilled", LIMA)
