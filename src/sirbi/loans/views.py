"""Interlibrary loan pages (thin: parse, check, call a service, render) and the ISO 18626 endpoint."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from sirbi.catalog.models import Cluster, Record
from sirbi.cooperation.documents import send_file
from sirbi.core import permissions
from sirbi.core.changelog import ConflictError, history, save_object, visible_changes
from sirbi.core.downloads import export
from sirbi.core.uploads import upload_limit
from sirbi.registry.models import Library, LibraryStatus, ServicePointKind

from . import copies, inbound, outbox, services
from . import desk as desks
from .choices import (
    ACTION_LABELS,
    EXCLUSION_LABELS,
    LOAN_CONDITION_LABELS,
    REASON_UNFILLED_LABELS,
    REASONS_RETRY_OFFERED,
    SUPPLIER_STATUS_LABELS,
    RequestState,
    step_label,
)
from .forms import EndpointPageForm, LendingPolicyForm, LoanRequestForm, RequesterStepForm, RotaForm, SupplierAnswerForm
from .iso18626 import requester, supplier
from .iso18626.codes import Status
from .iso18626.messages import MAX_BYTES
from .models import DeliveredCopy, LendingPolicy, LoanRequest, OutgoingMessage, PartnerEndpoint
from .rota import build as build_rota

# The request's dates as its change log keeps them (ISO text in the entries' snapshots).
WHEN_FIELDS = {field.name: field for field in LoanRequest._meta.concrete_fields
               if isinstance(field, models.DateField)}  # DateTimeField is a DateField too


def changes_in_words(changes):
    """A request's change-log entries as people read them: the step in words (an entry's message is the step's
    code: "asked", "accept"; the standard's code stays beside its words, as on the timeline) and its dates and
    times in the active language's format (a snapshot keeps them as ISO text)."""
    for change in changes:
        label, standard = step_label(change.message)
        if standard:
            change.message = f"{label} ({change.message})"
        elif str(label) != change.message:
            change.message = str(label)
        for row in change.visible_fields:
            field = WHEN_FIELDS.get(row["name"].removesuffix("_id"))
            if field is not None:
                row["before"], row["after"] = _when(field, row["before"]), _when(field, row["after"])
    return changes


def _when(field, value):
    """An ISO date or time of a snapshot in the active language's format (anything else as it is)."""
    if not isinstance(value, str) or not value:
        return value
    try:
        if isinstance(field, models.DateTimeField):
            moment = datetime.datetime.fromisoformat(value)
            return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment,
                               "DATETIME_FORMAT")
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


def _reads_desk(user, library):
    return permissions.can_keys(user, "view", LoanRequest, library.scope_keys())


@login_required
def home(request):
    """The desk of the user's library (the first one they act for), or the list of requests they may read."""
    libraries = [a.library_id for a in permissions.assignments(request.user) if a.library_id]
    if libraries:
        return redirect("loans:desk", libraries[0])
    loans = services.readable(request.user, LoanRequest.objects.with_related()).order_by("-updated")[:200]
    return render(request, "loans/overview.html", {"loans": loans})


@login_required
def desk(request, library):
    library = get_object_or_404(Library.objects.select_related("country"), pk=library)
    if not _reads_desk(request.user, library):
        raise PermissionDenied(_("Only the staff of %(library)s, its network's managers, its country's coordinators "
                                 "and the secretariat read its interlibrary loans.") % {"library": library})
    direction = request.GET.get("direction", "") if request.GET.get("direction") in ("in", "out") else ""
    state = request.GET.get("state", "") if request.GET.get("state") in RequestState.values else ""
    loans = desks.requests_of(library, direction=direction, state=state, attention=request.GET.get("attention") == "1")
    if request.GET.get("export") == "csv":
        return export(desks.export_rows(library, loans), desks.EXPORT_COLUMNS, "csv", f"ill-{library.pk}")
    return render(request, "loans/desk.html", {
        "library": library, "loans": loans[:300], "direction": direction, "state": state,
        "states": RequestState.choices, "attention": request.GET.get("attention") == "1",
        "can_request": services.acts_for(request.user, library), "query": request.GET.urlencode(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    cluster = Cluster.objects.filter(pk=request.GET.get("cluster") or None).select_related("representative").first()
    record = Record.objects.filter(pk=request.GET.get("record") or None).first()
    reach = permissions.scope(request.user, "add", LoanRequest)
    if not reach:
        raise PermissionDenied(permissions.refusal(request.user, "add", LoanRequest))
    libraries = reach.narrow(Library.objects.all()) if not reach.everywhere else Library.objects.filter(
        lending_policy__isnull=False)
    shown = (record or (cluster.representative if cluster else None))
    initial = {"title": shown.title, "author": (shown.authors or [""])[0], "isbn": (shown.isbns or [""])[0]} \
        if shown else {}
    if libraries.count() == 1:
        initial["borrower"] = libraries.first()
    form = LoanRequestForm(request.POST or None, libraries=libraries, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        loan = services.open_request(request.user, data.pop("borrower"), cluster=cluster, record=record, **data)
        messages.success(request, _("The request is ready: check its rota, then send it."))
        return redirect(loan.get_absolute_url())
    return render(request, "loans/request_form.html", {"form": form, "cluster": cluster, "record": record},
                  status=400 if request.method == "POST" else 200)


@login_required
def request_detail(request, pk):
    loan = get_object_or_404(LoanRequest.objects.with_related(), pk=pk)
    if not services.can_read(request.user, loan):
        raise PermissionDenied(_("Only the libraries of this request, and those who oversee them, read it."))
    for_borrower = services.acts_for(request.user, loan.borrower) and not loan.external
    lender_is_here = loan.lender is not None and not PartnerEndpoint.objects.filter(
        library=loan.lender, active=True).exists()
    for_lender = loan.lender is not None and lender_is_here and services.acts_for(request.user, loan.lender)
    steps = []
    if for_borrower and loan.state not in requester.FINAL:
        for action in requester.actions_from(loan.state):
            try:
                if action in ACTION_LABELS and action not in ("send", "accept", "decline"):
                    supplier.accepts(loan.supplier_status or None, action)
            except supplier.TransitionError:
                continue
            steps.append((str(action), ACTION_LABELS[action]))
    statuses = [(s.value, SUPPLIER_STATUS_LABELS[s]) for s in supplier.allowed_next(loan.supplier_status or None)] \
        if for_lender and loan.state not in requester.FINAL else []
    excluded = []
    if loan.state == "draft" and for_borrower:
        built = build_rota(loan.borrower, service_type=loan.service_type, cluster=loan.cluster, record=loan.record,
                           isbn=loan.isbn)
        excluded = [(library, EXCLUSION_LABELS.get(why, why)) for library, why in built.excluded]
    return render(request, "loans/request_detail.html", {
        "loan": loan, "rota": loan.rota.select_related("library__country"),
        "transitions": loan.transitions.select_related("library", "user"),
        "show_patron": services.is_staff_of(request.user, loan.borrower), "steps": steps, "statuses": statuses,
        "for_lender": for_lender, "excluded": excluded, "reasons_unfilled": REASON_UNFILLED_LABELS,
        "reasons_retry": REASONS_RETRY_OFFERED, "conditions": LOAN_CONDITION_LABELS,
        "status_label": SUPPLIER_STATUS_LABELS.get(loan.supplier_status, ""),
        "changes": changes_in_words(visible_changes(history(loan)[:20], request.user)),
        "outgoing": loan.outgoing.select_related("partner"),
        "resends": services.acts_for(request.user, loan.lender if loan.external else loan.borrower)
        if (loan.lender if loan.external else loan.borrower) else False,
        "copies": [c for c in loan.copies.select_related("request__borrower", "library")
                   if copies.can_read(request.user, c)],
        "delivers_copy": for_lender and loan.is_copy and Status.COPY_COMPLETED in supplier.allowed_next(
            loan.supplier_status or None) and loan.state not in requester.FINAL,
    })


def _step(request, loan, call):
    try:
        call()
    except services.LoanError as error:
        messages.error(request, str(error))
    return redirect(loan.get_absolute_url())


@login_required
@require_POST
def request_act(request, pk):
    """The requesting library's step (send, accept, decline, or an action of the standard)."""
    loan = get_object_or_404(LoanRequest, pk=pk)
    form = RequesterStepForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown step."), status=400)
    action = form.cleaned_data["action"]
    step = requester.Step(action) if action in requester.Step._value2member_map_ else requester.Action(action)
    return _step(request, loan, lambda: services.act(loan, step, user=request.user, note=form.cleaned_data["note"]))


@login_required
@require_POST
def request_answer(request, pk):
    """The lender's answer."""
    loan = get_object_or_404(LoanRequest, pk=pk)
    form = SupplierAnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown answer."), status=400)
    data = form.cleaned_data
    return _step(request, loan, lambda: services.respond(
        loan, data["status"], user=request.user, reason_for_message=data["reason_for_message"] or None,
        reason_unfilled=data["reason_unfilled"], reason_retry=data["reason_retry"],
        loan_condition=data["loan_condition"], due_date=data["due_date"], answer=data["answer"], note=data["note"]))


@upload_limit("DOCUMENT_MAX_BYTES")
@login_required
@require_POST
def request_copy(request, pk):
    """The lender delivers the copy (a file or a link): CopyCompleted."""
    loan = get_object_or_404(LoanRequest.objects.with_related(), pk=pk)
    try:
        copies.deliver(loan, user=request.user, upload=request.FILES.get("file"),
                       link=request.POST.get("link", "").strip()[:500], note=request.POST.get("note", "")[:1000])
    except (services.LoanError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The copy is delivered."))
    return redirect(loan.get_absolute_url())


@login_required
@require_POST
def request_resend(request, pk, message):
    """Send a failed ISO 18626 message again (from the request page, by our side's staff)."""
    outgoing = get_object_or_404(OutgoingMessage.objects.select_related("request__borrower", "request__lender"),
                                 pk=message, request_id=pk)
    if outbox.send_again(outgoing, user=request.user):
        messages.success(request, _("The message will be sent again shortly."))
    return redirect(outgoing.request.get_absolute_url())


@login_required
def copy_file(request, pk):
    """A delivered copy's file: for the requesting library's staff and the delivering library's only."""
    copy = get_object_or_404(DeliveredCopy.objects.select_related("request__borrower", "library"), pk=pk)
    if not copies.can_read(request.user, copy):
        raise PermissionDenied(_("Only the staff of the requesting library read the copy."))
    if not copy.file:
        raise Http404(_("This copy was deleted after its keeping time."))
    return send_file(copy.file, copy.media_type, copy.original_name, inline=False)


@login_required
@require_POST
def request_rota(request, pk):
    loan = get_object_or_404(LoanRequest, pk=pk)
    form = RotaForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown order."), status=400)
    return _step(request, loan, lambda: services.set_rota(request.user, loan, form.cleaned_data["order"]))


def policy_detail(request, library):
    """A library's lending policy: public, like the directory it belongs to."""
    library = get_object_or_404(Library.objects.select_related("country"), pk=library)
    policy = LendingPolicy.objects.filter(library=library).first()
    draft = policy or LendingPolicy(library=library)
    return render(request, "loans/policy_detail.html", {
        "library": library, "policy": policy, "can_change": permissions.can(request.user, "change", draft)
        if policy else permissions.can(request.user, "add", draft),
        "endpoint": PartnerEndpoint.objects.filter(library=library, active=True).first(),
        "keeps_endpoint": permissions.can(request.user, "change", PartnerEndpoint(library=library)),
        "changes": visible_changes(history(policy)[:20], request.user) if policy else [],
        "main_point": library.service_points.filter(kind=ServicePointKind.MAIN).exclude(
            status=LibraryStatus.CLOSED).order_by("pk").first(),
    })


def _keepers_form(request, library, instance, form_class, template, after_save=None):
    """A library's own object (its lending policy, its endpoint) on its keepers' page: the library is the page's,
    the save goes through the change log with the version the editor loaded."""
    permissions.require(request.user, "change" if instance.pk else "add", instance)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["library"] = library.pk  # the page's library, whatever the form says
    form = form_class(data, instance=instance, user=request.user, initial={"library": library.pk})
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        new = saved.pk is None
        try:
            save_object(saved, user=request.user, expected_version=form.cleaned_data.get("base_version"),
                        message=form.cleaned_data.get("message", ""))
        except ConflictError as conflict:
            form.add_error(None, str(conflict))
            return render(request, template, {"form": form, "library": library}, status=409)
        messages.success(request, _("Saved: %(object)s.") % {"object": saved})
        if after_save:
            after_save(saved, new, form.cleaned_data)
        return redirect(saved.get_absolute_url())
    return render(request, template, {"form": form, "library": library},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, library):
    library = get_object_or_404(Library.objects.select_related("country"), pk=library)
    policy = LendingPolicy.objects.filter(library=library).first() or LendingPolicy(library=library)
    return _keepers_form(request, library, policy, LendingPolicyForm, "loans/policy_form.html")


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, library):
    """A library's ISO 18626 endpoint, for its keepers (as its lending policy): where our messages go, the token
    for it, and the token it presents to us (issued here, shown once)."""
    library = get_object_or_404(Library.objects.select_related("country"), pk=library)
    endpoint = PartnerEndpoint.objects.filter(library=library).first() or PartnerEndpoint(library=library)

    def issue(saved, new, data):
        if new or data["new_token"]:
            token = services.issue_token(saved, user=request.user)
            messages.warning(request, _("The token this library presents to our endpoint, shown only now: "
                                        "%(token)s") % {"token": token})

    return _keepers_form(request, library, endpoint, EndpointPageForm, "loans/endpoint_form.html", issue)


# CSRF-exempt on purpose: this endpoint takes no cookie-authenticated request. Libraries on other systems post
# ISO 18626 XML to it machine to machine, each authenticated by its own partner token (Authorization: Bearer),
# so a forged cross-site request carries no credential (docs/security.md).
@csrf_exempt
@require_POST
def iso18626(request):
    """POST /iso18626: an ISO 18626 message in, the standard's confirmation out."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BYTES:
        return HttpResponse(_("An ISO 18626 message is at most %(n)s bytes.") % {"n": MAX_BYTES}, status=413,
                            content_type="text/plain; charset=utf-8")
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    partner = inbound.partner_for(token.strip()) if scheme.lower() == "bearer" else None
    if partner is None:
        response = HttpResponse(_("A partner token is required (Authorization: Bearer)."), status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="iso18626"'
        return response
    return HttpResponse(inbound.receive(request.body, partner), content_type="application/xml; charset=utf-8")
