"""Statistics: the indicator catalogue, population denominators and reported values."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys, SecretariatOwned  # noqa: F401 (migrations name it here)
from sirbi.registry.models import Country, Library, Network, Subdivision

from .choices import Aggregation, Counted, Direction, Method, Source, Typology, Unit, ValueStatus


def _in_language(obj, stem):
    language = (get_language() or "es")[:2]
    return getattr(obj, f"{stem}_{language}", None) or getattr(obj, f"{stem}_en")


def unit_key(country_code, network_id=None, library_id=None):
    """What a figure describes, as stored in Value.unit_key: "PE", "network:12" or "library:345"."""
    if library_id:
        return f"library:{library_id}"
    if network_id:
        return f"network:{network_id}"
    return country_code


class Indicator(SecretariatOwned, ChangeLoggedModel):
    """An indicator of the catalogue. Base indicators are reported; derived ones are computed from a
    numerator and a denominator (another indicator or the population), never typed."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=200)
    name_pt = models.CharField(_("name in Portuguese"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    definition_es = models.TextField(_("definition in Spanish"), blank=True)
    definition_pt = models.TextField(_("definition in Portuguese"), blank=True)
    definition_en = models.TextField(_("definition in English"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.COUNT)
    level_library = models.BooleanField(_("reported by libraries"), default=True)
    level_network = models.BooleanField(_("reported by networks"), default=True)
    level_country = models.BooleanField(_("reported by countries"), default=True)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices,
                                   default=Aggregation.SUM)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.HIGHER)
    standard = models.CharField(_("standard reference"), max_length=200, blank=True,
                                help_text=_("The ISO 2789 data element or ISO 11620 indicator it follows."))
    numerator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("numerator"))
    denominator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("denominator"),
                                    help_text=_("Leave empty to divide by the population."))
    multiplier = models.FloatField(_("multiplier"), default=1, help_text=_("For example 100000 for a rate per "
                                                                          "100,000 inhabitants."))
    counts = models.CharField(_("counts libraries as"), max_length=20, choices=Counted.choices, blank=True,
                              default=Counted.NOT_LIBRARIES,
                              help_text=_("For indicators that count libraries (or divide by their number)."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return _in_language(self, "name")

    @property
    def definition(self):
        return _in_language(self, "definition")

    @property
    def is_derived(self):
        return self.numerator_id is not None

    def get_absolute_url(self):
        return reverse("stats:indicator", args=[self.code])



class NeedRule(SecretariatOwned, ChangeLoggedModel):
    """How the secretariat turns an indicator into needs: a country whose figure is on the weaker side of
    the regional median (the default for every derived indicator) or of a threshold it sets."""

    class Kind(models.TextChoices):
        MEDIAN = "regional_median", _("weaker than the regional median")
        THRESHOLD = "threshold", _("weaker than a threshold")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="need_rules",
                                  verbose_name=_("indicator"))
    typology = models.CharField(_("library type"), max_length=20, choices=Typology.choices, default=Typology.PUBLIC)
    kind = models.CharField(_("rule"), max_length=20, choices=Kind.choices, default=Kind.MEDIAN)
    threshold = models.FloatField(_("threshold"), null=True, blank=True,
                                  help_text=_("In the indicator's unit; for the threshold rule."))
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("Off: the indicator gives no needs for this library type."))

    class Meta:
        verbose_name = _("need rule")
        verbose_name_plural = _("need rules")
        constraints = [models.UniqueConstraint(fields=["indicator", "typology"], name="need_rule_per_typology")]

    def __str__(self):
        return f"{self.indicator} ({self.typology}): {self.get_kind_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.THRESHOLD and self.threshold is None:
            raise ValidationError({"threshold": _("Give the threshold.")})


class Population(models.Model):
    """Inhabitants of a country (or one of its subdivisions) in a year, with where the figure comes from."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="populations",
                                verbose_name=_("country"))
    subdivision = models.ForeignKey(Subdivision, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="populations", verbose_name=_("subdivision"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveBigIntegerField(_("inhabitants"))
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("populations")
        ordering = ["country__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["country", "year"], condition=Q(subdivision__isnull=True),
                                    name="population_country_year"),
            models.UniqueConstraint(fields=["subdivision", "year"], condition=Q(subdivision__isnull=False),
                                    name="population_subdivision_year"),
        ]

    def __str__(self):
        return f"{self.subdivision or self.country} {self.year}: {self.value}"


class Campaign(SecretariatOwned, ChangeLoggedModel):
    """A yearly reporting campaign opened by the secretariat: which indicators, for which levels and
    library types, until when."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("in preparation")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year reported"))
    indicators = models.ManyToManyField(Indicator, related_name="campaigns", verbose_name=_("indicators"),
                                        limit_choices_to={"numerator__isnull": True})
    level_country = models.BooleanField(_("countries report"), default=True)
    level_network = models.BooleanField(_("networks report"), default=False)
    level_library = models.BooleanField(_("libraries report"), default=False)
    typologies = models.JSONField(_("library types"), default=list,
                                  help_text=_("The library types countries and networks report for."))
    languages = models.JSONField(_("languages"), default=list)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    instructions = models.TextField(_("instructions"), blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "-created"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("stats-campaigns:detail", args=[self.pk])

    @classmethod
    def public_q(cls):
        """A campaign in preparation is the secretariat's; once open the members read it (its pages say who)."""
        return ~Q(status=cls.Status.DRAFT)



class ValueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ValueStatus.PUBLISHED)

    def country_level(self):
        return self.filter(network__isnull=True, library__isnull=True)


class Value(ChangeLoggedModel):
    """One figure: an indicator for a country, network or library, a typology and a year, from one source.

    Several sources for the same figure live side by side (one row each); SOURCE_PRIORITY says which one
    is shown. Only published values reach the public.
    """

    # The indicator and campaign are indexed by the composite indexes below.
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values",
                                  verbose_name=_("indicator"), db_index=False)
    typology = models.CharField(_("library type"), max_length=20, choices=Typology.choices, default=Typology.ALL)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="stat_values",
                                verbose_name=_("country"), db_index=False)
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="stat_values", verbose_name=_("network"))
    library = models.ForeignKey(Library, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="stat_values", verbose_name=_("library"))
    # "PE", "network:12" or "library:345": what the figure describes, for uniqueness and grouping.
    unit_key = models.CharField(max_length=40, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"), validators=[MinValueValidator(0)])
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_name = models.CharField(_("source name"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.COUNT)
    note = models.TextField(_("note"), blank=True, validators=[validate_plain_text])
    status = models.CharField(_("status"), max_length=20, choices=ValueStatus.choices, default=ValueStatus.DRAFT)
    flags = models.JSONField(_("checks"), default=list, blank=True,
                             help_text=_("Warnings of the checks on entry; each needs a justification."))
    justification = models.TextField(_("justification"), blank=True, validators=[validate_plain_text])
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    is_sample = models.BooleanField(_("sample data"), default=False, help_text=_("Invented for the demonstration."))
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="values",
                                 verbose_name=_("campaign"), db_index=False)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = ValueQuerySet.as_manager()

    permission_roles = {
        "add": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF},
        "change": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF},
        "delete": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF},
    }

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        ordering = ["indicator__position", "country__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "typology", "unit_key", "year", "source"],
                                    name="value_one_per_source"),
        ]
        indexes = [
            models.Index(fields=["indicator", "year", "status", "country"]),
            models.Index(fields=["country", "year"]),
            models.Index(fields=["campaign", "unit_key"]),
        ]

    def __str__(self):
        return self.describe(self.indicator.code, self.unit_key, self.typology, self.year, self.value)

    @staticmethod
    def describe(indicator_code, key, typology, year, value):
        """A value's name from plain values (what bulk writes log, without building the Value)."""
        return f"{indicator_code} {key} {typology} {year}: {value}"

    @property
    def level(self):
        return "library" if self.library_id else "network" if self.network_id else "country"

    def make_unit_key(self):
        return unit_key(self.country.code, self.network_id, self.library_id)

    def save(self, *args, **kwargs):
        self.unit_key = self.make_unit_key()
        super().save(*args, **kwargs)

    def scope_keys(self):
        if self.library_id:
            networks = frozenset(self.library.networks.values_list("pk", flat=True))
        else:
            networks = frozenset({self.network_id}) if self.network_id else frozenset()
        return ScopeKeys(
            countries=frozenset({self.country.code}),
            networks=networks,
            libraries=frozenset({self.library_id}) if self.library_id else frozenset(),
        )

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        # A coordinator reports for their country and its networks and libraries; a network manager for
        # the network and its libraries; library staff for their library.
        return (Q(country__code__in=countries) | Q(network__in=networks)
                | Q(library__networks__in=networks) | Q(library__in=libraries))

    def changelog_country(self):
        return self.country.code

    @classmethod
    def public_q(cls):
        """Figures before publication are read by the roles that report them and the secretariat only."""
        return Q(status=ValueStatus.PUBLISHED)
