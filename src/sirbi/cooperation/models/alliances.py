from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.languages import text, translated, translated_columns
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys
from sirbi.core.text import fold
from sirbi.registry.models import Country, Library, Network

from .partners import NeedArea, Partner

plain = [validate_plain_text]
EXPIRY_NOTICE_DAYS = 60


class AgreementScope(models.TextChoices):
    LOANS = "loans", _("Interlibrary loan")
    TRAINING = "training", _("Training")
    DONATIONS = "donations", _("Donations")
    DATA = "data", _("Data exchange")
    OTHER = "other", _("Other")


def validate_scopes(value):
    allowed = set(AgreementScope.values)
    if not isinstance(value, list) or not value or any(v not in allowed for v in value):
        raise ValidationError(_("Choose one or more of: %(scopes)s.") % {"scopes": ", ".join(sorted(allowed))})


@translated("title", "description")
class PartnershipAgreement(ChangeLoggedModel):
    """An agreement between networks, or between networks and partners: who signed, when, for how long,
    what it covers. The coordinators and managers of the signatory networks keep it."""

    title = models.CharField(_("title"), max_length=250, validators=plain)
    networks = models.ManyToManyField(Network, blank=True, related_name="partnership_agreements",
                                      verbose_name=_("signatory networks"))
    partners = models.ManyToManyField(Partner, blank=True, related_name="partnership_agreements",
                                      verbose_name=_("signatory partners"))
    signed = models.DateField(_("signed on"))
    starts = models.DateField(_("valid from"))
    ends = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: no end date."))
    scopes = models.JSONField(_("scope"), default=list, validators=[validate_scopes])
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    url = models.URLField(_("link to the text"), max_length=500, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    permission_roles = {"add": {Role.COORDINATOR, Role.NETWORK_MANAGER},
                        "change": {Role.COORDINATOR, Role.NETWORK_MANAGER}, "delete": {Role.COORDINATOR}}

    class Meta:
        verbose_name = _("partnership agreement")
        verbose_name_plural = _("partnership agreements")
        ordering = ["-signed", "title"]

    def __str__(self):
        return text(self, "title").text

    def get_absolute_url(self):
        return reverse("cooperation:partnership", args=[self.pk])

    def scope_keys(self):
        networks = list(self.networks.select_related("country")) if self.pk else []
        return ScopeKeys(countries=frozenset(n.country.code for n in networks),
                         networks=frozenset(n.pk for n in networks))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return Q(networks__country__code__in=countries) | Q(networks__in=networks)

    def clean(self):
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": _("It ends (%(ends)s) before it starts (%(starts)s).")
                                   % {"ends": self.ends, "starts": self.starts}})

    def validity(self, today=None):
        """'upcoming', 'active', 'expiring' (within EXPIRY_NOTICE_DAYS) or 'expired'."""
        today = today or date.today()
        if today < self.starts:
            return "upcoming"
        if self.ends is None:
            return "active"
        if self.ends < today:
            return "expired"
        return "expiring" if self.ends <= today + timedelta(days=EXPIRY_NOTICE_DAYS) else "active"


class SDG(models.IntegerChoices):
    """The UN Sustainable Development Goals a practice contributes to (their numbers)."""

    NO_POVERTY = 1, _("1 No poverty")
    ZERO_HUNGER = 2, _("2 Zero hunger")
    HEALTH = 3, _("3 Good health and well-being")
    EDUCATION = 4, _("4 Quality education")
    GENDER = 5, _("5 Gender equality")
    WATER = 6, _("6 Clean water and sanitation")
    ENERGY = 7, _("7 Affordable and clean energy")
    WORK = 8, _("8 Decent work and economic growth")
    INNOVATION = 9, _("9 Industry, innovation and infrastructure")
    INEQUALITY = 10, _("10 Reduced inequalities")
    CITIES = 11, _("11 Sustainable cities and communities")
    CONSUMPTION = 12, _("12 Responsible consumption and production")
    CLIMATE = 13, _("13 Climate action")
    OCEANS = 14, _("14 Life below water")
    LAND = 15, _("15 Life on land")
    PEACE = 16, _("16 Peace, justice and strong institutions")
    PARTNERSHIPS = 17, _("17 Partnerships for the goals")


def validate_sdgs(value):
    if not isinstance(value, list) or any(v not in SDG.values for v in value):
        raise ValidationError(_("The goals are numbers from 1 to 17."))


def practice_image_path(practice, filename):
    return f"cooperation/practices/{practice.token}.{practice.image_extension}"


@translated("title", "summary")
class GoodPractice(ChangeLoggedModel):
    """A practice a network or library shares; the secretariat publishes it after reading it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not published")

    title = models.CharField(_("title"), max_length=250, validators=plain)
    summary = models.TextField(_("summary"), max_length=5000, help_text=_("Markdown."))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("network"))
    library = models.ForeignKey(Library, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("library"))
    themes = models.ManyToManyField(NeedArea, blank=True, related_name="practices", verbose_name=_("themes"))
    sdgs = models.JSONField(_("sustainable development goals"), default=list, blank=True,
                            validators=[validate_sdgs])
    link = models.URLField(_("link"), max_length=500, blank=True)
    image = models.FileField(_("image"), upload_to=practice_image_path, blank=True, max_length=200)
    image_type = models.CharField(max_length=40, blank=True)
    image_extension = models.CharField(max_length=10, blank=True)
    token = models.CharField(max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    moderation_note = models.CharField(_("moderation note"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("shared by"))
    search_text = models.TextField(editable=False, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    permission_roles = {"add": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF},
                        "change": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF}, "delete": set()}

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return text(self, "title").text

    def get_absolute_url(self):
        return reverse("cooperation:practice", args=[self.pk])

    def scope_keys(self):
        return ScopeKeys(countries=frozenset({self.country.code}),
                         networks=frozenset({self.network_id} - {None}),
                         libraries=frozenset({self.library_id} - {None}))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return Q(country__code__in=countries) | Q(network__in=networks) | Q(library__in=libraries)

    def changelog_country(self):
        return self.country.code

    @classmethod
    def public_q(cls):
        """Practices waiting for moderation or not published: their author's scope and the secretariat."""
        return Q(status=cls.Status.PUBLISHED)

    def save(self, *args, **kwargs):
        # Folded words for the search box, and " sdg4 " tokens for the goal filter (portable, no JSON lookups).
        # Every language's title and summary: a search in Portuguese finds the Portuguese text.
        words = " ".join(getattr(self, name) for name in translated_columns(type(self)))
        self.search_text = fold(words) + " " + "".join(f" sdg{n} " for n in self.sdgs)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.network_id and self.country_id and self.network.country_id != self.country_id:
            errors["network"] = _("The network is not of %(country)s.") % {"country": self.country}
        if self.library_id and self.country_id and self.library.country_id != self.country_id:
            errors["library"] = _("The library is not in %(country)s.") % {"country": self.country}
        if errors:
            raise ValidationError(errors)
