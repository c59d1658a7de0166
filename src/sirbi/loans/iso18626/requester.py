"""The requesting agency's state machine: where a request stands for the library that asked, moved by its own
actions (the standard's requester actions and the steps of a rota: send, accept or decline a condition) and by
the supplier's statuses. The standard names the supplier's statuses; these states are the requester's reading of
them, with what the requester did itself (received, shipped back, asked to cancel)."""

from enum import StrEnum

from .codes import Action, Status
from .supplier import TransitionError


class State(StrEnum):
    DRAFT = "draft"                      # being prepared: the rota can be reordered
    REQUESTED = "requested"              # sent to the current lender, waiting for an answer
    CONDITIONAL = "conditional"          # the lender offers to supply with a condition: accept or decline
    WILL_SUPPLY = "will_supply"
    SHIPPED = "shipped"                  # the lender has lent it (Loaned): on its way
    RECEIVED = "received"
    OVERDUE = "overdue"
    RECALLED = "recalled"
    RETURNED = "returned"                # shipped back, waiting for the lender to check it in
    CANCEL_REQUESTED = "cancel_requested"
    COMPLETED = "completed"
    UNFILLED = "unfilled"                # no lender of the rota could supply it
    CANCELLED = "cancelled"


class Step(StrEnum):
    """The requester's steps that are not messages of the standard (they decide what is sent)."""

    SEND = "send"
    ACCEPT = "accept"
    DECLINE = "decline"


FINAL = frozenset({State.COMPLETED, State.UNFILLED, State.CANCELLED})
OPEN = frozenset(State) - FINAL - {State.DRAFT}
# The service moves the request to the next lender of its rota (or ends it as unfilled).
NEXT_LENDER = "next_lender"

# Requester action or step -> (the states it may be taken from, the state it leads to; None: unchanged).
ACTIONS = {
    Step.SEND: ({State.DRAFT}, State.REQUESTED),
    Step.ACCEPT: ({State.CONDITIONAL}, None),       # WillSupply with a condition -> WILL_SUPPLY; Retry -> REQUESTED
    Step.DECLINE: ({State.CONDITIONAL}, NEXT_LENDER),
    Action.CANCEL: ({State.REQUESTED, State.CONDITIONAL, State.WILL_SUPPLY}, State.CANCEL_REQUESTED),
    Action.RECEIVED: ({State.SHIPPED, State.OVERDUE, State.RECALLED}, None),
    Action.RENEW: ({State.RECEIVED, State.OVERDUE}, None),
    Action.SHIPPED_RETURN: ({State.RECEIVED, State.OVERDUE, State.RECALLED}, State.RETURNED),
    Action.STATUS_REQUEST: (OPEN, None),
    Action.NOTIFICATION: (OPEN, None),
}
# ShippedForward (passing the item on to another requester) is not offered by this platform.
UNSUPPORTED = frozenset({Action.SHIPPED_FORWARD})

_WAITING = {State.REQUESTED, State.WILL_SUPPLY, State.CONDITIONAL, State.CANCEL_REQUESTED}
_LENT = {State.SHIPPED, State.RECEIVED, State.OVERDUE, State.RECALLED}
# Supplier status -> (the requester states in which it may arrive, the state it leads to).
ON_STATUS = {
    Status.REQUEST_RECEIVED: ({State.REQUESTED}, State.REQUESTED),
    Status.EXPECT_TO_SUPPLY: ({State.REQUESTED}, State.REQUESTED),
    Status.WILL_SUPPLY: ({State.REQUESTED, State.CONDITIONAL}, State.WILL_SUPPLY),
    Status.RETRY_POSSIBLE: ({State.REQUESTED, State.WILL_SUPPLY}, NEXT_LENDER),
    Status.UNFILLED: (_WAITING, NEXT_LENDER),
    Status.LOANED: ({State.REQUESTED, State.WILL_SUPPLY, State.CANCEL_REQUESTED, State.OVERDUE}, State.SHIPPED),
    Status.COPY_COMPLETED: ({State.REQUESTED, State.WILL_SUPPLY, State.CANCEL_REQUESTED}, State.COMPLETED),
    Status.OVERDUE: ({State.SHIPPED, State.RECEIVED, State.RECALLED}, State.OVERDUE),
    Status.RECALLED: ({State.SHIPPED, State.RECEIVED, State.OVERDUE}, State.RECALLED),
    Status.LOAN_COMPLETED: (_LENT | {State.RETURNED}, State.COMPLETED),
    Status.COMPLETED_WITHOUT_RETURN: (_LENT | {State.RETURNED}, State.COMPLETED),
    Status.CANCELLED: (_WAITING, State.CANCELLED),
}


def take(state, action, *, received=False, supplier_status=None):
    """The requester's state after taking `action` (a standard Action or a Step) in `state`, or TransitionError.
    `received`: the item already reached the requester (an overdue loan renewed goes back to RECEIVED);
    `supplier_status`: what the condition being accepted came with (RetryPossible asks for a new request)."""
    state = State(state)
    if action in UNSUPPORTED:
        raise TransitionError(state, action)
    allowed, result = ACTIONS[action]
    if state not in allowed:
        raise TransitionError(state, action)
    if result is not None:
        return result
    if action == Step.ACCEPT:
        return State.REQUESTED if supplier_status == Status.RETRY_POSSIBLE else State.WILL_SUPPLY
    if action == Action.RECEIVED:
        return State.RECEIVED if state == State.SHIPPED else state
    return state


def on_status(state, status, *, condition="", reason_retry="", received=False):
    """The requester's state after the supplier's `status` arrives in `state`: a State, or NEXT_LENDER (the rota
    moves on). A WillSupply with a loan condition, or a RetryPossible that asks for one (MustMeetLoanCondition),
    waits for the requester to accept or decline."""
    state, status = State(state), Status(status)
    allowed, result = ON_STATUS[status]
    if state not in allowed:
        raise TransitionError(state, status)
    if status == Status.WILL_SUPPLY and condition:
        return State.CONDITIONAL
    if status == Status.RETRY_POSSIBLE and reason_retry == "MustMeetLoanCondition":
        return State.CONDITIONAL
    if status == Status.LOANED and state == State.OVERDUE:
        return State.RECEIVED if received else State.SHIPPED  # renewed
    return result


def after_cancel_refused(status):
    """The supplier refused a cancellation (CancelResponse, answer N): back to what its status says."""
    return State.WILL_SUPPLY if status == Status.WILL_SUPPLY else State.REQUESTED


def actions_from(state):
    """The requester's actions and steps possible in `state` (the requesting library's buttons)."""
    return [action for action, (allowed, _result) in ACTIONS.items() if State(state) in allowed]
