"""Meetings: registration with approval, a limit and a waiting list; documents with versions; agreements that
become roadmap actions and carry over to the next meeting until they are fulfilled."""

import hashlib
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sirbi.core import notifications, permissions
from sirbi.core.changelog import save_object
from sirbi.core.filetypes import detect
from sirbi.registry.models import Country

from .. import notify
from ..choices import CLOSED_STATUSES, ActionStatus, AgreementStatus, RegistrationStatus, Visibility
from ..models import Action, Agreement, Document, DocumentVersion, Meeting, Participant

HOLDS_PLACE = (RegistrationStatus.REQUESTED, RegistrationStatus.APPROVED)
ACTIVE = (*HOLDS_PLACE, RegistrationStatus.WAITLISTED)


class RegistrationError(ValidationError):
    pass


def require_organiser(user):
    """The meetings are organised by the secretariat alone."""
    permissions.require_secretariat(user, _("manage the meetings"))


def delegation_countries(user):
    """The countries a user may register for as a delegate: those they coordinate (all for the secretariat)."""
    return permissions.scope(user, "change", Country).narrow(Country.objects.filter(is_member=True))


def places_taken(meeting):
    return meeting.participants.filter(status__in=HOLDS_PLACE).count()


def register(meeting, user, *, name, email="", organisation="", country=None, role="delegate",
             public_consent=False, today=None):
    """Register a signed-in person: awaiting approval while there are places, on the waiting list when full."""
    today = today or date.today()
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to register."))
    if not meeting.registration_open:
        raise RegistrationError(_("Registration for %(meeting)s is closed.") % {"meeting": meeting})
    if meeting.end_date < today:
        raise RegistrationError(_("%(meeting)s is over.") % {"meeting": meeting})
    if country is not None and not delegation_countries(user).filter(pk=country.pk).exists():
        yours = ", ".join(str(c) for c in delegation_countries(user)) or _("none")
        raise PermissionDenied(_("You register for the delegations of the countries you coordinate (%(yours)s); "
                                 "%(country)s is not one of them.") % {"yours": yours, "country": country})
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # one registration at a time
        existing = meeting.participants.filter(user=user).first()
        if existing and existing.status in ACTIVE:
            raise RegistrationError(_("You are already registered (%(status)s).")
                                    % {"status": existing.get_status_display()})
        full = meeting.capacity is not None and places_taken(meeting) >= meeting.capacity
        participant = existing or Participant(meeting=meeting, user=user)
        participant.name, participant.email, participant.organisation = name, email, organisation
        participant.country, participant.role, participant.public_consent = country, role, public_consent
        participant.status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REQUESTED
        participant.attended, participant.decided = None, None
        participant.full_clean(exclude=["user", "meeting"])
        participant.save()
    confirm_registration(participant)
    return participant


def confirm_registration(participant):
    """Tell the person that their registration arrived (their account, and the address they gave if another)."""
    meeting = participant.meeting
    if participant.status == RegistrationStatus.WAITLISTED:
        body = _("%(meeting)s is full: you are on the waiting list. You will hear from us if a place becomes free.")
    else:
        body = _("We received your registration for %(meeting)s (%(start)s to %(end)s); the secretariat will "
                 "confirm your place.")
    notifications.notify([participant.user, participant.email],
                _("Registration received: %(meeting)s") % {"meeting": meeting},
                body % {"meeting": meeting, "start": meeting.start_date, "end": meeting.end_date},
                meeting.get_absolute_url())


def approve(participant, user):
    require_organiser(user)
    meeting = participant.meeting
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        participant.refresh_from_db()
        if participant.status not in (RegistrationStatus.REQUESTED, RegistrationStatus.WAITLISTED):
            raise RegistrationError(_("%(name)s's registration is %(status)s; it cannot be approved.")
                                    % {"name": participant.name, "status": participant.get_status_display()})
        approved = meeting.participants.filter(status=RegistrationStatus.APPROVED).count()
        if meeting.capacity is not None and approved >= meeting.capacity:
            raise RegistrationError(_("All %(capacity)s places are taken: decline or cancel someone first.")
                                    % {"capacity": meeting.capacity})
        participant.status, participant.decided = RegistrationStatus.APPROVED, timezone.now()
        participant.save(update_fields=["status", "decided"])
    notify.send([participant], _("Your registration for %(meeting)s is approved") % {"meeting": meeting},
                _("You are registered for %(meeting)s (%(start)s to %(end)s).")
                % {"meeting": meeting, "start": meeting.start_date, "end": meeting.end_date})
    return participant


def _release(participant, status, user):
    meeting = participant.meeting
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        participant.status, participant.decided = status, timezone.now()
        participant.save(update_fields=["status", "decided"])
        promoted = promote_waiting(meeting)
    return promoted


def decline(participant, user):
    require_organiser(user)
    if participant.status not in ACTIVE:
        raise RegistrationError(_("%(name)s's registration is already %(status)s.")
                                % {"name": participant.name, "status": participant.get_status_display()})
    return _release(participant, RegistrationStatus.DECLINED, user)


def cancel(participant, user):
    """The participant (or the secretariat) withdraws; the first on the waiting list moves up."""
    if participant.user_id != getattr(user, "pk", None) and not permissions.is_secretariat(user):
        raise PermissionDenied(_("You may cancel only your own registration."))
    if participant.status not in ACTIVE:
        raise RegistrationError(_("This registration is already %(status)s.")
                                % {"status": participant.get_status_display()})
    return _release(participant, RegistrationStatus.CANCELLED, user)


def promote_waiting(meeting):
    """Move people from the waiting list to 'awaiting approval' while places are free (call in a transaction)."""
    promoted = []
    if meeting.capacity is None:
        waiting = meeting.participants.filter(status=RegistrationStatus.WAITLISTED)
    else:
        free = meeting.capacity - places_taken(meeting)
        waiting = meeting.participants.filter(status=RegistrationStatus.WAITLISTED)[:max(free, 0)]
    for participant in waiting:
        participant.status = RegistrationStatus.REQUESTED
        participant.save(update_fields=["status"])
        promoted.append(participant)
    for participant in promoted:
        notify.send([participant], _("A place is free for you at %(meeting)s") % {"meeting": meeting},
                    _("You have left the waiting list of %(meeting)s; the secretariat will confirm your place.")
                    % {"meeting": meeting})
    return promoted


def set_attendance(participant, attended, user):
    require_organiser(user)
    if participant.status != RegistrationStatus.APPROVED:
        raise RegistrationError(_("Only approved participants can be marked as present or absent."))
    participant.attended = attended
    participant.save(update_fields=["attended"])


def public_participants(meeting):
    """The participant list the public sees: approved people who agreed to be listed."""
    return meeting.participants.filter(status=RegistrationStatus.APPROVED, public_consent=True).select_related(
        "country")


# Documents -----------------------------------------------------------------------------------------------

def readable_documents(meeting, user):
    return visible_documents(meeting.documents.prefetch_related("versions"), user)


def visible_documents(documents, user):
    if not permissions.is_member(user):
        documents = documents.filter(visibility=Visibility.PUBLIC)
    return documents


def can_read(document, user):
    return document.visibility == Visibility.PUBLIC or permissions.is_member(user)


def store_version(document, upload, user, note=""):
    detected = detect(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = DocumentVersion(document=document, number=number, original_name=upload.name[:250],
                              media_type=detected.media_type, extension=detected.extension, size=upload.size,
                              sha256=digest.hexdigest(), note=note, uploaded_by=user)
    version.full_clean(exclude=["file", "document", "uploaded_by"])
    version.file.save(upload.name, upload, save=False)
    version.save()
    return version


def add_document(meeting, user, *, title, kind, visibility, upload, note=""):
    """A new document with its first version; the file's type is checked before anything is stored."""
    require_organiser(user)
    with transaction.atomic():
        document = Document(meeting=meeting, title=title, kind=kind, visibility=visibility)
        document.full_clean(exclude=["meeting"])
        document.save()
        store_version(document, upload, user, note)
    return document


def add_version(document, user, upload, note=""):
    """A new version of a meeting's document (the secretariat) or of a working group's (its members)."""
    if document.working_group_id:
        if not permissions.in_group(user, document.working_group):
            raise PermissionDenied(_("Only the members of %(group)s keep its content.")
                                   % {"group": document.working_group})
    else:
        require_organiser(user)
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        return store_version(document, upload, user, note)


# Agreements ----------------------------------------------------------------------------------------------

def effective_status(agreement):
    """An agreement turned into an action is fulfilled when the action is done, dropped when it is cancelled."""
    action = agreement.action
    if action is None:
        return agreement.status
    if action.status == ActionStatus.DONE:
        return AgreementStatus.DONE
    if action.status == ActionStatus.CANCELLED:
        return AgreementStatus.DROPPED
    return AgreementStatus.OPEN


def carried_over(meeting):
    """Agreements of earlier meetings that are still open: they come back on this meeting's agenda."""
    return (Agreement.objects.filter(meeting__start_date__lt=meeting.start_date, status=AgreementStatus.OPEN)
            .filter(Q(action__isnull=True) | ~Q(action__status__in=CLOSED_STATUSES))
            .select_related("meeting", "action").prefetch_related("countries", "networks")
            .order_by("meeting__start_date", "number"))


def next_agreement_number(meeting):
    return (meeting.agreements.order_by("-number").values_list("number", flat=True).first() or 0) + 1


def to_action(agreement, user, *, objective, code, weight=1, title="", lead_country=None):
    """Turn an agreement into a roadmap action in one step: its responsible countries and networks become the
    action's owners (the first country leads), its deadline the action's end."""
    require_organiser(user)
    if agreement.action_id:
        raise ValidationError(_("This agreement is already the action %(action)s.") % {"action": agreement.action})
    countries = sorted(agreement.countries.all(), key=lambda c: c.code)
    if not countries:
        raise ValidationError(_("Name at least one responsible country before turning the agreement into an "
                                "action."))
    if agreement.deadline is None:
        raise ValidationError(_("Give the agreement a deadline before turning it into an action."))
    if lead_country is not None:
        if lead_country not in countries:
            raise ValidationError(_("The lead country must be one of the agreement's responsible countries."))
        countries = [lead_country] + [c for c in countries if c != lead_country]
    meeting = agreement.meeting
    start = min(meeting.end_date, agreement.deadline)
    action = Action(objective=objective, code=code, title=(title or agreement.text)[:250], lead_country=countries[0],
                    start=start, end=agreement.deadline, weight=weight, status=ActionStatus.PLANNED,
                    is_sample=agreement.is_sample,
                    description=_("Agreed at %(meeting)s (agreement %(number)s).")
                    % {"meeting": meeting, "number": agreement.number})
    action.full_clean()
    with transaction.atomic():
        save_object(action, user=user, m2m={"countries": [c.pk for c in countries[1:]],
                                            "networks": [n.pk for n in agreement.networks.all()]},
                    message=_("From agreement %(number)s of %(meeting)s") % {"number": agreement.number,
                                                                             "meeting": meeting})
        agreement.action = action
        save_object(agreement, user=user, message=_("Turned into action %(code)s") % {"code": code})
    notify.send(notify.coordinators_of([c.code for c in countries]),
                _("A roadmap action for your country: %(action)s") % {"action": action},
                _("Agreed at %(meeting)s; %(lead)s leads it; due %(end)s.")
                % {"meeting": meeting, "lead": action.lead_country, "end": action.end}, action.get_absolute_url())
    return action
