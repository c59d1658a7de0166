"""Meeting pages: the list and calendar, a meeting with its agenda, registration, participants, documents and
agreements (an agreement becomes a roadmap action), and the .ics feeds."""

import calendar as month_calendar
from datetime import date
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sirbi.core import permissions
from sirbi.core.changelog import save_object
from sirbi.core.uploads import upload_limit
from sirbi.core.views import say_errors, say_form_errors

from ..choices import RegistrationStatus
from ..documents import send_file, upload_document
from ..forms import AgreementForm, DocumentForm, RegistrationForm, ToActionForm, VersionForm
from ..models import (
    Activity,
    Agreement,
    Document,
    DocumentVersion,
    Meeting,
    Participant,
    Session,
)
from . import services as meetings
from .calendar import meetings_calendar


def meeting_list(request):
    today = date.today()
    rows = Meeting.objects.select_related("country")
    return render(request, "cooperation/meeting_list.html", {
        "upcoming": rows.filter(end_date__gte=today).order_by("start_date"),
        "past": rows.filter(end_date__lt=today),
    })


def calendar_page(request):
    """A month of meetings; ?month=YYYY-MM, the current month by default."""
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        first = date(min(max(year, 1900), 2100), month, 1)  # far years would overflow the month arithmetic
    except ValueError:
        first = date.today().replace(day=1)
    last = date(first.year, first.month, month_calendar.monthrange(first.year, first.month)[1])
    in_month = list(Meeting.objects.filter(start_date__lte=last, end_date__gte=first).order_by("start_date"))
    activities = list(Activity.objects.filter(start__lte=last, end__gte=first).select_related("country")
                      .order_by("start"))
    weeks = []
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([(day, day.month == first.month,
                       [m for m in in_month if m.start_date <= day <= m.end_date],
                       [a for a in activities if a.start <= day <= a.end]) for day in week])
    previous = (first.replace(day=1) - date.resolution).replace(day=1)
    following = last + date.resolution
    return render(request, "cooperation/calendar.html", {
        "first": first, "weeks": weeks, "meetings": in_month, "activities": activities,
        "previous": f"{previous:%Y-%m}", "following": f"{following:%Y-%m}",
        "weekdays": [date(2024, 1, d) for d in range(1, 8)],  # 1 January 2024 was a Monday
    })


def _meeting(pk):
    return get_object_or_404(Meeting.objects.select_related("country").prefetch_related(
        "hosts", "partners", "countries", Prefetch("sessions", Session.objects.order_by("date", "start_time"))), pk=pk)


def meeting_detail(request, pk):
    meeting = _meeting(pk)
    user = request.user
    is_secretariat = permissions.is_secretariat(user)
    agreements = list(meeting.agreements.select_related("action").prefetch_related("countries", "networks"))
    for agreement in agreements:
        agreement.effective = meetings.effective_status(agreement)
        if is_secretariat and not agreement.action_id and agreement.deadline and agreement.countries.all():
            agreement.to_action_form = ToActionForm(prefix=f"a{agreement.pk}")
    days = {}
    for session in meeting.sessions.all():
        days.setdefault(session.date, []).append(session)
    own = meeting.participants.filter(user=user).first() if user.is_authenticated else None
    context = {
        "meeting": meeting, "days": sorted(days.items()), "agreements": agreements,
        "carried_over": meetings.carried_over(meeting),
        "documents": meetings.readable_documents(meeting, user),
        "participants": meetings.public_participants(meeting),
        "own": own, "is_secretariat": is_secretariat,
        "places_taken": meetings.places_taken(meeting),
        "is_sample": meeting.is_sample or any(a.is_sample for a in agreements),
    }
    if user.is_authenticated and meeting.registration_open and (own is None or own.status not in meetings.ACTIVE):
        context["registration_form"] = RegistrationForm(
            countries=meetings.delegation_countries(user),
            initial={"name": user.get_full_name() or user.username, "email": user.email})
    if is_secretariat:
        context.update(document_form=DocumentForm(), version_form=VersionForm(), agreement_form=AgreementForm(),
                       waiting=meeting.participants.exclude(status=RegistrationStatus.CANCELLED).count())
    return render(request, "cooperation/meeting_detail.html", context)


def meeting_ics(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("country").prefetch_related("sessions"), pk=pk)
    body = meetings_calendar([meeting], str(meeting), lambda m: request.build_absolute_uri(m.get_absolute_url()),
                             request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sirbi-meeting-{meeting.pk}.ics"'
    return response


def calendar_feed(request):
    rows = Meeting.objects.select_related("country").prefetch_related("sessions")
    body = meetings_calendar(rows, _("SIRBI meetings"), lambda m: request.build_absolute_uri(m.get_absolute_url()),
                             request.get_host())
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def register(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    form = RegistrationForm(request.POST, countries=meetings.delegation_countries(request.user))
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect(meeting)
    try:
        participant = meetings.register(meeting, request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        say_errors(request, exc)
        return redirect(meeting)
    if participant.status == RegistrationStatus.WAITLISTED:
        messages.warning(request, _("The meeting is full: you are on the waiting list. You will hear from us if a "
                                    "place becomes free."))
    else:
        messages.success(request, _("You are registered; the secretariat will confirm your place."))
    return redirect(meeting)


@login_required
@require_POST
def cancel_registration(request, pk):
    participant = get_object_or_404(Participant.objects.select_related("meeting"), pk=pk)
    try:
        meetings.cancel(participant, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The registration of %(name)s is cancelled.") % {"name": participant.name})
    return redirect(request.POST.get("next") == "participants" and reverse(
        "cooperation:participants", args=[participant.meeting_id]) or participant.meeting.get_absolute_url())


@login_required
def participants(request, pk):
    """The secretariat's list of registrations: approve, decline, attendance."""
    meeting = get_object_or_404(Meeting, pk=pk)
    meetings.require_organiser(request.user)
    if request.method == "POST":
        participant = get_object_or_404(Participant, pk=request.POST.get("participant"), meeting=meeting)
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                meetings.approve(participant, request.user)
            elif decision == "decline":
                meetings.decline(participant, request.user)
            elif decision in ("present", "absent"):
                meetings.set_attendance(participant, decision == "present", request.user)
            else:
                raise ValidationError(_("Unknown decision."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": participant.name})
        return redirect("cooperation:participants", pk=meeting.pk)
    rows = meeting.participants.select_related("country", "user")
    return render(request, "cooperation/participants.html", {
        "meeting": meeting, "rows": rows, "places_taken": meetings.places_taken(meeting)})


@upload_limit("DOCUMENT_MAX_BYTES")
@login_required
@require_POST
def add_document(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    return upload_document(request, meeting, partial(meetings.add_document, meeting))


@upload_limit("DOCUMENT_MAX_BYTES")
@login_required
@require_POST
def add_version(request, pk):
    document = get_object_or_404(Document.objects.select_related("meeting", "working_group"), pk=pk)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = meetings.add_version(document, request.user, form.cleaned_data["file"],
                                           form.cleaned_data["note"])
        except ValidationError as exc:
            say_errors(request, exc)
        else:
            messages.success(request, _("Version %(number)s of %(title)s added.")
                             % {"number": version.number, "title": document.title})
    else:
        messages.error(request, _("Choose a file."))
    return redirect(document.owner)


def document_file(request, pk, number):
    version = get_object_or_404(DocumentVersion.objects.select_related("document"), document_id=pk, number=number)
    if not meetings.can_read(version.document, request.user):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        permissions.require_member(request.user, _("this document"))
    return send_file(version.file, version.media_type, version.original_name,
                      inline=version.media_type in ("application/pdf", "image/png", "image/jpeg", "image/webp",
                                                    "image/gif"))


@login_required
@require_POST
def add_agreement(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    meetings.require_organiser(request.user)
    form = AgreementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        agreement = Agreement(meeting=meeting, number=meetings.next_agreement_number(meeting), text=data["text"],
                              deadline=data["deadline"])
        try:
            agreement.full_clean(exclude=["meeting"])
            save_object(agreement, user=request.user, m2m={"countries": [c.pk for c in data["countries"]],
                                                           "networks": [n.pk for n in data["networks"]]})
        except ValidationError as exc:
            say_errors(request, exc)
        else:
            messages.success(request, _("Agreement %(number)s recorded.") % {"number": agreement.number})
    else:
        say_form_errors(request, form)
    return redirect(meeting)


@login_required
@require_POST
def agreement_to_action(request, pk):
    agreement = get_object_or_404(Agreement.objects.select_related("meeting"), pk=pk)
    form = ToActionForm(request.POST, prefix=f"a{agreement.pk}")
    if not form.is_valid():
        say_form_errors(request, form)
        return redirect(agreement.meeting)
    try:
        action = meetings.to_action(agreement, request.user, **form.cleaned_data)
    except ValidationError as exc:
        say_errors(request, exc)
        return redirect(agreement.meeting)
    messages.success(request, _("Agreement %(number)s is now the roadmap action %(action)s.")
                     % {"number": agreement.number, "action": action})
    return redirect(action)


