"""ISO 18626 messages of ours to libraries on other systems (the outbox).

When a step of ours concerns a partner system — we ask a partner lender, our borrower acts on a request a partner
lends, one of our lenders answers a partner's request — `on_step` (called by `services.timeline`, in the step's
transaction) builds the message the standard makes of it and stores it as an `OutgoingMessage`, pending. Steps
that a partner's own message made (via ISO 18626) are never echoed back.

`send_due` (run by the background worker at each sweep, and by `sirbi ill_tick`) sends the pending messages whose
time has come, one request's messages in order (a later one waits for the earlier), through core.outbound's
checked session (public addresses only, or those of HARVEST_ALLOWED_HOSTS). Before sending, the message is read
back by `messages.parse`, which checks it against the run-time copy of the ISO 18626 1.2 content model: a message
that fails is never sent (failed, with the reason). The partner's answer must be a confirmation (parsed with
defusedxml): messageStatus OK → sent; ERROR → failed, with its errorType and errorValue. A transport error, an HTTP
error or an answer that is not a confirmation is tried again with back-off (1, 2, 4... minutes, at most 6 hours
apart) until MAX_ATTEMPTS."""

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from sirbi.core import outbound, permissions
from sirbi.registry.models import Library

from .iso18626.codes import Action, MessageStatus, ReasonForMessage, Status
from .iso18626.messages import (
    MAX_BYTES,
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
from .models import LoanRequest, OutgoingMessage, PartnerEndpoint, Transition

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_DELAY = datetime.timedelta(minutes=1)
LONGEST_DELAY = datetime.timedelta(hours=6)
TIMEOUT = (5, 30)  # seconds to connect, to read
Delivery = OutgoingMessage.Delivery


def partner_of(library):
    """The active ISO 18626 endpoint of `library`, or None: the one read with the library when it was (the
    services read a request's libraries with their endpoints), else one query."""
    if library is None:
        return None
    if Library.iso18626_endpoint.is_cached(library):
        partner = getattr(library, "iso18626_endpoint", None)
        return partner if partner is not None and partner.active else None
    return PartnerEndpoint.objects.filter(library_id=library.pk, active=True).first()


def agency(library, partner=None):
    return Agency(partner.agency_id, partner.agency_id_type) if partner else Agency(library.isil)


# Building ----------------------------------------------------------------------------------------------------------

def on_step(loan, step):
    """Queue the message a step of ours makes for the partner on the other side of `loan`, if any."""
    if step.via == Transition.Via.ISO18626:
        return None
    if loan.external:
        partner = partner_of(loan.borrower)
        message = _to_borrower(loan, step, partner) if partner else None
    else:
        partner = partner_of(step.library if step.name in ("asked", "timed_out") else loan.lender)
        message = _to_lender(loan, step, partner) if partner else None
    if message is None:
        return None
    summary = getattr(message, "status", "") or getattr(message, "action", "") or message.request_type
    return OutgoingMessage.objects.create(
        request=loan, partner=partner, transition=step, kind=type(message).__name__, summary=summary[:100],
        xml=build(message), next_attempt=step.time)


def _header(loan, step, *, lender, lender_partner=None, borrower_partner=None):
    return Header(supplying=agency(lender, lender_partner), requesting=agency(loan.borrower, borrower_partner),
                  timestamp=step.time, request_id=loan.request_id)


def _to_lender(loan, step, partner):
    """Our borrower's side, to a partner lender: the request (new, or a Retry after accepting a RetryPossible's
    condition), the standard's actions, Cancel when we stop waiting (condition declined, no answer in time)."""
    header = _header(loan, step, lender=partner.library, lender_partner=partner)
    if step.name == "asked":
        return _request(loan, header)
    if step.name == "accept":
        retried = loan.transitions.filter(side=Transition.Side.SUPPLIER).exclude(pk=step.pk).last()
        if retried is not None and retried.supplier_status == Status.RETRY_POSSIBLE:
            return _request(loan, header, retry=True)
        return RequestingAgencyMessage(header=header, action=Action.NOTIFICATION,
                                       note=f"Condition accepted: {loan.loan_condition}".strip())
    if step.name in ("decline", "timed_out"):
        note = "Condition declined" if step.name == "decline" else "No answer in time: asking another library"
        return RequestingAgencyMessage(header=header, action=Action.CANCEL, note=note)
    if step.side == Transition.Side.REQUESTER and step.name in Action._value2member_map_:
        return RequestingAgencyMessage(header=header, action=step.name, note=step.note)
    return None


def _request(loan, header, retry=False):
    need = (datetime.datetime.combine(loan.needed_before, datetime.time(23, 59), tzinfo=datetime.UTC)
            if loan.needed_before else None)
    return Request(header=header, title=loan.title, author=loan.author, isbns=[loan.isbn] if loan.isbn else [],
                   pages=loan.pages, service_type=loan.service_type, need_before=need, note=loan.note,
                   request_type="Retry" if retry else "New", previous_request_id=loan.request_id if retry else "")


def _to_borrower(loan, step, partner):
    """Our lender's side, to a partner borrower: each status it takes (and its answers to a cancellation or a
    renewal), with the reason, condition and due date."""
    if step.name in ("CancelResponse", "RenewResponse", "StatusRequestResponse"):
        reason, status = ReasonForMessage(step.name), loan.supplier_status or Status.REQUEST_RECEIVED
    elif step.supplier_status or (step.name == "rota_ended" and loan.supplier_status != Status.UNFILLED):
        # (The rota of a partner's request ends without an answer of ours when our lender let it time out: the
        # partner hears Unfilled.)
        status = step.supplier_status or Status.UNFILLED
        earlier = loan.transitions.filter(supplier_status__gt="").exclude(pk=step.pk).exists()
        reason = (ReasonForMessage.CANCEL_RESPONSE if status == Status.CANCELLED
                  else ReasonForMessage.STATUS_CHANGE if earlier else ReasonForMessage.REQUEST_RESPONSE)
    else:
        return None
    lender = loan.lender or step.library or loan.rota.order_by("position").first().library
    due = (datetime.datetime.combine(loan.due_date, datetime.time(23, 59), tzinfo=datetime.UTC)
           if loan.due_date and status in (Status.LOANED, Status.OVERDUE) else None)
    answer = step.answer or ("Y" if reason == ReasonForMessage.CANCEL_RESPONSE else "")
    return SupplyingAgencyMessage(
        header=_header(loan, step, lender=lender, borrower_partner=partner), reason_for_message=reason,
        status=status, last_change=step.time, answer=answer, note=step.note,
        reason_unfilled=step.reason if status == Status.UNFILLED else "",
        reason_retry=step.reason if status == Status.RETRY_POSSIBLE else "",
        loan_condition=step.loan_condition, due_date=due,
        date_sent=step.time if status in (Status.LOANED, Status.COPY_COMPLETED) else None)


# Sending -----------------------------------------------------------------------------------------------------------

def backoff(attempts):
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), LONGEST_DELAY)


def due(now=None):
    """The messages to send now: of each request, its earliest pending message, if its time has come."""
    now = now or timezone.now()
    first = (OutgoingMessage.objects.filter(delivery=Delivery.PENDING).values("request")
             .annotate(first=Min("pk")).values("first"))
    return OutgoingMessage.objects.filter(pk__in=first, next_attempt__lte=now).select_related(
        "partner__library").order_by("next_attempt", "pk")


def send_due(now=None, limit=200):
    """Send what is due (a request whose message went out may have its next one due too: sent in the same run)."""
    sent = failed = retried = 0
    for _round in range(limit):
        batch = list(due(now)[:limit])
        if not batch:
            break
        progress = False
        for message in batch:
            outcome = deliver(message, now=now)
            sent += outcome == Delivery.SENT
            failed += outcome == Delivery.FAILED
            retried += outcome == Delivery.PENDING
            progress = progress or outcome == Delivery.SENT
        if not progress:
            break
    return {"sent": sent, "failed": failed, "retried": retried}


def deliver(message, now=None):
    """One attempt at one message; returns its delivery state afterwards (None if another worker took it)."""
    now = now or timezone.now()
    attempt = message.attempts + 1
    # The claim: two workers never send the same attempt; the back-off is written first, so a crash waits.
    if not OutgoingMessage.objects.filter(pk=message.pk, delivery=Delivery.PENDING, attempts=message.attempts).update(
            attempts=attempt, next_attempt=now + backoff(attempt)):
        return None
    message.attempts = attempt
    xml = bytes(message.xml)
    try:
        parse(xml)
    except MessageError as error:
        return _finish(message, Delivery.FAILED, f"not sent, not valid ISO 18626: {error}")
    try:
        answer = _post(message.partner, xml)
    except outbound.RefusedAddress as refused:
        log.warning("ISO 18626 message %s refused: %s", message.pk, refused)
        # The stored error names no address (staff read it): the log has the detail.
        return _retry(message, "refused: the address is not public and not in HARVEST_ALLOWED_HOSTS")
    except (OSError, ValueError) as error:  # requests' errors are OSErrors; a bad answer is a ValueError
        return _retry(message, str(error))
    message.confirmation_status = answer.status
    message.confirmation_error = answer.error_type
    if answer.status == MessageStatus.OK:
        return _finish(message, Delivery.SENT, "", sent_at=now)
    return _finish(message, Delivery.FAILED, f"{answer.error_type}: {answer.error_value}")


def _post(partner, xml):
    headers = {"Content-Type": "application/xml; charset=utf-8"}
    if partner.outgoing_token:
        headers["Authorization"] = f"Bearer {partner.outgoing_token}"
    with outbound.session() as session:
        response = session.post(partner.url, data=xml, headers=headers, timeout=TIMEOUT, stream=True,
                                allow_redirects=False)
        body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}")
    try:
        answer = parse(body)
    except MessageError as error:
        raise ValueError(f"the answer is not an ISO 18626 confirmation ({error})") from None
    if not isinstance(answer, Confirmation):
        raise ValueError("the answer is not an ISO 18626 confirmation")
    return answer


def _retry(message, error):
    state = Delivery.FAILED if message.attempts >= MAX_ATTEMPTS else Delivery.PENDING
    return _finish(message, state, error)


def _finish(message, state, error, sent_at=None):
    message.delivery, message.last_error = state, error[:500]
    fields = ["delivery", "last_error", "confirmation_status", "confirmation_error"]
    if sent_at:
        message.sent_at = sent_at
        fields.append("sent_at")
    with transaction.atomic():
        message.save(update_fields=fields)
    return state



def send_again(message, *, user):
    """A failed message queued again (its attempts from zero) by the staff of our side of the request."""
    loan = message.request
    ours = loan.lender if loan.external else loan.borrower
    if ours is None or not permissions.can_keys(user, "change", LoanRequest, ours.scope_keys()):
        raise PermissionDenied(_("Only the staff of %(library)s may send this message again.") % {"library": ours})
    if message.delivery != Delivery.FAILED:
        return False
    message.delivery, message.attempts, message.next_attempt, message.last_error = (
        Delivery.PENDING, 0, timezone.now(), "")
    message.save(update_fields=["delivery", "attempts", "next_attempt", "last_error"])
    return True
