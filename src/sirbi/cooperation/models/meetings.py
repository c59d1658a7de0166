import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.languages import text, translated
from sirbi.core.markup import validate_plain_text
from sirbi.core.permissions import SecretariatOwned
from sirbi.registry.models import Country, Network

from ..choices import (
    AgreementStatus,
    DocumentKind,
    MeetingKind,
    ParticipantRole,
    RegistrationStatus,
    SessionKind,
    Visibility,
)
from .partners import Partner

plain = [validate_plain_text]


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a time zone (use a name such as America/Lima)."),
                              params={"value": value})


@translated("title", "description")
class Meeting(SecretariatOwned, ChangeLoggedModel):
    """A meeting of the network: in person, online or both, over one or several days."""

    title = models.CharField(_("title"), max_length=250, validators=plain)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    timezone = models.CharField(_("time zone"), max_length=60, default="America/Lima", validators=[validate_timezone],
                                help_text=_("The times of the sessions are in this time zone."))
    city = models.CharField(_("city"), max_length=120, blank=True, validators=plain)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("country"))
    venue = models.CharField(_("venue"), max_length=250, blank=True, validators=plain)
    online_url = models.URLField(_("online link"), blank=True)
    hosts = models.ManyToManyField(Partner, blank=True, related_name="hosted_meetings", verbose_name=_("hosts"))
    partners = models.ManyToManyField(Partner, blank=True, related_name="partnered_meetings",
                                      verbose_name=_("partners"))
    countries = models.ManyToManyField(Country, blank=True, related_name="+", verbose_name=_("countries taking part"),
                                       help_text=_("Countries known to have taken part."))
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True, validators=[MinValueValidator(1)],
                                           help_text=_("Empty: no limit. When full, registrations go to a waiting "
                                                       "list."))
    registration_open = models.BooleanField(_("registration open"), default=False)
    working_group = models.ForeignKey("cooperation.WorkingGroup", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="meetings", verbose_name=_("working group"),
                                      help_text=_("For the sessions of a working group."))
    source_url = models.URLField(_("source"), max_length=500, blank=True,
                                 help_text=_("The public page these facts were read from."))
    is_sample = models.BooleanField(_("sample data"), default=False,
                                    help_text=_("Parts of this meeting (agenda, delegations, agreements) are invented "
                                                "for the demonstration."))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start_date", "title"]

    def __str__(self):
        return text(self, "title").text

    def get_absolute_url(self):
        return reverse("cooperation:meeting", args=[self.pk])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day (%(end)s) is before the first day (%(start)s).")
                                   % {"end": self.end_date, "start": self.start_date}})

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_online(self):
        return bool(self.online_url)


@translated("title", "description")
class Session(SecretariatOwned, ChangeLoggedModel):
    """One item of a meeting's agenda, at a local time of the meeting's time zone."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("meeting"))
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices, default=SessionKind.PLENARY)
    title = models.CharField(_("title"), max_length=250, validators=plain)
    date = models.DateField(_("day"))
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    room = models.CharField(_("room"), max_length=120, blank=True, validators=plain)
    speakers = models.CharField(_("speakers"), max_length=500, blank=True, validators=plain)
    moderators = models.CharField(_("moderators"), max_length=300, blank=True, validators=plain)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "start_time", "pk"]

    def __str__(self):
        return text(self, "title").text

    def clean(self):
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The session ends (%(end)s) before it starts (%(start)s).") % {
                "end": self.end_time.strftime("%H:%M"), "start": self.start_time.strftime("%H:%M")}
        meeting = self.meeting if self.meeting_id else None
        if meeting and self.date and not meeting.start_date <= self.date <= meeting.end_date:
            errors["date"] = _("The meeting runs from %(start)s to %(end)s; %(day)s is outside it.") % {
                "start": meeting.start_date, "end": meeting.end_date, "day": self.date}
        if errors:
            raise ValidationError(errors)

    def starts_at(self):
        """The start as an aware datetime in the meeting's time zone."""
        return datetime.combine(self.date, self.start_time, tzinfo=self.meeting.tz)

    def ends_at(self):
        return datetime.combine(self.date, self.end_time, tzinfo=self.meeting.tz)


class Participant(models.Model):
    """A person registered for a meeting: a country's delegate or a guest."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants",
                                verbose_name=_("meeting"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="registrations", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=200, validators=plain)
    email = models.EmailField(_("e-mail"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=250, blank=True, validators=plain)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("delegation"), help_text=_("Empty for guests."))
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.DELEGATE)
    status = models.CharField(_("registration"), max_length=20, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.REQUESTED)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    public_consent = models.BooleanField(
        _("show my name in the public list of participants"), default=False)
    registered = models.DateTimeField(_("registered"), auto_now_add=True)
    decided = models.DateTimeField(_("decided"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["registered", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_registration_per_user",
                                               condition=models.Q(user__isnull=False))]

    def __str__(self):
        return self.name


def document_path(version, filename):
    return f"cooperation/documents/{version.document_id}/{version.number}.{version.extension}"


class Document(models.Model):
    """A document of a meeting (agenda, presentation, photo, minutes): its versions keep every upload."""

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="documents",
                                verbose_name=_("meeting"))
    working_group = models.ForeignKey("cooperation.WorkingGroup", null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="documents", verbose_name=_("working group"))
    partnership = models.ForeignKey("cooperation.PartnershipAgreement", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="documents",
                                    verbose_name=_("partnership agreement"))
    title = models.CharField(_("title"), max_length=250, validators=plain)
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    visibility = models.CharField(_("who may read it"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.MEMBERS)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "title", "pk"]

    def __str__(self):
        return self.title

    @property
    def owner(self):
        """The meeting or working group the document belongs to."""
        return self.meeting or self.working_group or self.partnership

    def latest(self):
        versions = list(self.versions.all())  # prefetched by the pages
        return max(versions, key=lambda v: v.number) if versions else None


class DocumentVersion(models.Model):
    """One upload of a document; the type is the one read from the content."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions",
                                 verbose_name=_("document"))
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=250)
    media_type = models.CharField(_("type"), max_length=120)
    extension = models.CharField(_("extension"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True, validators=plain)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version")]

    def __str__(self):
        return f"{self.document} v{self.number}"


@translated("text")
class Agreement(SecretariatOwned, ChangeLoggedModel):
    """An agreement recorded in a meeting's minutes: who answers for it and by when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agreements",
                                verbose_name=_("meeting"))
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("agreement"), max_length=2000, validators=plain)
    countries = models.ManyToManyField(Country, blank=True, related_name="+", verbose_name=_("responsible countries"))
    networks = models.ManyToManyField(Network, blank=True, related_name="+", verbose_name=_("responsible networks"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AgreementStatus.choices,
                              default=AgreementStatus.OPEN)
    action = models.OneToOneField("cooperation.Action", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="agreement", verbose_name=_("roadmap action"))
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_number_per_agreement")]

    def __str__(self):
        return f"{self.meeting} · {self.number}"

    def clean(self):
        if self.deadline and self.meeting_id and self.deadline < self.meeting.start_date:
            raise ValidationError({"deadline": _("The deadline is before the meeting that agreed it.")})
