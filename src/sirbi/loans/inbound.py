"""ISO 18626 messages from libraries on other systems (POST /iso18626): each is authenticated by its partner's
token, parsed safely and checked against the schema, matched to its request and to the partner's side of it, and
applied through the same services as the pages; the answer is the standard's confirmation. A message delivered
twice changes nothing the second time (its key is kept with the step it made)."""

import datetime
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from sirbi.registry.models import Library

from . import plain, services
from .choices import RotaOutcome
from .iso18626.codes import AGENCY_ID_TYPE, Action, ErrorType, MessageStatus, ReasonForMessage, RequestType, Status
from .iso18626.messages import (
    CONFIRMATION_OF,
    Agency,
    Confirmation,
    MessageError,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
    build,
    kind_of,
    parse,
)
from .iso18626.requester import State, Step
from .models import LoanRequest, RotaEntry, Transition, hash_token


class Refused(Exception):
    def __init__(self, error_type, value):
        self.error_type, self.value = ErrorType(error_type), value
        super().__init__(value)


# What a message's handling reads of the libraries it names (the name for notices, the ISIL for agencies, the
# country for the change log): a whole library with its country is twice the cost of the read (ill_flow.py).
LIBRARY_FIELDS = ("name", "isil")  # and the country's code


def partner_for(token):
    """The active partner endpoint whose token this is, or None."""
    if not token:
        return None
    partner = plain.partner_by_token(hash_token(token), LIBRARY_FIELDS)
    if partner is None or not partner.token_matches(token):
        return None
    partner.library.iso18626_endpoint = partner  # the library's endpoint is this one (the outbox asks for it)
    return partner


def message_key(partner, message):
    """What makes a message the same message: its partner, type, request, timestamp and content of the step."""
    header = message.header
    parts = [str(partner.pk), kind_of(message), header.request_id, header.timestamp.isoformat()]
    if isinstance(message, SupplyingAgencyMessage):
        parts += [message.reason_for_message, message.status, message.answer]
    elif isinstance(message, RequestingAgencyMessage):
        parts += [message.action]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def receive(body, partner, now=None):
    """The confirmation (XML bytes) for a message `body` from an authenticated `partner`."""
    now = now or timezone.now()
    try:
        message = parse(body)
    except MessageError as error:
        return _confirm(error.kind or "request", error.header, now, error.error_type, error.value)
    if isinstance(message, Confirmation):
        return _confirm("request", None, now, ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE,
                        "a confirmation is an answer, not a message to send here")
    kind = kind_of(message)
    try:
        with transaction.atomic():
            if isinstance(message, Request):
                _request(message, partner, now)
            else:
                key = message_key(partner, message)
                if not services.message_seen(key):
                    if isinstance(message, SupplyingAgencyMessage):
                        _supplying(message, partner, key, now)
                    else:
                        _requesting(message, partner, key, now)
    except Refused as refused:
        return _confirm(kind, message.header, now, refused.error_type, refused.value, message)
    except PermissionDenied as denied:
        return _confirm(kind, message.header, now, ErrorType.UNRECOGNISED_DATA_VALUE, str(denied), message)
    except services.LoanError as error:
        attempted = getattr(error.transition_error, "attempted", "")
        error_type = (ErrorType.UNSUPPORTED_ACTION_TYPE if isinstance(message, RequestingAgencyMessage)
                      else ErrorType.UNRECOGNISED_DATA_VALUE)
        return _confirm(kind, message.header, now, error_type, f"{attempted}: {error}"[:500], message)
    except IntegrityError:
        # The same message delivered twice at once: the second lost the race on its key, and changes nothing.
        pass
    return _confirm(kind, message.header, now, None, "", message)


def _confirm(kind, header, now, error_type, value, message=None):
    answer = Confirmation(kind=CONFIRMATION_OF.get(kind, "requestConfirmation"),
                          status=MessageStatus.ERROR if error_type else MessageStatus.OK, header=header,
                          timestamp_received=now, error_type=error_type or "", error_value=value or "")
    if isinstance(message, SupplyingAgencyMessage):
        answer.reason_for_message = message.reason_for_message
    if isinstance(message, RequestingAgencyMessage):
        answer.action = message.action
    return build(answer)


def _ours(agency, field):
    """The library of this platform an agency id names (by ISIL)."""
    library = Library.objects.filter(isil__iexact=agency.value).select_related("country").first() \
        if agency.type.upper() == AGENCY_ID_TYPE else None
    if library is None:
        raise Refused(ErrorType.UNRECOGNISED_DATA_VALUE, f"{field}: {agency.value}")
    return library


def _is_partner(agency, partner, field):
    if agency != Agency(partner.agency_id, partner.agency_id_type):
        raise Refused(ErrorType.UNRECOGNISED_DATA_VALUE, f"{field}: {agency.value} is not this token's agency")


def _loan(message, **match):
    """The request a message names (matched to the partner's side), or refused. Only its keys are read: the
    services read it again, locked."""
    loan = LoanRequest.objects.filter(request_id=message.header.request_id, **match).only(
        "borrower", "lender").first()
    if loan is None:
        raise Refused(ErrorType.UNRECOGNISED_DATA_VALUE, f"requestingAgencyRequestId: {message.header.request_id}")
    return loan


def _request(message, partner, now):
    """A partner library asks one of ours: a request of theirs with a rota of one (the library they asked).
    The same request sent again (same identifier, same partner) is confirmed and changes nothing."""
    _is_partner(message.header.requesting, partner, "requestingAgencyId")
    lender = _ours(message.header.supplying, "supplyingAgencyId")
    if message.request_type == RequestType.RETRY:
        # Accepting a condition: the previous request, sent anew.
        loan = _loan(message, borrower=partner.library) if not message.previous_request_id else (
            LoanRequest.objects.filter(request_id=message.previous_request_id, borrower=partner.library).first())
        if loan is None:
            raise Refused(ErrorType.UNRECOGNISED_DATA_VALUE, "requestingAgencyPreviousRequestId")
        if loan.state == State.CONDITIONAL:
            services.act(loan, Step.ACCEPT, partner=partner, via=Transition.Via.ISO18626, now=now)
        return
    existing = LoanRequest.objects.filter(request_id=message.header.request_id).first()
    if existing is not None:
        if existing.borrower_id != partner.library_id:
            raise Refused(ErrorType.UNRECOGNISED_DATA_VALUE,
                          f"requestingAgencyRequestId: {message.header.request_id} is taken")
        return
    loan = LoanRequest.objects.create(
        borrower=partner.library, title=(message.title or message.record_id or "?")[:500],
        author=message.author[:300], isbn=(message.isbns or [""])[0][:20],
        service_type="Copy" if message.service_type == "Copy" else "Loan", pages=message.pages[:300],
        needed_before=message.need_before.date() if message.need_before else None, note=message.note[:500],
        request_id=message.header.request_id[:80], external=True)
    RotaEntry.objects.create(request=loan, library=lender, position=1, reason="region",
                             detail={"asked_by_partner": partner.agency_id})
    services.timeline(loan, Transition.Side.REQUESTER, "opened", "", loan.state, library=partner.library,
                       via=Transition.Via.ISO18626, now=now)
    services.act(loan, Step.SEND, partner=partner, via=Transition.Via.ISO18626, now=now)


def _supplying(message, partner, key, now):
    """A partner library that we asked answers (or changes its status)."""
    _is_partner(message.header.supplying, partner, "supplyingAgencyId")
    requesting = message.header.requesting
    # The request asked of this partner now, with its borrower, in one read (the services need not read them
    # again); when there is none, which of the agency and the request is unknown is told apart below.
    loan = plain.asked_of(message.header.request_id, requesting.value, partner.library_id, LIBRARY_FIELDS) if (
        requesting.type.upper() == AGENCY_ID_TYPE) else None
    if loan is None:
        borrower = _ours(requesting, "requestingAgencyId")
        if message.reason_for_message == ReasonForMessage.CANCEL_RESPONSE and _passed_over(message, borrower,
                                                                                           partner):
            return
        loan = _loan(message, borrower=borrower, lender=partner.library)
    loan.lender = partner.library
    due = message.due_date.date() if isinstance(message.due_date, datetime.datetime) else None
    status = Status(message.status)
    services.respond(loan, status, partner=partner, reason_for_message=message.reason_for_message,
                     reason_unfilled=message.reason_unfilled, reason_retry=message.reason_retry,
                     loan_condition=message.loan_condition, due_date=due, answer=message.answer,
                     note=message.note[:1000], via=Transition.Via.ISO18626, message_key=key, now=now)


def _passed_over(message, borrower, partner):
    """A partner lender answers the Cancel we sent when our borrower declined its condition or stopped waiting for
    it: the request has moved on (another lender, or ended); the answer is recorded, and changes nothing."""
    loan = LoanRequest.objects.filter(request_id=message.header.request_id, borrower=borrower).first()
    if loan is None or loan.lender_id == partner.library_id or not loan.rota.filter(
            library=partner.library, outcome__in=[RotaOutcome.DECLINED, RotaOutcome.TIMED_OUT]).exists():
        return False
    services.timeline(loan, Transition.Side.SUPPLIER, "CancelResponse", loan.state, loan.state,
                      library=partner.library, via=Transition.Via.ISO18626, answer=message.answer,
                      note=message.note[:1000], message_key=message_key(partner, message),
                      now=message.header.timestamp)
    return True


def _requesting(message, partner, key, now):
    """A partner library that asked one of ours tells what it did (received, shipped back, cancel...)."""
    _is_partner(message.header.requesting, partner, "requestingAgencyId")
    lender = _ours(message.header.supplying, "supplyingAgencyId")
    loan = _loan(message, borrower=partner.library)
    loan.borrower = partner.library
    if loan.lender_id == lender.pk:
        loan.lender = lender
    if not loan.rota.filter(library=lender).exclude(outcome=RotaOutcome.WAITING).exists():
        raise Refused(ErrorType.UNRECOGNISED_DATA_VALUE, f"supplyingAgencyId: {lender.isil} was not asked")
    services.act(loan, Action(message.action), partner=partner, note=message.note[:1000],
                 via=Transition.Via.ISO18626, message_key=key, now=now)
