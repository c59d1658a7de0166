"""A library's ILL desk: its requests as borrower (outgoing) and as lender (incoming), what waits for it first."""

from django.db.models import Case, IntegerField, Q, Value, When

from .iso18626.codes import Status
from .iso18626.requester import State
from .models import LoanRequest, RotaEntry

# What waits for the requesting library, and for the lender asked now.
BORROWER_ATTENTION = [State.DRAFT, State.CONDITIONAL, State.SHIPPED, State.OVERDUE, State.RECALLED]
LENDER_ATTENTION = [State.WILL_SUPPLY, State.RETURNED, State.CANCEL_REQUESTED]
UNANSWERED = ["", Status.REQUEST_RECEIVED, Status.EXPECT_TO_SUPPLY]


def attention_q(library):
    return (Q(borrower=library, state__in=BORROWER_ATTENTION) |
            Q(lender=library, state__in=LENDER_ATTENTION) |
            Q(lender=library, state=State.REQUESTED, supplier_status__in=UNANSWERED))


def requests_of(library, *, direction="", state="", attention=False):
    """The library's requests, needing attention first, then the latest changed. `direction`: "out" (it borrows),
    "in" (it was asked to lend), or both."""
    asked = RotaEntry.objects.filter(library=library).exclude(outcome="waiting").values("request_id")
    outgoing, incoming = Q(borrower=library), Q(pk__in=asked)
    where = {"out": outgoing, "in": incoming}.get(direction, outgoing | incoming)
    queryset = LoanRequest.objects.filter(where).with_related().annotate(
        attention=Case(When(attention_q(library), then=Value(1)), default=Value(0), output_field=IntegerField()))
    if state:
        queryset = queryset.filter(state=state)
    if attention:
        queryset = queryset.filter(attention=1)
    return queryset.order_by("-attention", "-updated", "-pk")


EXPORT_COLUMNS = ["request_id", "direction", "title", "isbn", "service_type", "borrower", "lender", "state",
                  "lender_status", "loan_condition", "due_date", "created", "updated", "patron_reference"]


def export_rows(library, queryset):
    for loan in queryset.iterator(chunk_size=500):
        outgoing = loan.borrower_id == library.pk
        yield {"request_id": loan.request_id, "direction": "out" if outgoing else "in", "title": loan.title,
               "isbn": loan.isbn, "service_type": loan.service_type,
               "borrower": loan.borrower.isil or loan.borrower.name,
               "lender": (loan.lender.isil or loan.lender.name) if loan.lender else "", "state": loan.state,
               "lender_status": loan.supplier_status, "loan_condition": loan.loan_condition,
               "due_date": loan.due_date.isoformat() if loan.due_date else "",
               "created": loan.created.isoformat(timespec="seconds"),
               "updated": loan.updated.isoformat(timespec="seconds"),
               # The patron reference is the requesting library's own: never in the lender's file.
               "patron_reference": loan.patron_reference if outgoing else ""}
