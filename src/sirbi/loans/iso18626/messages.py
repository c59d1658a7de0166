"""ISO 18626 messages: built with the standard library's ElementTree, parsed with defusedxml (no entities, no
external references), checked against the schema (`schema.validate`) before anything reads them."""

import datetime
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from defusedxml import ElementTree as SafeTree
from defusedxml.common import DefusedXmlException

from .codes import AGENCY_ID_TYPE, NAMESPACE, VERSION, ErrorType, MessageStatus
from .schema import SchemaError, local, q, validate

# Both elements and attributes are qualified; "ill" is the prefix partners' examples use.
register_namespace("ill", NAMESPACE)

# Messages larger than this are refused before parsing (a request with its bibliographic data is a few kB).
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class Agency:
    value: str
    type: str = AGENCY_ID_TYPE


@dataclass
class Header:
    supplying: Agency
    requesting: Agency
    timestamp: datetime.datetime
    request_id: str                    # requestingAgencyRequestId: the requester's identifier of the request
    supplying_request_id: str = ""
    multiple_item_request_id: str = ""


@dataclass
class Request:
    header: Header
    title: str = ""
    author: str = ""
    isbns: list = field(default_factory=list)
    record_id: str = ""                # supplierUniqueRecordId: the lender's own record, when known
    pages: str = ""
    service_type: str = "Loan"
    request_type: str = "New"
    need_before: datetime.datetime | None = None
    note: str = ""
    previous_request_id: str = ""


@dataclass
class SupplyingAgencyMessage:
    header: Header
    reason_for_message: str
    status: str
    last_change: datetime.datetime
    answer: str = ""                   # answerYesNo: Y or N (to a cancellation or a renewal)
    note: str = ""
    reason_unfilled: str = ""
    reason_retry: str = ""
    due_date: datetime.datetime | None = None
    expected_delivery: datetime.datetime | None = None
    loan_condition: str = ""
    date_sent: datetime.datetime | None = None


@dataclass
class RequestingAgencyMessage:
    header: Header
    action: str
    note: str = ""


@dataclass
class Confirmation:
    kind: str                          # requestConfirmation, supplyingAgencyMessageConfirmation, ...
    status: str
    header: Header | None = None
    timestamp_received: datetime.datetime | None = None
    error_type: str = ""
    error_value: str = ""
    reason_for_message: str = ""
    action: str = ""


class MessageError(Exception):
    """A message that cannot be accepted, with the standard's error type and value for the confirmation; `kind`
    is the message's type when it could be read (the confirmation answers it in kind)."""

    def __init__(self, error_type, value, kind="", header=None):
        self.error_type, self.value, self.kind, self.header = ErrorType(error_type), value, kind, header
        super().__init__(f"{error_type}: {value}")


# Building ----------------------------------------------------------------------------------------------------

def timestamp(moment):
    """xs:dateTime, in UTC, to the second."""
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _add(parent, name, text=None, scheme=None):
    child = SubElement(parent, q(name))
    if text is not None:
        child.text = str(text)
    if scheme:
        child.set(q("scheme"), scheme)
    return child


def _agency(parent, name, agency):
    element = _add(parent, name)
    _add(element, "agencyIdType", agency.type)
    _add(element, "agencyIdValue", agency.value)


def _header(parent, header):
    element = _add(parent, "header")
    _agency(element, "supplyingAgencyId", header.supplying)
    _agency(element, "requestingAgencyId", header.requesting)
    _add(element, "multipleItemRequestId", header.multiple_item_request_id)
    _add(element, "timestamp", timestamp(header.timestamp))
    _add(element, "requestingAgencyRequestId", header.request_id)
    if header.supplying_request_id:
        _add(element, "supplyingAgencyRequestId", header.supplying_request_id)


def _envelope():
    return Element(q("ISO18626Message"), {q("version"): VERSION})


def _serialise(root):
    return tostring(root, encoding="utf-8", xml_declaration=True)


def build(message):
    """The XML (bytes) of a Request, SupplyingAgencyMessage, RequestingAgencyMessage or Confirmation."""
    root = _envelope()
    if isinstance(message, Confirmation):
        _confirmation(root, message)
    elif isinstance(message, Request):
        body = _add(root, "request")
        _header(body, message.header)
        bib = _add(body, "bibliographicInfo")
        for name, value in (("supplierUniqueRecordId", message.record_id), ("title", message.title),
                            ("author", message.author), ("pagesRequested", message.pages)):
            if value:
                _add(bib, name, value)
        for isbn in message.isbns:
            item = _add(bib, "bibliographicItemId")
            _add(item, "bibliographicItemIdentifier", isbn)
            _add(item, "bibliographicItemIdentifierCode", "ISBN")
        service = _add(body, "serviceInfo")
        _add(service, "requestType", message.request_type)
        if message.previous_request_id:
            _add(service, "requestingAgencyPreviousRequestId", message.previous_request_id)
        _add(service, "serviceType", message.service_type)
        if message.need_before:
            _add(service, "needBeforeDate", timestamp(message.need_before))
        if message.note:
            _add(service, "note", message.note)
    elif isinstance(message, SupplyingAgencyMessage):
        body = _add(root, "supplyingAgencyMessage")
        _header(body, message.header)
        info = _add(body, "messageInfo")
        _add(info, "reasonForMessage", message.reason_for_message)
        if message.answer:
            _add(info, "answerYesNo", message.answer)
        if message.note:
            _add(info, "note", message.note)
        if message.reason_unfilled:
            _add(info, "reasonUnfilled", message.reason_unfilled)
        if message.reason_retry:
            _add(info, "reasonRetry", message.reason_retry)
        status = _add(body, "statusInfo")
        _add(status, "status", message.status)
        if message.expected_delivery:
            _add(status, "expectedDeliveryDate", timestamp(message.expected_delivery))
        if message.due_date:
            _add(status, "dueDate", timestamp(message.due_date))
        _add(status, "lastChange", timestamp(message.last_change))
        if message.loan_condition or message.date_sent:
            delivery = _add(body, "deliveryInfo")
            _add(delivery, "dateSent", timestamp(message.date_sent or message.last_change))
            if message.loan_condition:
                _add(delivery, "loanCondition", message.loan_condition)
    elif isinstance(message, RequestingAgencyMessage):
        body = _add(root, "requestingAgencyMessage")
        _header(body, message.header)
        _add(body, "action", message.action)
        if message.note:
            _add(body, "note", message.note)
    else:
        raise TypeError(type(message))
    return _serialise(root)


def _confirmation(root, message):
    body = _add(root, message.kind)
    head = _add(body, "confirmationHeader")
    if message.header:
        _agency(head, "supplyingAgencyId", message.header.supplying)
        _agency(head, "requestingAgencyId", message.header.requesting)
    _add(head, "timestamp", timestamp(datetime.datetime.now(datetime.UTC)))
    if message.header and message.header.request_id:
        _add(head, "requestingAgencyRequestId", message.header.request_id)
    _add(head, "timestampReceived", timestamp(message.timestamp_received or datetime.datetime.now(datetime.UTC)))
    _add(head, "messageStatus", message.status)
    if message.kind == "supplyingAgencyMessageConfirmation" and message.reason_for_message:
        _add(body, "reasonForMessage", message.reason_for_message)
    if message.kind == "requestingAgencyMessageConfirmation" and message.action:
        _add(body, "action", message.action)
    if message.status == MessageStatus.ERROR:
        error = _add(body, "errorData")
        _add(error, "errorType", message.error_type)
        if message.error_value:
            _add(error, "errorValue", message.error_value[:500])


# Parsing -----------------------------------------------------------------------------------------------------

def _text(element, *path):
    for name in path:
        if element is None:
            return ""
        element = element.find(q(name))
    return (element.text or "").strip() if element is not None else ""


def _moment(text):
    if not text:
        return None
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _read_agency(element, name):
    return Agency(type=_text(element, name, "agencyIdType"), value=_text(element, name, "agencyIdValue"))


def _read_header(body):
    head = body.find(q("header"))
    return Header(supplying=_read_agency(head, "supplyingAgencyId"),
                  requesting=_read_agency(head, "requestingAgencyId"), timestamp=_moment(_text(head, "timestamp")),
                  request_id=_text(head, "requestingAgencyRequestId"),
                  supplying_request_id=_text(head, "supplyingAgencyRequestId"),
                  multiple_item_request_id=_text(head, "multipleItemRequestId"))


def parse(data):
    """A message from bytes: Request, SupplyingAgencyMessage, RequestingAgencyMessage or Confirmation; MessageError
    (with the standard's error type) when it is not well-formed, not ISO 18626, or not valid against the schema."""
    if len(data) > MAX_BYTES:
        raise MessageError(ErrorType.BADLY_FORMED_MESSAGE, f"larger than {MAX_BYTES} bytes")
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except (SafeTree.ParseError, DefusedXmlException, ValueError) as error:
        raise MessageError(ErrorType.BADLY_FORMED_MESSAGE, str(error)[:200]) from None
    body = root[0] if len(root) else None
    kind = local(body.tag) if body is not None else ""
    try:
        validate(root)
    except SchemaError as error:
        header = None
        if kind in ("request", "supplyingAgencyMessage", "requestingAgencyMessage"):
            try:
                header = _read_header(body)
            except (AttributeError, ValueError):
                header = None
        raise MessageError(error.error_type, error.value, kind, header) from None
    if kind == "request":
        bib, service = body.find(q("bibliographicInfo")), body.find(q("serviceInfo"))
        return Request(
            header=_read_header(body), title=_text(bib, "title"), author=_text(bib, "author"),
            record_id=_text(bib, "supplierUniqueRecordId"), pages=_text(bib, "pagesRequested"),
            isbns=[_text(item, "bibliographicItemIdentifier") for item in bib.findall(q("bibliographicItemId"))
                   if _text(item, "bibliographicItemIdentifierCode").upper() == "ISBN"],
            service_type=_text(service, "serviceType") or "Loan", request_type=_text(service, "requestType") or "New",
            need_before=_moment(_text(service, "needBeforeDate")), note=_text(service, "note"),
            previous_request_id=_text(service, "requestingAgencyPreviousRequestId"))
    if kind == "supplyingAgencyMessage":
        info, status = body.find(q("messageInfo")), body.find(q("statusInfo"))
        delivery = body.find(q("deliveryInfo"))
        return SupplyingAgencyMessage(
            header=_read_header(body), reason_for_message=_text(info, "reasonForMessage"),
            answer=_text(info, "answerYesNo"), note=_text(info, "note"),
            reason_unfilled=_text(info, "reasonUnfilled"), reason_retry=_text(info, "reasonRetry"),
            status=_text(status, "status"), due_date=_moment(_text(status, "dueDate")),
            expected_delivery=_moment(_text(status, "expectedDeliveryDate")),
            last_change=_moment(_text(status, "lastChange")), loan_condition=_text(delivery, "loanCondition"),
            date_sent=_moment(_text(delivery, "dateSent")))
    if kind == "requestingAgencyMessage":
        return RequestingAgencyMessage(header=_read_header(body), action=_text(body, "action"),
                                       note=_text(body, "note"))
    head = body.find(q("confirmationHeader"))
    return Confirmation(kind=kind, status=_text(head, "messageStatus"),
                        timestamp_received=_moment(_text(head, "timestampReceived")),
                        error_type=_text(body, "errorData", "errorType"),
                        error_value=_text(body, "errorData", "errorValue"),
                        reason_for_message=_text(body, "reasonForMessage"), action=_text(body, "action"))


CONFIRMATION_OF = {"request": "requestConfirmation",
                   "supplyingAgencyMessage": "supplyingAgencyMessageConfirmation",
                   "requestingAgencyMessage": "requestingAgencyMessageConfirmation"}


def kind_of(message):
    return {Request: "request", SupplyingAgencyMessage: "supplyingAgencyMessage",
            RequestingAgencyMessage: "requestingAgencyMessage"}[type(message)]
