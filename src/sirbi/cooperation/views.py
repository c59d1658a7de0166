"""Pages of the cooperation workspace: meetings (agenda, registration, documents, agreements, calendar) and
the roadmap (tree, timeline, a country's commitments, an action with its progress reports)."""

import calendar as month_calendar
from datetime import date
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sirbi.core import permissions
from sirbi.core.changelog import save_object
from sirbi.core.uploads import too_large
from sirbi.core.views import say_errors as _say_errors
from sirbi.registry.models import Country
from sirbi.stats.services import country_table

from . import meetings, news, roadmap
from .calendar import meetings_calendar
from .choices import RegistrationStatus
from .forms import AgreementForm, DocumentForm, ProgressReportForm, RegistrationForm, ToActionForm, VersionForm
from .models import (
    Action,
    Activity,
    Agreement,
    Document,
    DocumentVersion,
    Meeting,
    Participant,
    ProgressReport,
    Session,
)


def _say_form_errors(request, form):
    """Each field's errors, named by the field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


def _too_big(request):
    if too_large(request, settings.DOCUMENT_MAX_BYTES):
        messages.error(request, _("The file is larger than the limit of %(limit)s.")
                       % {"limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)})
        return True
    return False


# Meetings ------------------------------------------------------------------------------------------------

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
    body = meetings_calendar([meeting], meeting.title, lambda m: request.build_absolute_uri(m.get_absolute_url()),
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
        _say_form_errors(request, form)
        return redirect(meeting)
    try:
        participant = meetings.register(meeting, request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _say_errors(request, exc)
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
    if not permissions.is_secretariat(request.user):
        raise PermissionDenied(_("Only the regional secretariat manages the meetings."))
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


def upload_document(request, owner, add):
    """A new document of a meeting or a working group: `add(user, title=..., upload=...)` stores it."""
    if _too_big(request):
        return redirect(owner)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            add(request.user, title=data["title"], kind=data["kind"], visibility=data["visibility"],
                upload=data["file"], note=data["note"])
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(request, _("Document added: %(title)s.") % {"title": data["title"]})
    else:
        _say_form_errors(request, form)
    return redirect(owner)


@login_required
@require_POST
def add_document(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    return upload_document(request, meeting, partial(meetings.add_document, meeting))


@login_required
@require_POST
def add_version(request, pk):
    document = get_object_or_404(Document.objects.select_related("meeting", "working_group"), pk=pk)
    if _too_big(request):
        return redirect(document.owner)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = meetings.add_version(document, request.user, form.cleaned_data["file"],
                                           form.cleaned_data["note"])
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(request, _("Version %(number)s of %(title)s added.")
                             % {"number": version.number, "title": document.title})
    else:
        messages.error(request, _("Choose a file."))
    return redirect(document.owner)


def _send_file(field, media_type, name, inline):
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=media_type, as_attachment=not inline, filename=name)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def document_file(request, pk, number):
    version = get_object_or_404(DocumentVersion.objects.select_related("document"), document_id=pk, number=number)
    if not meetings.can_read(version.document, request.user):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        raise PermissionDenied(_("This document is for the members of the network."))
    return _send_file(version.file, version.media_type, version.original_name,
                      inline=version.media_type in ("application/pdf", "image/png", "image/jpeg", "image/webp",
                                                    "image/gif"))


@login_required
@require_POST
def add_agreement(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    if not permissions.is_secretariat(request.user):
        raise PermissionDenied(_("Only the regional secretariat manages the meetings."))
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
            _say_errors(request, exc)
        else:
            messages.success(request, _("Agreement %(number)s recorded.") % {"number": agreement.number})
    else:
        _say_form_errors(request, form)
    return redirect(meeting)


@login_required
@require_POST
def agreement_to_action(request, pk):
    agreement = get_object_or_404(Agreement.objects.select_related("meeting"), pk=pk)
    form = ToActionForm(request.POST, prefix=f"a{agreement.pk}")
    if not form.is_valid():
        _say_form_errors(request, form)
        return redirect(agreement.meeting)
    try:
        action = meetings.to_action(agreement, request.user, **form.cleaned_data)
    except ValidationError as exc:
        _say_errors(request, exc)
        return redirect(agreement.meeting)
    messages.success(request, _("Agreement %(number)s is now the roadmap action %(action)s.")
                     % {"number": agreement.number, "action": action})
    return redirect(action)


# Roadmap -------------------------------------------------------------------------------------------------

def roadmap_page(request):
    root = roadmap.tree()
    return render(request, "cooperation/roadmap.html", {
        "root": root, "is_sample": any(line.obj.is_sample for line in root.objectives),
        "can_import": permissions.can_any(request.user, "add", Action),
        "countries": Country.objects.filter(is_member=True)})


def timeline_page(request):
    """Gantt-like bars of the actions, grouped by line (default) or by lead country."""
    by = "country" if request.GET.get("by") == "country" else "line"
    rows = roadmap.action_rows(Action.objects.order_by("start", "code"))
    objectives = {o.pk: o for o in roadmap.Objective.objects.select_related("line")}
    first, last, marks = roadmap.timeline(rows)
    countries = {c.code: c for c in Country.objects.filter(code__in={r.lead for r in rows})}
    groups = {}
    for row in rows:
        row.objective = objectives[row.objective_id]
        key = (row.objective.line.order, row.objective.line.name) if by == "line" else (
            0, countries[row.lead].name)
        groups.setdefault(key, []).append(row)
    today = date.today()
    today_mark = round((today - first).days / max((last - first).days, 1) * 100, 2) if first else None
    return render(request, "cooperation/timeline.html", {
        "groups": [(name, items) for (_order, name), items in sorted(groups.items())], "by": by,
        "first": first, "last": last, "marks": marks,
        "today_mark": today_mark if today_mark is not None and 0 <= today_mark <= 100 else None,
        "is_sample": any(r.is_sample for r in rows)})


def country_jump(request):
    """The country chooser of the roadmap page works without JavaScript: ?code=PE goes to Peru's page."""
    code = (request.GET.get("code") or "").strip().upper()
    if len(code) != 2:
        raise Http404(_("Choose a country."))
    country = get_object_or_404(Country, code=code)
    return redirect("cooperation:country", code=country.code)


def country_page(request, code):
    country = get_object_or_404(Country, code=code.upper())
    rows = roadmap.country_actions(country)
    led = [r for r in rows if r.lead == country.code]
    joined = [r for r in rows if r.lead != country.code]
    return render(request, "cooperation/country.html", {
        "country": country, "led": led, "joined": joined,
        "progress": roadmap.weighted([(r.weight, r.progress) for r in led if r.counts]),
        "n_overdue": sum(1 for r in rows if r.overdue or r.overdue_milestones),
        "is_sample": any(r.is_sample for r in rows)})


def action_detail(request, code, form=None):
    """An action's page; `form` is a refused progress report, shown again with its errors and what was typed."""
    action = get_object_or_404(Action.objects.select_related("objective__line", "lead_country").prefetch_related(
        "countries", "networks__country", "partners", "need_areas", "milestones",
        "indicators__indicator", "indicators__country"), code=code)
    reports = action.reports.select_related("author")
    indicators = []
    for link in action.indicators.all():
        country = link.country or action.lead_country
        latest = country_table(link.indicator, link.typology, None, [country]).get(country.code)
        indicators.append((link, country, latest))
    can_report = roadmap.can_report(request.user, action)
    today = date.today()
    return render(request, "cooperation/action_detail.html", {
        "action": action, "reports": reports, "indicators": indicators, "today": today,
        "overdue": action.end < today and action.status not in roadmap.CLOSED_STATUSES,
        "can_report": can_report, "can_edit": permissions.can(request.user, "change", action),
        # Who reported is for members: public pages never name editors.
        "show_authors": permissions.is_member(request.user),
        "form": form or (ProgressReportForm(initial={"date": today, "progress": action.progress})
                         if can_report else None),
        "agreement": Agreement.objects.filter(action=action).select_related("meeting").first(),
        "is_sample": action.is_sample or any(r.is_sample for r in reports)})


@login_required
@require_POST
def report_progress(request, code):
    action = get_object_or_404(Action.objects.select_related("lead_country"), code=code)
    if not roadmap.can_report(request.user, action):
        raise PermissionDenied(_("Only the countries and networks that answer for %(action)s report its progress.")
                               % {"action": action})
    if _too_big(request):
        return redirect(action)
    form = ProgressReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            roadmap.report_progress(action, request.user, progress=data["progress"], text=data["text"],
                                    day=data["date"], link=data["link"], upload=data["evidence"])
        except ValidationError as exc:
            _say_errors(request, exc)
        else:
            messages.success(request, _("Progress reported: %(progress)s %%.") % {"progress": data["progress"]})
            return redirect(action)
    else:
        _say_form_errors(request, form)
    # Refused: the page again, with the form as it was typed (the file must be chosen again).
    return action_detail(request, code, form=form)


def evidence_file(request, pk):
    report = get_object_or_404(ProgressReport.objects.exclude(evidence=""), pk=pk)
    return _send_file(report.evidence, report.evidence_type, report.evidence_name,
                      inline=report.evidence_type.startswith("image/") or report.evidence_type == "application/pdf")



def whats_new(request, code):
    """What changed for a country lately (news.country_changes: only what the visitor may read) and the meetings
    and agenda ahead."""
    country = get_object_or_404(Country, code=code.upper())
    rows = news.country_changes(country, request.user, days=news.NEWS_DAYS)
    today = date.today()
    return render(request, "cooperation/whats_new.html", {
        "country": country, "rows": rows, "days": news.NEWS_DAYS,
        "meetings": Meeting.objects.filter(end_date__gte=today).order_by("start_date")[:5],
        "activities": Activity.objects.filter(country=country, end__gte=today).order_by("start")[:10]})
