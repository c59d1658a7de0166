"""Interlibrary loan's logic: opening a request with its rota, and every transition, each through one function
that checks who acts (the requesting library's staff for the requester's actions, the current lender's for the
supplier's, a partner's token for ISO 18626 messages), asks the state machine, and writes the timeline and the
change log. Pages, the API, the XML endpoint and the `ill_tick` command all come here."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sirbi.core import permissions
from sirbi.core.changelog import record, save_object
from sirbi.core.models import ChangeLog, Role
from sirbi.core.permissions import ScopeKeys
from sirbi.registry.models import Library

from . import notices, outbox, plain
from . import rota as rotas
from .choices import RequestState, RotaOutcome, ServiceType
from .iso18626 import requester, supplier
from .iso18626.codes import Action, ReasonForMessage, Status
from .iso18626.requester import State, Step
from .iso18626.supplier import TransitionError
from .models import LendingPolicy, LoanRequest, PartnerEndpoint, RotaEntry, Transition

DEFAULT_RESPONSE_DAYS = 3
DEFAULT_LOAN_DAYS = 21


class LoanError(Exception):
    """A step the request's state does not allow (the state machines' refusal, said for people)."""

    def __init__(self, message, transition_error=None):
        self.transition_error = transition_error
        super().__init__(message)


# Who may act -----------------------------------------------------------------------------------------------------

def acts_for(user, library):
    """May `user` act for `library` in a request (its staff, or the secretariat)?

    Asked first with the library's own keys (its id and country: the secretariat and the library's staff, who
    make nearly every step, are known without reading the library's networks), then with all of them."""
    own = ScopeKeys(countries=frozenset({library.country.code}), libraries=frozenset({library.pk}))
    return (permissions.can_keys(user, "change", LoanRequest, own)
            or permissions.can_keys(user, "change", LoanRequest, library.scope_keys()))


def _require_side(library, *, user=None, partner=None, what=""):
    if partner is not None:
        if partner.library_id != library.pk:
            raise PermissionDenied(_("This message's partner is not %(library)s.") % {"library": library})
        return
    if not acts_for(user, library):
        raise PermissionDenied(_("Only the staff of %(library)s may %(what)s.") % {"library": library, "what": what})


def is_staff_of(user, library):
    """Is `user` on the staff of `library` itself? (The patron reference is for their eyes only: not even the
    secretariat reads it.)"""
    return any(a.role == Role.LIBRARY_STAFF and a.library_id == library.pk for a in permissions.assignments(user))


def readable(user, queryset=None):
    """The requests `user` may read: the staff of a library its requests (borrowed, and lent once asked), network
    managers and coordinators those of their scope, the secretariat all; the public none."""
    queryset = LoanRequest.objects.all() if queryset is None else queryset
    reach = permissions.scope(user, "view", LoanRequest)
    return queryset.filter(reach.q(LoanRequest)) if reach.everywhere else (
        queryset.filter(pk__in=LoanRequest.objects.filter(reach.q(LoanRequest)).values("pk")))


def can_read(user, loan):
    return readable(user, LoanRequest.objects.filter(pk=loan.pk)).exists()


# Dates -------------------------------------------------------------------------------------------------------------

def working_days_after(moment, days):
    """`moment` plus `days` working days (Saturdays and Sundays not counted)."""
    while days > 0:
        moment += datetime.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


# A library as the loan services read it: with its country (scope keys, the change log's country) and its ISO 18626
# endpoint (the outbox asks at every step), in the same query as the request or the rota entry that names it,
# rather than one query each at every step (benchmarks/ill_flow.py). Its policy is read with it only where it is
# needed at once (the lender asked); otherwise `policy_value` reads the one figure a step needs.
LIBRARY_RELATED = ("country", "iso18626_endpoint")


def library_related(prefix, *more):
    """select_related() paths reading the library at `prefix` as LIBRARY_RELATED says (and `more`)."""
    return [f"{prefix}__{name}" for name in (*LIBRARY_RELATED, *more)]


def policy_value(library, name, default):
    """One figure of the library's lending policy (`default` without a policy): from the policy read with the
    library when it was, else by a query of that figure alone."""
    if Library.lending_policy.is_cached(library):
        policy = getattr(library, "lending_policy", None)
        return default if policy is None else getattr(policy, name)
    value = LendingPolicy.objects.filter(library=library).values_list(name, flat=True).first()
    return default if value is None else value


# Opening a request -----------------------------------------------------------------------------------------------

def new_request_id():
    return f"sirbi-{secrets.token_hex(8)}"


def open_request(user, borrower, *, title, cluster=None, record=None, author="", isbn="",
                 service_type=ServiceType.LOAN, pages="", needed_before=None, patron_reference="", note="",
                 source="web", now=None):
    """A draft request of `borrower` with its rota built (the requester may reorder or remove lenders, then send)."""
    _require_side(borrower, user=user, what=_("request an interlibrary loan for it"))
    if cluster is None and record is not None:
        cluster = record.cluster
    loan = LoanRequest(borrower=borrower, cluster=cluster, record=record, title=title, author=author, isbn=isbn,
                       service_type=service_type, pages=pages, needed_before=needed_before,
                       patron_reference=patron_reference, note=note, request_id=new_request_id())
    with transaction.atomic():
        save_object(loan, user=user, source=source)
        built = rotas.build(borrower, service_type=service_type, cluster=cluster, record=record, isbn=isbn, now=now)
        RotaEntry.objects.bulk_create([
            RotaEntry(request=loan, library_id=c.library.pk, position=index, reason=c.reason, load=c.load,
                      detail={**c.detail, "last": c.last})
            for index, c in enumerate(built.lenders, start=1)])
        timeline(loan, Transition.Side.REQUESTER, "opened", "", loan.state, user=user, library=borrower,
                  via=source, now=now)
    return loan


def set_rota(user, loan, library_ids, *, source="web"):
    """The requester's own order of the lenders of a draft: `library_ids` in order; the others are removed."""
    _require_side(loan.borrower, user=user, what=_("change the rota of this request"))
    if loan.state != State.DRAFT:
        raise LoanError(_("The rota can be changed only before the request is sent."))
    entries = {entry.library_id: entry for entry in loan.rota.all()}
    wanted = [pk for pk in dict.fromkeys(library_ids) if pk in entries]
    with transaction.atomic():
        loan.rota.exclude(library_id__in=wanted).delete()
        # Two passes: positions stay unique-free (no constraint on them), but keep the order readable at each step.
        for position, pk in enumerate(wanted, start=1):
            entry = entries[pk]
            if entry.position != position:
                entry.position = position
                entry.save(update_fields=["position"])
        timeline(loan, Transition.Side.REQUESTER, "rota_changed", loan.state, loan.state, user=user,
                  library=loan.borrower, via=source,
                  note=", ".join(entries[pk].library.name for pk in wanted))


# The requester's actions -------------------------------------------------------------------------------------------

def act(loan, action, *, user=None, partner=None, note="", via="web", message_key=None, now=None):
    """The requesting library takes `action` (a standard Action, or send / accept / decline)."""
    now = now or timezone.now()
    what = {Step.SEND: _("send this request"), Step.ACCEPT: _("accept the condition"),
            Step.DECLINE: _("decline the condition")}.get(action, _("act for the requesting library"))
    with transaction.atomic():
        loan = _locked(loan)
        _require_side(loan.borrower, user=user, partner=partner, what=what)
        before = loan.state
        try:
            after = requester.take(before, action, received=loan.received_at is not None,
                                   supplier_status=loan.supplier_status)
            if isinstance(action, Action) or action in Action._value2member_map_:
                supplier.accepts(loan.supplier_status or None, action)
        except TransitionError as error:
            raise LoanError(_("This step is not possible now (%(error)s).") % {"error": error}, error) from None
        entry = _current_entry(loan)
        if action == Step.SEND:
            first = _next_waiting(loan)
            if first is None:
                raise LoanError(_("The rota is empty: no library can be asked for this item."))
            timeline(loan, Transition.Side.REQUESTER, "send", before, before, user=user, library=loan.borrower,
                      via=via, note=note, now=now, message_key=message_key)
            return _ask_next(loan, user=user, via=via, now=now, entry=first)
        if action == Step.DECLINE:
            _close_entry(entry, RotaOutcome.DECLINED, now)
            timeline(loan, Transition.Side.REQUESTER, "decline", before, before, user=user, library=loan.borrower,
                      via=via, note=note, now=now, entry=entry, message_key=message_key)
            return _ask_next(loan, user=user, via=via, now=now)
        if action == Action.RECEIVED:
            loan.received_at = now
        if action == Step.ACCEPT and loan.supplier_status == Status.RETRY_POSSIBLE:
            # Accepting a RetryPossible's condition is a new request (requestType Retry) to the same lender.
            loan.supplier_status = ""
            loan.answer_due = _answer_due(loan.lender, now)
        loan.state = after
        _save(loan, before, user=user, via=via, name=str(action), side=Transition.Side.REQUESTER,
              library=loan.borrower, note=note, now=now, entry=entry, message_key=message_key)
        if action == Action.STATUS_REQUEST and loan.lender_id and not PartnerEndpoint.objects.filter(
                library_id=loan.lender_id, active=True).exists():
            # A lender on this platform answers a StatusRequest at once: its status as it stands (sent to a
            # partner borrower as a StatusRequestResponse by the outbox).
            timeline(loan, Transition.Side.SUPPLIER, "StatusRequestResponse", loan.state, loan.state,
                      via=Transition.Via.SYSTEM, library=loan.lender, now=now, entry=entry,
                      note=str(loan.supplier_status or Status.REQUEST_RECEIVED))
    return loan


# The supplier's answers --------------------------------------------------------------------------------------------

def respond(loan, status, *, user=None, partner=None, reason_for_message=None, reason_unfilled="", reason_retry="",
            loan_condition="", due_date=None, answer="", note="", via="web", message_key=None, now=None):
    """The current lender answers with `status` (and its reason, condition, due date or Y/N answer)."""
    now = now or timezone.now()
    status = Status(status)
    with transaction.atomic():
        loan = _locked(loan)
        if loan.lender_id is None:
            raise LoanError(_("No lender is asked for this request now."))
        _require_side(loan.lender, user=user, partner=partner, what=_("answer for the lending library"))
        before, entry = loan.state, _current_entry(loan)
        reason_for_message = reason_for_message or (
            ReasonForMessage.REQUEST_RESPONSE if not loan.supplier_status else ReasonForMessage.STATUS_CHANGE)
        common = dict(user=user, via=via, side=Transition.Side.SUPPLIER, library=loan.lender, note=note, now=now,
                      entry=entry, message_key=message_key, reason=reason_unfilled or reason_retry,
                      loan_condition=loan_condition, answer=answer)
        try:
            if reason_for_message == ReasonForMessage.CANCEL_RESPONSE and answer == "N":
                if before != State.CANCEL_REQUESTED:
                    raise TransitionError(before, "CancelResponse")
                loan.state = requester.after_cancel_refused(loan.supplier_status)
                return _save(loan, before, name="CancelResponse", **common)
            if reason_for_message == ReasonForMessage.RENEW_RESPONSE and status == Status.LOANED \
                    and loan.supplier_status == Status.LOANED:
                # A renewal granted (Y, with the new due date) or refused (N): the status stays Loaned.
                if answer == "Y":
                    loan.renewals_used += 1
                    loan.due_date = due_date or loan.due_date
                return _save(loan, before, name="RenewResponse", **common)
            supplier.advance(loan.supplier_status or None, status)
            after = requester.on_status(before, status, condition=loan_condition, reason_retry=reason_retry,
                                        received=loan.received_at is not None)
        except TransitionError as error:
            raise LoanError(_("This answer is not possible now (%(error)s).") % {"error": error}, error) from None
        loan.supplier_status = status
        entry.supplier_status = status
        entry.answered_at = entry.answered_at or now
        if loan_condition:
            loan.loan_condition = loan_condition
        if status in (Status.WILL_SUPPLY, Status.LOANED, Status.COPY_COMPLETED):
            entry.outcome = RotaOutcome.SUPPLYING
        if status == Status.LOANED and not due_date:
            loan.due_date = timezone.localdate(now) + datetime.timedelta(
                days=policy_value(loan.lender, "loan_days", DEFAULT_LOAN_DAYS))
        elif status == Status.LOANED:
            loan.due_date = due_date
        plain.update(entry, ANSWER_FIELDS)
        if after == requester.NEXT_LENDER:
            entry.reason_unfilled = reason_unfilled or reason_retry
            _close_entry(entry, RotaOutcome.UNFILLED, now)
            timeline(loan, Transition.Side.SUPPLIER, status, before, before, supplier_status=status, **{
                k: v for k, v in common.items() if k not in ("side", "now")}, now=now)
            return _ask_next(loan, user=None, via=Transition.Via.SYSTEM, now=now)
        loan.state = after
        return _save(loan, before, name=str(status), supplier_status=status, **common)


def _locked(loan):
    """The request as stored, locked for the transition (the caller's copy may be older), with its libraries read
    as LIBRARY_RELATED says, and `_stored`: its tracked fields as stored (the change log's "before").

    Only its own row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the join to the lender. The
    libraries (a transition never changes them) are taken from the caller's copy when it holds them whole (the
    previous step's result, or inbound.py's partner and agency reads), and then the row is read with its current
    lender's rota entry (`_current_entry`) in one plain statement; otherwise they are read with the row."""
    held = {name: _held_library(loan, name) for name in ("borrower", "lender")}
    if None in held.values():
        fresh = LoanRequest.objects.select_for_update(of=("self",)).select_related(
            *library_related("borrower"), *library_related("lender")).get(pk=loan.pk)
    else:
        # The row and its current lender's rota entry in one plain read (the steps' commonest case: the caller
        # holds the libraries).
        fresh, entry = plain.locked_request(loan.pk)
        fresh._entry = (fresh.lender_id, entry)
        for name, library in held.items():
            field = LoanRequest._meta.get_field(name)
            wanted = getattr(fresh, field.attname)
            if wanted is None or (library and library.pk == wanted):
                field.set_cached_value(fresh, library if wanted is not None else None)
            else:  # moved on since the caller read it
                field.set_cached_value(fresh, Library.objects.select_related(*LIBRARY_RELATED).get(pk=wanted))
    fresh._stored = {name: getattr(fresh, name) for name in TRACKED}
    return fresh


def _held_library(loan, name):
    """The caller's copy's library at `name` if it holds it with its country: the library, False for none; None
    otherwise. (What else a step needs of it, `outbox.partner_of` and `policy_value` read if it was not read.)"""
    field = LoanRequest._meta.get_field(name)
    if getattr(loan, field.attname) is None:
        return False
    library = field.get_cached_value(loan, None)
    return library if library is not None and Library.country.is_cached(library) else None


# The platform's own steps --------------------------------------------------------------------------------------

def _next_waiting(loan):
    """The first lender of the rota not asked yet, or None; its library read with it as the steps use it: the name
    for notices, the ISIL and the endpoint's agency for messages, the country for scope keys, the policy's response
    time and loan period (the whole library, country, policy and endpoint are 82 columns, several times the cost of
    the read itself: benchmarks/ill_flow.py)."""
    return plain.next_waiting(loan.pk, ("name", "isil"), ("response_days", "loan_days"),
                              ("agency_id", "agency_id_type", "active"))


def _ask_next(loan, *, user, via, now, entry=None):
    """Ask the next waiting lender of the rota (`entry` when the caller has read it), or end the request as
    unfilled with every reason listed."""
    before = loan.state
    entry = entry or _next_waiting(loan)
    if entry is None:
        reasons = [f"{e.library.name}: {e.get_outcome_display()}" + (f" ({e.reason_unfilled})" if e.reason_unfilled
                                                                     else "")
                   for e in loan.rota.select_related("library").order_by("position")]
        loan.state, loan.lender, loan.answer_due = State.UNFILLED, None, None
        return _save(loan, before, name="rota_ended", side=Transition.Side.PLATFORM, user=None,
                     via=Transition.Via.SYSTEM, library=None, note="; ".join(reasons)[:1000], now=now)
    entry.outcome, entry.asked_at = RotaOutcome.ASKED, now
    plain.update(entry, ["outcome", "asked_at"])
    loan.lender, loan.supplier_status, loan.loan_condition = entry.library, "", ""
    loan.answer_due = _answer_due(entry.library, now)
    loan.state = State.REQUESTED
    return _save(loan, before, name="asked", side=Transition.Side.PLATFORM, user=user, via=via,
                 library=entry.library, now=now, entry=entry)


def _answer_due(library, now):
    return working_days_after(now, policy_value(library, "response_days", DEFAULT_RESPONSE_DAYS))


# What a lender's answer changes on its rota entry.
ANSWER_FIELDS = ("outcome", "supplier_status", "reason_unfilled", "answered_at")


def _current_entry(loan):
    """The rota entry of the request's current lender (read by `_locked` with the request when it could), or None."""
    if loan.lender_id is None:
        return None
    lender_id, entry = getattr(loan, "_entry", (None, None))
    if lender_id == loan.lender_id:
        return entry
    return plain.rota_entry(loan.pk, loan.lender_id)  # one place per library


def _close_entry(entry, outcome, now):
    if entry is not None:
        entry.outcome = outcome
        entry.answered_at = entry.answered_at or now
        plain.update(entry, ANSWER_FIELDS)


def tick(now=None):
    """The `ill_tick` job: a lender that did not answer within its response time is passed over (the rota moves
    on); a loan past its due date becomes overdue (for lenders on this platform; partners say so themselves)."""
    now = now or timezone.now()
    moved = overdue = 0
    waiting = LoanRequest.objects.filter(state=State.REQUESTED, answer_due__lt=now,
                                         supplier_status__in=["", Status.REQUEST_RECEIVED, Status.EXPECT_TO_SUPPLY])
    for loan in waiting.select_related("lender"):
        with transaction.atomic():
            loan = _locked(loan)
            if loan.state != State.REQUESTED or not loan.answer_due or loan.answer_due >= now:
                continue
            entry = _current_entry(loan)
            _close_entry(entry, RotaOutcome.TIMED_OUT, now)
            timeline(loan, Transition.Side.PLATFORM, "timed_out", loan.state, loan.state, via=Transition.Via.SYSTEM,
                      library=loan.lender, now=now, entry=entry)
            _ask_next(loan, user=None, via=Transition.Via.SYSTEM, now=now)
            moved += 1
    partners = PartnerEndpoint.objects.filter(active=True).values("library_id")
    late = LoanRequest.objects.filter(state__in=[State.SHIPPED, State.RECEIVED], supplier_status=Status.LOANED,
                                      due_date__lt=timezone.localdate(now)).exclude(lender_id__in=partners)
    for loan in late.select_related("lender"):
        with transaction.atomic():
            loan = _locked(loan)
            before = loan.state
            supplier.advance(loan.supplier_status, Status.OVERDUE)
            loan.state = requester.on_status(before, Status.OVERDUE)
            loan.supplier_status = Status.OVERDUE
            _save(loan, before, name=Status.OVERDUE, supplier_status=Status.OVERDUE, side=Transition.Side.PLATFORM,
                  user=None, via=Transition.Via.SYSTEM, library=loan.lender, now=now)
            overdue += 1
    return {"moved": moved, "overdue": overdue, "due_soon": _due_soon(now)}


def _due_soon(now):
    """A step `due_soon` (its note the due date, so a renewal's new date is told again) for each loan due back
    within notices.DUE_SOON_DAYS: the borrower's staff are reminded once per due date."""
    today = timezone.localdate(now)
    soon = LoanRequest.objects.filter(state__in=[State.SHIPPED, State.RECEIVED], external=False,
                                      due_date__gte=today, due_date__lte=today + datetime.timedelta(
                                          days=notices.DUE_SOON_DAYS))
    told = 0
    for loan in soon.select_related("borrower", "lender"):
        if not loan.transitions.filter(name="due_soon", note=loan.due_date.isoformat()).exists():
            with transaction.atomic():
                timeline(loan, Transition.Side.PLATFORM, "due_soon", loan.state, loan.state, via=Transition.Via.SYSTEM,
                          library=loan.borrower, note=loan.due_date.isoformat(), now=now)
            told += 1
    return told


# Writing ---------------------------------------------------------------------------------------------------------

TRACKED = ("state", "lender_id", "supplier_status", "loan_condition", "due_date", "answer_due", "received_at",
           "renewals_used")
# A transition changes the tracked fields only (and the version): the UPDATE writes those.
SAVED = (*TRACKED, "version", "updated")


def _save(loan, state_before, *, name, side, user, via, library, now, note="", entry=None, supplier_status="",
          reason="", loan_condition="", answer="", message_key=None):
    """Store the request's new state, its timeline step and its change-log entry (who, when, from what to what).
    The values before are those `_locked` read (the row is locked since), else read here."""
    stored = getattr(loan, "_stored", None)
    if stored is None:
        stored = LoanRequest.objects.filter(pk=loan.pk).values(*TRACKED).first()
    loan.version += 1
    loan.updated = timezone.now()
    plain.update(loan, SAVED)
    after = {name: getattr(loan, name) for name in TRACKED}
    loan._stored = after
    timeline(loan, side, name, state_before, loan.state, user=user, library=library, via=via, note=note, now=now,
              entry=entry, supplier_status=supplier_status, reason=reason, loan_condition=loan_condition,
              answer=answer, message_key=message_key)
    record(loan, ChangeLog.Action.UPDATE, user=user, before=_json(stored), after=_json(after), message=str(name),
           source=_source(via))
    return loan


def timeline(loan, side, name, before, after, *, user=None, library=None, via="web", note="", now=None, entry=None,
              supplier_status="", reason="", loan_condition="", answer="", message_key=None):
    """One step of the request's timeline (inbound.py records a partner's new request with it too)."""
    step = plain.insert(Transition(
        request=loan, rota_entry=entry, side=side, name=str(name), state_before=before or "", state_after=after or "",
        supplier_status=supplier_status or "", reason=reason or "", loan_condition=loan_condition or "",
        answer=answer or "", note=(note or "")[:1000],
        user=user if getattr(user, "is_authenticated", False) else None, library=library, via=via,
        time=now or timezone.now(), message_key=message_key))
    outbox.on_step(loan, step)  # the ISO 18626 message this step makes for a partner system, if any
    notices.on_step(loan, step)  # the people this step concerns
    return step


def _json(values):
    from sirbi.core.changelog import to_json

    return {key: to_json(value) for key, value in (values or {}).items()}


def _source(via):
    return {"web": "web", "api": "api", "iso18626": "iso18626", "system": "system"}.get(str(via), "web")


def message_seen(message_key):
    """Did an ISO 18626 message with this key already move a request? (A second delivery changes nothing.)"""
    return plain.message_seen(message_key)


def state_label(state):
    return RequestState(state).label


def issue_token(endpoint, *, user, source="web"):
    """A new token for a partner's endpoint (the old one stops working): returned once, kept only as a hash; the
    change log says a new one was issued, never which."""
    token = secrets.token_urlsafe(32)
    endpoint.set_token(token)
    PartnerEndpoint.objects.filter(pk=endpoint.pk).update(token_hash=endpoint.token_hash)
    record(endpoint, ChangeLog.Action.UPDATE, user=user, before={}, after={}, message="new token", source=source)
    return token
