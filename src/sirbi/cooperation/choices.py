from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    REGIONAL = "regional", _("Regional meeting")
    NETWORK = "network", _("Network meeting")
    WORKING_GROUP = "working_group", _("Working-group session")
    WEBINAR = "webinar", _("Webinar")


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    PANEL = "panel", _("Panel")
    WORKING_GROUP = "working_group", _("Working group")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class ParticipantRole(models.TextChoices):
    HEAD = "head", _("Head of delegation")
    DELEGATE = "delegate", _("Delegate")
    SPEAKER = "speaker", _("Speaker")
    GUEST = "guest", _("Guest")
    ORGANISER = "organiser", _("Organiser")


class RegistrationStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", _("Agenda")
    PRESENTATION = "presentation", _("Presentation")
    PHOTO = "photo", _("Photo")
    MINUTES = "minutes", _("Minutes")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Fulfilled")
    DROPPED = "dropped", _("Dropped")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Actions in these states are finished: never overdue; cancelled ones do not count in the roll-up.
CLOSED_STATUSES = {ActionStatus.DONE, ActionStatus.CANCELLED}


class PartnerKind(models.TextChoices):
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
    ASSOCIATION = "association", _("International association")
    MINISTRY = "ministry", _("Ministry or government body")
    LIBRARY = "library", _("Library or library network")
    FOUNDATION = "foundation", _("Foundation")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")
