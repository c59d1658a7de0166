"""Who interlibrary loan tells about what: the staff of the library a step concerns (never other libraries' staff,
never a partner system's people: partners hear through ISO 18626 messages). The telling — a stored notice, e-mailed
at once, in the weekly digest or not at all, as each person chose — is core.notifications, after the step's
transaction commits (a refused step tells nobody)."""

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sirbi.core.models import User
from sirbi.core.notifications import notify

from . import plain
from .iso18626.codes import Status
from .iso18626.requester import State

DUE_SOON_DAYS = 3


def _day(value):
    return date_format(value, "SHORT_DATE_FORMAT") if value else "-"


def _borrower_side(loan, step):
    """What the requesting library is told (its staff), as (subject, body), or None."""
    status = step.supplier_status or step.name
    title = loan.title[:80]
    if step.state_after == State.CONDITIONAL and step.state_before != State.CONDITIONAL:
        return (_("A condition to answer: %(title)s") % {"title": title},
                _("%(library)s will supply it on a condition (%(condition)s): accept or decline it.") % {
                    "library": loan.lender, "condition": loan.loan_condition or step.reason})
    if status in (Status.LOANED, Status.COPY_COMPLETED) and step.name == status:
        return (_("Shipped to you: %(title)s") % {"title": title},
                _("%(library)s sent it.") % {"library": loan.lender})
    if status == Status.OVERDUE:
        return (_("Overdue: %(title)s") % {"title": title},
                _("It was due back on %(date)s.") % {"date": _day(loan.due_date)})
    if status == Status.RECALLED:
        return (_("Recalled by the lender: %(title)s") % {"title": title},
                _("%(library)s asks for it back.") % {"library": loan.lender})
    if step.name == "RenewResponse":
        return ((_("Renewal granted: %(title)s") if step.answer == "Y" else _("Renewal refused: %(title)s"))
                % {"title": title}, _("Due date: %(date)s.") % {"date": _day(loan.due_date)})
    if step.name == "due_soon":
        return (_("Due back soon: %(title)s") % {"title": title},
                _("Due date: %(date)s.") % {"date": _day(loan.due_date)})
    if step.name == "rota_ended":
        return (_("No library could supply: %(title)s") % {"title": title}, step.note)
    return None


def _lender_side(loan, step):
    """What the library asked is told (its staff), or None."""
    title = loan.title[:80]
    if step.side == "requester" and step.name in LENDER_TOLD:
        subject, body = LENDER_TOLD[step.name]
        return subject() % {"title": title}, body() % {"library": loan.borrower}
    if step.name == "asked":
        return (_("A request waits for your answer: %(title)s") % {"title": loan.title[:80]},
                _("%(library)s asks for it; without an answer by %(date)s it goes to the next library.") % {
                    "library": loan.borrower, "date": _day(loan.answer_due.date() if loan.answer_due else None)})
    return None


# The requester's actions that wait for the lender (or concern what it lent): (subject, body) of the notice.
LENDER_TOLD = {
    "Cancel": (lambda: _("A cancellation to answer: %(title)s"),
               lambda: _("%(library)s asks to cancel its request: accept or refuse.")),
    "Renew": (lambda: _("A renewal to answer: %(title)s"), lambda: _("%(library)s asks to keep it longer.")),
    "ShippedReturn": (lambda: _("Shipped back to you: %(title)s"),
                      lambda: _("%(library)s sent it back: check it in (LoanCompleted).")),
}


def on_step(loan, step):
    """Notify the staff of the library a step concerns, once the step is stored for good."""
    told = []
    if not loan.external:
        notice = _borrower_side(loan, step)
        if notice:
            told.append((loan.borrower, notice))
    notice = _lender_side(loan, step)
    if notice:
        told.append((step.library if step.name == "asked" else loan.lender, notice))
    if not told:
        return
    url = loan.get_absolute_url()

    def send():
        # Who is on each library's staff in one plain read: most steps concern a library nobody there follows
        # on this platform (a partner's, or one without accounts), and that read is then all.
        ids = plain.staff_ids(sorted({library.pk for library, _notice in told if library is not None}))
        users = {user.pk: user for user in User.objects.filter(pk__in=[i for found in ids.values() for i in found])
                 } if ids else {}
        for library, (subject, body) in told:
            people = [users[pk] for pk in ids.get(getattr(library, "pk", None), ())]
            if people:
                notify(people, subject, body, url)

    transaction.on_commit(send)
