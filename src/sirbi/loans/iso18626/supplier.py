"""The supplying agency's state machine: which status may follow which, and which of the requester's actions a
supplier accepts in each status (ISO 18626:2017, the status and action tables of the standard)."""

from .codes import TERMINAL, Action, Status


class TransitionError(ValueError):
    """A status or an action that the standard does not allow from the current status."""

    def __init__(self, current, attempted):
        self.current, self.attempted = current, attempted
        super().__init__(f"{attempted} is not allowed after {current or 'no status'}")


_BEFORE_SUPPLY = {Status.EXPECT_TO_SUPPLY, Status.WILL_SUPPLY, Status.LOANED, Status.COPY_COMPLETED, Status.UNFILLED,
                  Status.RETRY_POSSIBLE}
_ON_LOAN_END = {Status.LOAN_COMPLETED, Status.COMPLETED_WITHOUT_RETURN}

# Status -> the statuses a supplier may move to next. None: nothing answered yet (a supplier may answer a request
# with any first status but the ones that need a loan or a cancellation before them).
NEXT = {
    None: {Status.REQUEST_RECEIVED, *_BEFORE_SUPPLY},
    Status.REQUEST_RECEIVED: {*_BEFORE_SUPPLY, Status.CANCELLED},
    Status.EXPECT_TO_SUPPLY: {*(_BEFORE_SUPPLY - {Status.EXPECT_TO_SUPPLY}), Status.CANCELLED},
    # WillSupply is a promise: what may follow is the supply itself, its failure, or the requester's cancellation.
    Status.WILL_SUPPLY: {Status.LOANED, Status.COPY_COMPLETED, Status.UNFILLED, Status.CANCELLED},
    # RetryPossible ends the attempt; the requester's Retry request (accepting a condition) starts it again.
    Status.RETRY_POSSIBLE: {Status.REQUEST_RECEIVED, *(_BEFORE_SUPPLY - {Status.RETRY_POSSIBLE}), Status.CANCELLED},
    Status.LOANED: {Status.OVERDUE, Status.RECALLED, *_ON_LOAN_END},
    # Overdue -> Loaned: the loan was renewed.
    Status.OVERDUE: {Status.LOANED, Status.RECALLED, *_ON_LOAN_END},
    Status.RECALLED: {Status.OVERDUE, *_ON_LOAN_END},
    **{status: set() for status in TERMINAL},
}

# Action -> the supplier statuses in which a requester may send it.
_ANY = {None, *Status}
ACCEPTS = {
    Action.STATUS_REQUEST: _ANY,
    Action.NOTIFICATION: _ANY,
    # Cancel: also before the supplier has answered at all.
    Action.CANCEL: {None, Status.REQUEST_RECEIVED, Status.EXPECT_TO_SUPPLY, Status.WILL_SUPPLY, Status.RETRY_POSSIBLE},
    Action.RECEIVED: {Status.LOANED, Status.OVERDUE, Status.RECALLED},
    Action.RENEW: {Status.LOANED, Status.OVERDUE},
    Action.SHIPPED_RETURN: {Status.LOANED, Status.OVERDUE, Status.RECALLED},
    Action.SHIPPED_FORWARD: {Status.LOANED, Status.OVERDUE},
}


def advance(current, new):
    """The supplier's new status after `current` (None before any), or TransitionError."""
    new = Status(new)
    current = Status(current) if current else None
    if new not in NEXT[current]:
        raise TransitionError(current, new)
    return new


def accepts(current, action):
    """Raise TransitionError unless a supplier in status `current` accepts the requester's `action`."""
    action = Action(action)
    current = Status(current) if current else None
    if current not in ACCEPTS[action]:
        raise TransitionError(current, action)
    return action


def allowed_next(current):
    """The statuses a supplier may choose next (the lender's buttons), in the standard's order."""
    possible = NEXT[Status(current) if current else None]
    return [status for status in Status if status in possible]
