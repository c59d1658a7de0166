"""The content model of ISO-18626-v1_2.xsd, written down as data, and a check of a parsed message against it.

The endpoint validates every message it receives against the schema without reading the schema file at run time
(the official XSD lives beside the repository, in the shared standards folder, and the tests check that this
model and the XSD give the same verdict: tests/loans/test_iso18626_schema.py). Each element's children are a
sequence of (name, minimum, maximum, type); the type is a simple type below or "@" (an element of its own).
Both the elements and the attributes of the schema are namespace-qualified (elementFormDefault and
attributeFormDefault "qualified"): the message's `version` and a code's `scheme` carry the namespace too.
"""

import datetime
import decimal
import re

from .codes import NAMESPACE, Action, ErrorType, MessageStatus, ReasonForMessage, RequestType, ServiceType, Status

N = None  # unbounded


class SchemaError(ValueError):
    """What is wrong with a message, as the standard's error type and a value naming the place."""

    def __init__(self, error_type, value):
        self.error_type, self.value = ErrorType(error_type), value
        super().__init__(f"{error_type}: {value}")


REQUEST_SUBTYPES = ("BookingRequest", "MultipleItemRequest", "PatronRequest", "TransferRequest",
                    "SupplyingLibrarysChoice")
_AGENCY = [("agencyIdType", 1, 1, "svp"), ("agencyIdValue", 1, 1, "str")]
_COSTS = [("currencyCode", 1, 1, "svp"), ("monetaryValue", 1, 1, "decimal")]

ELEMENTS = {
    "ISO18626Message": [("|", ["request", "requestConfirmation", "supplyingAgencyMessage",
                               "supplyingAgencyMessageConfirmation", "requestingAgencyMessage",
                               "requestingAgencyMessageConfirmation"])],
    "request": [("header", 1, 1, "@"), ("bibliographicInfo", 1, 1, "@"), ("publicationInfo", 0, 1, "@"),
                ("serviceInfo", 0, 1, "@"), ("supplierInfo", 0, N, "@"), ("requestedDeliveryInfo", 0, N, "@"),
                ("requestingAgencyInfo", 0, 1, "@"), ("patronInfo", 0, 1, "@"), ("billingInfo", 0, 1, "@")],
    "requestConfirmation": [("confirmationHeader", 1, 1, "@"), ("errorData", 0, 1, "@")],
    "supplyingAgencyMessage": [("header", 1, 1, "@"), ("messageInfo", 1, 1, "@"), ("statusInfo", 1, 1, "@"),
                               ("deliveryInfo", 0, 1, "@"), ("returnInfo", 0, 1, "@")],
    "supplyingAgencyMessageConfirmation": [("confirmationHeader", 1, 1, "@"),
                                           ("reasonForMessage", 0, 1, ReasonForMessage), ("errorData", 0, 1, "@")],
    "requestingAgencyMessage": [("header", 1, 1, "@"), ("action", 1, 1, Action), ("note", 0, 1, "str")],
    "requestingAgencyMessageConfirmation": [("confirmationHeader", 1, 1, "@"), ("action", 0, 1, Action),
                                            ("errorData", 0, 1, "@")],
    "address": [("|", ["electronicAddress", "physicalAddress"])],
    "bibliographicItemId": [("bibliographicItemIdentifier", 1, 1, "str"),
                            ("bibliographicItemIdentifierCode", 1, 1, "svp")],
    "bibliographicInfo": [*((name, 0, 1, "str") for name in (
        "supplierUniqueRecordId", "title", "author", "subtitle", "seriesTitle", "edition", "titleOfComponent",
        "authorOfComponent", "volume", "issue", "pagesRequested", "estimatedNoPages")),
        ("bibliographicItemId", 0, N, "@"), ("sponsor", 0, 1, "str"), ("informationSource", 0, 1, "str"),
        ("bibliographicRecordId", 0, N, "@")],
    "bibliographicRecordId": [("bibliographicRecordIdentifierCode", 1, 1, "svp"),
                              ("bibliographicRecordIdentifier", 1, 1, "str")],
    "billingInfo": [("paymentMethod", 0, 1, "svp"), ("maximumCosts", 0, 1, _COSTS), ("billingMethod", 0, 1, "svp"),
                    ("billingName", 0, 1, "str"), ("address", 0, 1, "@")],
    "confirmationHeader": [("supplyingAgencyId", 0, 1, "@"), ("requestingAgencyId", 0, 1, "@"),
                           ("timestamp", 1, 1, "@"), ("requestingAgencyRequestId", 0, 1, "@"),
                           ("multipleItemRequestId", 0, 1, "@"), ("timestampReceived", 1, 1, "@"),
                           ("messageStatus", 1, 1, MessageStatus)],
    "deliveryInfo": [("dateSent", 1, 1, "dateTime"), ("itemId", 0, 1, "str"), ("sentVia", 0, 1, "svp"),
                     ("sentToPatron", 0, 1, "boolean"), ("loanCondition", 0, 1, "svp"),
                     ("deliveredFormat", 0, 1, "svp"), ("deliveryCosts", 0, 1, _COSTS)],
    "electronicAddress": [("electronicAddressType", 1, 1, "svp"), ("electronicAddressData", 1, 1, "str")],
    "errorData": [("errorType", 1, 1, ErrorType), ("errorValue", 0, 1, "str")],
    "header": [("supplyingAgencyId", 1, 1, "@"), ("requestingAgencyId", 1, 1, "@"),
               ("multipleItemRequestId", 1, 1, "@"), ("timestamp", 1, 1, "@"),
               ("requestingAgencyRequestId", 1, 1, "@"), ("supplyingAgencyRequestId", 0, 1, "@"),
               ("requestingAgencyAuthentication", 0, 1, "@")],
    "messageInfo": [("reasonForMessage", 1, 1, ReasonForMessage), ("answerYesNo", 0, 1, "yesNo"),
                    ("note", 0, 1, "str"), ("reasonUnfilled", 0, 1, "svp"), ("reasonRetry", 0, 1, "svp"),
                    ("offeredCosts", 0, 1, _COSTS), ("retryAfter", 0, 1, "dateTime"),
                    ("retryBefore", 0, 1, "dateTime")],
    "patronInfo": [("patronId", 0, 1, "str"), ("surname", 0, 1, "str"), ("givenName", 0, 1, "str"),
                   ("patronType", 0, 1, "svp"), ("sendToPatron", 0, 1, "yesNo"), ("address", 0, N, "@")],
    "physicalAddress": [("line1", 0, 1, "str"), ("line2", 0, 1, "str"), ("locality", 0, 1, "str"),
                        ("postalCode", 0, 1, "str"), ("region", 0, 1, "svp"), ("country", 0, 1, "svp")],
    "publicationInfo": [("publisher", 0, 1, "str"), ("publicationType", 0, 1, "svp"),
                        ("publicationDate", 0, 1, "str"), ("placeOfPublication", 0, 1, "str")],
    "requestedDeliveryInfo": [("sortOrder", 0, 1, "integer"), ("address", 0, 1, "@")],
    "requestingAgencyAuthentication": [("accountId", 0, 1, "str"), ("securityCode", 0, 1, "str")],
    "requestingAgencyInfo": [("name", 0, 1, "str"), ("contactName", 0, 1, "str"), ("address", 0, N, "@")],
    "returnInfo": [("returnAgencyId", 0, 1, _AGENCY), ("name", 0, 1, "str"), ("physicalAddress", 0, 1, "@")],
    "serviceInfo": [("requestType", 0, 1, RequestType), ("requestSubType", 0, 3, REQUEST_SUBTYPES),
        ("requestingAgencyPreviousRequestId", 0, 1, "str"), ("serviceType", 1, 1, ServiceType),
        ("serviceLevel", 0, 1, "svp"), ("preferredFormat", 0, 1, "svp"), ("needBeforeDate", 0, 1, "dateTime"),
        ("copyrightCompliance", 0, 1, "svp"), ("anyEdition", 0, 1, "yesNo"), ("startDate", 0, 1, "dateTime"),
        ("endDate", 0, 1, "dateTime"), ("note", 0, 1, "str")],
    "statusInfo": [("status", 1, 1, Status), ("expectedDeliveryDate", 0, 1, "dateTime"),
                   ("dueDate", 0, 1, "dateTime"), ("lastChange", 1, 1, "dateTime")],
    "supplierInfo": [("sortOrder", 0, 1, "integer"), ("supplierCode", 0, 1, _AGENCY),
                     ("supplierDescription", 0, 1, "str"), ("bibliographicRecordId", 0, 1, "@"),
                     ("callNumber", 0, 1, "str"), ("summaryHoldings", 0, 1, "str"), ("availabilityNote", 0, 1, "str")],
    # Global simple elements and agency ids (referenced with "@").
    "supplyingAgencyId": _AGENCY,
    "requestingAgencyId": _AGENCY,
    "multipleItemRequestId": "str",
    "requestingAgencyRequestId": "str",
    "supplyingAgencyRequestId": "str",
    "timestamp": "dateTime",
    "timestampReceived": "dateTime",
}
KNOWN = {name for name in ELEMENTS} | {item[0] for children in ELEMENTS.values() if isinstance(children, list)
                                        for item in children if item[0] != "|"}
# An unknown value of these is its own error type; of any other closed list, UnrecognisedDataValue.
_VALUE_ERRORS = {Action: ErrorType.UNSUPPORTED_ACTION_TYPE,
                 ReasonForMessage: ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE}
_DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def q(name):
    return f"{{{NAMESPACE}}}{name}"


def local(tag):
    namespace, _brace, name = tag.rpartition("}")
    return name if namespace == "{" + NAMESPACE else None


def validate(root):
    """Check a parsed message (an ElementTree element) against the schema; raise SchemaError at the first fault."""
    if local(root.tag) != "ISO18626Message":
        raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, f"root element {root.tag}")
    if root.get(q("version")) is None:
        raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, "ISO18626Message/@version")
    _check(root, "@", "ISO18626Message")


def _check(element, kind, path):
    if isinstance(kind, str) and kind == "@":
        kind = ELEMENTS[local(element.tag)]
    for attribute in element.attrib:
        allowed = {q("version")} if path == "ISO18626Message" else {q("scheme")} if kind == "svp" else set()
        if attribute not in allowed:
            raise SchemaError(ErrorType.UNRECOGNISED_DATA_ELEMENT, f"{path}/@{attribute}")
    if isinstance(kind, list):
        _check_children(element, kind, path)
    else:
        if len(element):
            raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, f"{path} holds elements")
        text = element.text or ""
        # The schema's dates and numbers collapse white space; strings and their enumerations keep it.
        _check_value(text.strip() if kind in ("dateTime", "integer", "decimal", "boolean") else text, kind, path)


def _check_children(element, sequence, path):
    children = list(element)
    for child in children:
        name = local(child.tag)
        if name is None or name not in KNOWN:
            raise SchemaError(ErrorType.UNRECOGNISED_DATA_ELEMENT, f"{path}/{child.tag}")
    if (element.text or "").strip():
        raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, f"{path} holds text")
    position = 0
    for item in sequence:
        if item[0] == "|":
            names = item[1]
            if position >= len(children) or local(children[position].tag) not in names:
                raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, f"{path}: one of {', '.join(names)}")
            _check(children[position], "@", f"{path}/{local(children[position].tag)}")
            position += 1
            continue
        name, low, high, kind = item
        count = 0
        while position < len(children) and local(children[position].tag) == name:
            count += 1
            if high is not None and count > high:
                raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, f"{path}/{name} repeated")
            _check(children[position], kind, f"{path}/{name}")
            position += 1
        if count < low:
            raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, f"{path}/{name} missing")
    if position < len(children):
        raise SchemaError(ErrorType.BADLY_FORMED_MESSAGE, f"{path}/{local(children[position].tag)} out of place")


def _check_value(text, kind, path):
    try:
        if kind in ("str", "svp"):
            return
        if kind == "dateTime":
            if not _DATETIME.fullmatch(text):
                raise ValueError(text)
            datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        elif kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(text)
        elif kind == "decimal":
            if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
                raise ValueError(text)
            decimal.Decimal(text)
        elif kind == "boolean":
            if text not in ("true", "false", "1", "0"):
                raise ValueError(text)
        elif kind == "yesNo":
            if text not in ("Y", "N"):
                raise ValueError(text)
        elif isinstance(kind, tuple):
            if text not in kind:
                raise ValueError(text)
        else:
            kind(text)
    except ValueError:
        error = _VALUE_ERRORS.get(kind, ErrorType.UNRECOGNISED_DATA_VALUE)
        raise SchemaError(error, f"{path}: {text[:100]}") from None
