"""The choices of interlibrary loan that are ours (the standard's own values are in iso18626.codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .iso18626.codes import LOAN_CONDITIONS, REASONS_RETRY, REASONS_UNFILLED, Action, Status
from .iso18626.requester import State


class LendsTo(models.TextChoices):
    NETWORK = "network", _("Libraries of the same network")
    COUNTRY = "country", _("Libraries of the same country")
    AGREEMENTS = "agreements", _("Same country and the countries of a partnership agreement")
    MEMBERS = "members", _("Libraries of any member country")


class Delivery(models.TextChoices):
    POST = "post", _("Post")
    COURIER = "courier", _("Courier")
    PICKUP = "pickup", _("Pick-up at the library")
    ELECTRONIC = "electronic", _("Electronic (copies)")


class Cost(models.TextChoices):
    FREE = "free", _("Free between members")
    CHARGED = "charged", _("Charged")


class ServiceType(models.TextChoices):
    LOAN = "Loan", _("Loan of the item")
    COPY = "Copy", _("Copy (pages or an article)")


class RequestState(models.TextChoices):
    DRAFT = State.DRAFT, _("Draft: the rota can be changed")
    REQUESTED = State.REQUESTED, _("Requested: waiting for the lender")
    CONDITIONAL = State.CONDITIONAL, _("Offered with a condition: accept or decline")
    WILL_SUPPLY = State.WILL_SUPPLY, _("Will be supplied")
    SHIPPED = State.SHIPPED, _("Lent and on its way")
    RECEIVED = State.RECEIVED, _("Received")
    OVERDUE = State.OVERDUE, _("Overdue")
    RECALLED = State.RECALLED, _("Recalled by the lender")
    RETURNED = State.RETURNED, _("Shipped back")
    CANCEL_REQUESTED = State.CANCEL_REQUESTED, _("Cancellation asked")
    COMPLETED = State.COMPLETED, _("Completed")
    UNFILLED = State.UNFILLED, _("Unfilled")
    CANCELLED = State.CANCELLED, _("Cancelled")


SUPPLIER_STATUS_LABELS = {
    Status.REQUEST_RECEIVED: _("Request received"),
    Status.EXPECT_TO_SUPPLY: _("Expects to supply"),
    Status.WILL_SUPPLY: _("Will supply"),
    Status.LOANED: _("Loaned"),
    Status.OVERDUE: _("Overdue"),
    Status.RECALLED: _("Recalled"),
    Status.RETRY_POSSIBLE: _("Retry possible"),
    Status.UNFILLED: _("Unfilled"),
    Status.COPY_COMPLETED: _("Copy completed"),
    Status.LOAN_COMPLETED: _("Loan completed"),
    Status.COMPLETED_WITHOUT_RETURN: _("Completed without return"),
    Status.CANCELLED: _("Cancelled"),
}
SupplierStatus = models.TextChoices("SupplierStatus", [(s.value, (s.value, label))
                                                       for s, label in SUPPLIER_STATUS_LABELS.items()])

ACTION_LABELS = {
    Action.STATUS_REQUEST: _("Ask for the status"),
    Action.RECEIVED: _("Received"),
    Action.CANCEL: _("Cancel"),
    Action.RENEW: _("Ask to renew"),
    Action.SHIPPED_RETURN: _("Shipped back"),
    Action.SHIPPED_FORWARD: _("Shipped forward"),
    Action.NOTIFICATION: _("Note to the lender"),
    "send": _("Send to the first lender"),
    "accept": _("Accept the condition"),
    "decline": _("Decline the condition"),
}

REASON_UNFILLED_LABELS = {
    "NotHeld": _("Not held"), "NotOnShelf": _("Not on shelf"), "NonCirculating": _("Does not circulate"),
    "NotAvailableForILL": _("Not available for interlibrary loan"), "PolicyProblem": _("Policy problem"),
    "PoorCondition": _("Poor condition"),
}
LOAN_CONDITION_LABELS = {
    "LibraryUseOnly": _("Use in the library only"), "WatchLibraryUseOnly": _("Supervised use in the library only"),
    "NoReproduction": _("No reproduction"), "SignatureRequired": _("Signature required"),
    "SpecCollSupervReq": _("Special collections supervision required"),
}
assert set(REASON_UNFILLED_LABELS) == set(REASONS_UNFILLED) and set(LOAN_CONDITION_LABELS) == set(LOAN_CONDITIONS)
REASONS_RETRY_OFFERED = ("MustMeetLoanCondition", "OnLoan", "AtBindery", "NotCurrentAvailableForILL",
                         "CostExceedsMaxCost")
assert set(REASONS_RETRY_OFFERED) <= set(REASONS_RETRY)


class RotaReason(models.TextChoices):
    """Why a lender has its place in the rota (the tiers of issue #17 §2)."""

    NETWORK = "network", _("Same network")
    COUNTRY = "country", _("Same country")
    AGREEMENT = "agreement", _("A partnership agreement for loans")
    REGION = "region", _("Elsewhere in the region")


class RotaOutcome(models.TextChoices):
    WAITING = "waiting", _("Not asked yet")
    ASKED = "asked", _("Asked")
    SUPPLYING = "supplying", _("Supplying")
    UNFILLED = "unfilled", _("Could not supply")
    DECLINED = "declined", _("Condition declined")
    TIMED_OUT = "timed_out", _("No answer in time")
    CANCELLED = "cancelled", _("Cancelled")

EXCLUSION_LABELS = {
    "closed": _("The library is closed."),
    "no_policy": _("The library has not stated a lending policy."),
    "no_copies": _("The library does not supply copies."),
    "no_loans": _("The library does not lend returnable items."),
    "not_available": _("Its copies are lost or withdrawn."),
    "lends_to_network": _("It lends only within its network."),
    "lends_to_country": _("It lends only within its country."),
    "lends_to_agreements": _("It lends only within its country and to partnership agreements."),
    "lends_to_members": _("It lends only to member countries."),
}

# The timeline's steps in words: the platform's own steps and the requester's non-standard ones (the standard's
# statuses and actions read as above; their code stays beside the words, as staff know them by it).
STEP_LABELS = {
    "opened": _("Request prepared"),
    "send": _("Sent to the first lender"),
    "accept": _("Condition accepted"),
    "decline": _("Condition declined"),
    "asked": _("Lender asked"),
    "timed_out": _("No answer in time"),
    "rota_ended": _("No lender left in the rota"),
    "due_soon": _("Due date soon"),
    "CancelResponse": _("Answer to the cancellation"),
    "RenewResponse": _("Answer to the renewal"),
    "StatusRequestResponse": _("Answer to the status request"),
}


def step_label(name):
    """A timeline step's name in words, and whether its code is the standard's (then shown beside the words)."""
    standard = name in Status._value2member_map_ or name in Action._value2member_map_ or name.endswith("Response")
    label = STEP_LABELS.get(name) or SUPPLIER_STATUS_LABELS.get(name) or ACTION_LABELS.get(name) or name
    return label, standard
