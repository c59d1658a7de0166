from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.languages import text, translated
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys
from sirbi.registry.models import Country, Network
from sirbi.registry.validators import validate_latitude, validate_longitude

plain = [validate_plain_text]


@translated("title", "description")
class Activity(ChangeLoggedModel):
    """A programme or activity of library development and reading promotion in a member country: the
    regional agenda the countries share (reading plans, campaigns, book fairs, training)."""

    class Kind(models.TextChoices):
        READING_PLAN = "reading_plan", _("National reading plan")
        CAMPAIGN = "campaign", _("Campaign")
        BOOK_FAIR = "book_fair", _("Book fair")
        TRAINING = "training", _("Training")
        FESTIVAL = "festival", _("Festival or celebration")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=250, validators=plain)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("network"))
    organiser = models.CharField(_("organiser"), max_length=250, blank=True, validators=plain)
    city = models.CharField(_("city"), max_length=120, blank=True, validators=plain)
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    url = models.URLField(_("web page"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    is_sample = models.BooleanField(_("sample data"), default=False)

    permission_roles = {"add": {Role.COORDINATOR, Role.NETWORK_MANAGER},
                        "change": {Role.COORDINATOR, Role.NETWORK_MANAGER}, "delete": {Role.COORDINATOR}}

    class Meta:
        verbose_name = _("agenda activity")
        verbose_name_plural = _("agenda activities")
        ordering = ["start", "title"]
        indexes = [models.Index(fields=["start", "end"])]

    def __str__(self):
        return text(self, "title").text

    def get_absolute_url(self):
        return reverse("cooperation:activity", args=[self.pk])

    def scope_keys(self):
        return ScopeKeys(countries=frozenset({self.country.code}), networks=frozenset({self.network_id} - {None}))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return Q(country__code__in=countries) | Q(network__in=networks)

    def changelog_country(self):
        return self.country.code

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("It ends (%(end)s) before it starts (%(start)s).") % {"end": self.end,
                                                                                   "start": self.start}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both the latitude and the longitude, or neither.")
        if self.network_id and self.country_id and self.network.country_id != self.country_id:
            errors["network"] = _("The network is not of %(country)s.") % {"country": self.country}
        if errors:
            raise ValidationError(errors)

    @property
    def point(self):
        """Where the map shows it: its own coordinates, or its country's."""
        if self.latitude is not None:
            return self.latitude, self.longitude
        if self.country.latitude is not None:
            return self.country.latitude, self.country.longitude
        return None
