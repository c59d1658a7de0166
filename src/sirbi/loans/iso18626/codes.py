"""The values of ISO 18626: the schema's closed lists (enumerations of ISO-18626-v1_2.xsd) and the open code lists
of the standard's data dictionary that this platform uses (sent with no `scheme` attribute: the standard's own)."""

from enum import StrEnum

VERSION = "1.2"
NAMESPACE = "http://illtransactions.org/2013/iso18626"


class Status(StrEnum):
    """type_status: where a request stands at the supplying agency."""

    REQUEST_RECEIVED = "RequestReceived"
    EXPECT_TO_SUPPLY = "ExpectToSupply"
    WILL_SUPPLY = "WillSupply"
    LOANED = "Loaned"
    OVERDUE = "Overdue"
    RECALLED = "Recalled"
    RETRY_POSSIBLE = "RetryPossible"
    UNFILLED = "Unfilled"
    COPY_COMPLETED = "CopyCompleted"
    LOAN_COMPLETED = "LoanCompleted"
    COMPLETED_WITHOUT_RETURN = "CompletedWithoutReturn"
    CANCELLED = "Cancelled"


class Action(StrEnum):
    """type_action: what a requesting agency tells the supplier."""

    STATUS_REQUEST = "StatusRequest"
    RECEIVED = "Received"
    CANCEL = "Cancel"
    RENEW = "Renew"
    SHIPPED_RETURN = "ShippedReturn"
    SHIPPED_FORWARD = "ShippedForward"
    NOTIFICATION = "Notification"


class ReasonForMessage(StrEnum):
    """type_reasonForMessage: why a supplying agency sends a message."""

    REQUEST_RESPONSE = "RequestResponse"
    STATUS_REQUEST_RESPONSE = "StatusRequestResponse"
    RENEW_RESPONSE = "RenewResponse"
    CANCEL_RESPONSE = "CancelResponse"
    STATUS_CHANGE = "StatusChange"
    NOTIFICATION = "Notification"


class ErrorType(StrEnum):
    """type_errorType: the errors a confirmation reports."""

    UNSUPPORTED_ACTION_TYPE = "UnsupportedActionType"
    UNSUPPORTED_REASON_FOR_MESSAGE_TYPE = "UnsupportedReasonForMessageType"
    UNRECOGNISED_DATA_ELEMENT = "UnrecognisedDataElement"
    UNRECOGNISED_DATA_VALUE = "UnrecognisedDataValue"
    BADLY_FORMED_MESSAGE = "BadlyFormedMessage"


class ServiceType(StrEnum):
    COPY = "Copy"
    LOAN = "Loan"
    COPY_OR_LOAN = "CopyOrLoan"


class RequestType(StrEnum):
    NEW = "New"
    RETRY = "Retry"
    REMINDER = "Reminder"


class MessageStatus(StrEnum):
    OK = "OK"
    ERROR = "ERROR"


# Open code lists of the standard (schemeValuePair values). Unknown values are accepted from partners (the lists
# are open) and kept as sent; these are the ones our pages offer.
REASONS_UNFILLED = ("NotHeld", "NotOnShelf", "NonCirculating", "NotAvailableForILL", "PolicyProblem",
                    "PoorCondition")
REASONS_RETRY = ("AtBindery", "CostExceedsMaxCost", "CourierNotSupp", "MultiVolAvail", "MustMeetLoanCondition",
                 "NotCurrentAvailableForILL", "NotFoundAsCited", "OnLoan", "OnOrder", "ReqDelDateNotPossible",
                 "ReqDelMethodNotSupp", "ReqEditionNotPossible", "ReqFormatNotPossible", "ReqPayMethodNotSupported",
                 "ReqServLevelNotSupp", "ReqServTypeNotPossible")
LOAN_CONDITIONS = ("LibraryUseOnly", "WatchLibraryUseOnly", "NoReproduction", "SignatureRequired",
                   "SpecCollSupervReq")
# The agency id type of our libraries: their ISO 15511 identifier.
AGENCY_ID_TYPE = "ISIL"

TERMINAL = frozenset({Status.UNFILLED, Status.COPY_COMPLETED, Status.LOAN_COMPLETED,
                      Status.COMPLETED_WITHOUT_RETURN, Status.CANCELLED})
