"""The registry: member countries, national library networks and libraries."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys, SecretariatOwned
from sirbi.core.text import fold

from .choices import (
    SERVICES,
    Confidence,
    IsoSubtype,
    IsoType,
    LibraryStatus,
    LibraryType,
    LmwType,
    NetworkStatus,
    NetworkType,
    ServicePointKind,
)
from .validators import validate_latitude, validate_longitude

# Plain text fields (names, addresses, descriptions shown with line breaks): HTML tags are refused when typed,
# in the forms, the API and the importer alike.
PLAIN = [validate_plain_text]

# CERLALC's 21 member states.
CERLALC_MEMBERS = "AR BO BR CL CO CR CU DO EC SV ES GT HN MX NI PA PY PE PT UY VE".split()


def _or(*conditions):
    result = Q(pk__in=[])
    for condition in conditions:
        result |= condition
    return result


class Country(ChangeLoggedModel):
    """An ISO 3166-1 country; the 21 CERLALC members carry the member flag."""

    code = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    alpha3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO numeric code"), max_length=3, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_es = models.CharField(_("name in Spanish"), max_length=100)
    name_pt = models.CharField(_("name in Portuguese"), max_length=100)
    is_member = models.BooleanField(_("CERLALC member"), default=False, db_index=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    focal_point_entity = models.CharField(
        _("focal point: entity"), max_length=200, blank=True, validators=PLAIN,
        help_text=_("The ministry or body to contact."),
    )
    focal_point_name = models.CharField(_("focal point: contact name"), max_length=200, blank=True, validators=PLAIN)
    focal_point_role = models.CharField(_("focal point: role"), max_length=200, blank=True, validators=PLAIN)
    focal_point_email = models.EmailField(_("focal point: e-mail"), blank=True)
    focal_point_phone = models.CharField(_("focal point: phone"), max_length=50, blank=True, validators=PLAIN)

    permission_roles = {"change": {Role.COORDINATOR}}
    # Shown to signed-in members only, in pages, the API and the history.
    private_fields = ("focal_point_name", "focal_point_role", "focal_point_email", "focal_point_phone")

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        language = (get_language() or "es")[:2]
        return getattr(self, f"name_{language}", None) or self.name_en

    def get_absolute_url(self):
        return reverse("registry:country", args=[self.code])

    def scope_keys(self):
        return ScopeKeys(countries=frozenset({self.code}))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return _or(Q(code__in=countries))

    def changelog_country(self):
        return self.code


class Subdivision(models.Model):
    """An ISO 3166-2 subdivision (region, province, department, state...)."""

    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="subdivisions", verbose_name=_("country")
    )
    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=150)
    type = models.CharField(_("type"), max_length=60, blank=True)
    parent_code = models.CharField(_("parent"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("subdivision")
        verbose_name_plural = _("subdivisions")
        ordering = ["country__code", "name"]

    def __str__(self):
        return self.name


class Network(ChangeLoggedModel):
    """A national (or sub-national) network of libraries and the body that governs it."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="networks", verbose_name=_("country"))
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short unique code used by imports and the API.")
    )
    name = models.CharField(_("name"), max_length=300, validators=PLAIN)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True, validators=PLAIN)
    type = models.CharField(_("type"), max_length=20, choices=NetworkType.choices)
    status = models.CharField(_("status"), max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.ACTIVE)
    governing_entity = models.CharField(_("governing entity"), max_length=300, blank=True, validators=PLAIN)
    legal_framework = models.CharField(_("legal framework"), max_length=300, blank=True, validators=PLAIN)
    legal_framework_url = models.URLField(_("legal framework link"), blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, validators=PLAIN)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True, validators=PLAIN)
    contact_role = models.CharField(_("contact role"), max_length=200, blank=True, validators=PLAIN)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True, validators=PLAIN)
    libraries_declared = models.PositiveIntegerField(_("libraries declared"), null=True, blank=True)
    libraries_declared_is_minimum = models.BooleanField(
        _("declared number is a minimum"), default=False, help_text=_("The source says 'more than' this number.")
    )
    libraries_declared_year = models.PositiveSmallIntegerField(
        _("year of the declared number"), null=True, blank=True, validators=[MinValueValidator(1900)]
    )
    libraries_declared_source = models.URLField(_("source of the declared number"), max_length=500, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True, help_text=_("Where this entry was read."))
    confidence = models.CharField(_("confidence"), max_length=20, choices=Confidence.choices, blank=True)

    private_fields = ("contact_name", "contact_role", "contact_email", "contact_phone")
    permission_roles = {
        "add": {Role.COORDINATOR},
        "change": {Role.COORDINATOR, Role.NETWORK_MANAGER},
        "delete": {Role.COORDINATOR},
    }

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["country__code", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:network", args=[self.code])

    def scope_keys(self):
        return ScopeKeys(countries=frozenset({self.country.code}), networks=frozenset({self.pk}))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return _or(Q(country__code__in=countries), Q(pk__in=networks))

    def changelog_country(self):
        return self.country.code


def library_search_text(name, locality, isil, address):
    """What the library list's words are matched against (`search_text`), for a saved library and for the plain
    values of a bulk import alike."""
    return fold(" ".join(filter(None, [name, locality, isil, address])))


class LibraryQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("country", "subdivision").prefetch_related("networks")


class Library(ChangeLoggedModel):
    """A library: its identity (ISIL), place, networks, status and services."""

    name = models.CharField(_("name"), max_length=300, validators=PLAIN)
    isil = models.CharField(_("ISIL"), max_length=16, blank=True, null=True, help_text=_("ISO 15511, e.g. PE-BNP"))
    # Indexed by the composite indexes below, which all start with the country or serve the filters without it.
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="libraries", verbose_name=_("country"),
                                db_index=False)
    subdivision = models.ForeignKey(
        Subdivision, on_delete=models.PROTECT, null=True, blank=True, related_name="libraries",
        verbose_name=_("subdivision"),
    )
    networks = models.ManyToManyField(Network, blank=True, related_name="libraries", verbose_name=_("networks"))
    type = models.CharField(_("type"), max_length=20, choices=LibraryType.choices)
    status = models.CharField(_("status"), max_length=20, choices=LibraryStatus.choices, default=LibraryStatus.OPEN)
    locality = models.CharField(_("locality"), max_length=200, blank=True, validators=PLAIN)
    address = models.CharField(_("address"), max_length=300, blank=True, validators=PLAIN)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True, validators=PLAIN)
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    website = models.URLField(_("website"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True, validators=PLAIN)
    description = models.TextField(_("description"), blank=True, validators=PLAIN)
    service_internet = models.BooleanField(SERVICES["internet"], default=False)
    service_wifi = models.BooleanField(SERVICES["wifi"], default=False)
    service_computers = models.BooleanField(SERVICES["computers"], default=False)
    service_children = models.BooleanField(SERVICES["children"], default=False)
    service_accessible = models.BooleanField(SERVICES["accessible"], default=False)
    service_outreach = models.BooleanField(SERVICES["outreach"], default=False)
    service_reading_promotion = models.BooleanField(SERVICES["reading_promotion"], default=False)
    # ISO 2789 (see typology.py): blank / unknown until filled in, the declared type standing for them meanwhile.
    iso_type = models.CharField(_("ISO 2789 type"), max_length=20, choices=IsoType.choices, blank=True,
                                help_text=_("Leave empty to follow the type above."))
    iso_subtype = models.CharField(_("ISO 2789 subtype"), max_length=30, choices=IsoSubtype.choices, blank=True)
    statutory = models.BooleanField(_("run by a public authority"), null=True, blank=True,
                                    help_text=_("No for libraries run by a community group or an NGO (community "
                                                "libraries); empty to follow the type above."))
    is_sample = models.BooleanField(_("sample data"), default=False, help_text=_("Invented for the demonstration."))
    search_text = models.TextField(editable=False, default="")

    objects = LibraryQuerySet.as_manager()

    permission_roles = {
        "add": {Role.COORDINATOR, Role.NETWORK_MANAGER},
        "change": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF},
        "delete": {Role.COORDINATOR, Role.NETWORK_MANAGER},
    }
    changelog_exclude = ChangeLoggedModel.changelog_exclude + ("search_text",)

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("isil"), name="library_isil_unique_ci")]
        # Few, composite indexes: each one serves a filter of the list and its order by name (every extra
        # index slows bulk imports down; see benchmarks/README.md).
        indexes = [
            models.Index(fields=["country", "name"]),
            models.Index(fields=["country", "type"]),
            models.Index(fields=["type", "status", "name"]),
            models.Index(fields=["status", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:library", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def build_search_text(self):
        return library_search_text(self.name, self.locality, self.isil, self.address)

    @property
    def services(self):
        return [code for code in SERVICES if getattr(self, f"service_{code}")]

    def services_display(self):
        return [SERVICES[code] for code in self.services]

    def scope_keys(self):
        network_ids = frozenset(self.networks.values_list("pk", flat=True)) if self.pk else frozenset()
        return ScopeKeys(
            countries=frozenset({self.country.code}),
            networks=network_ids,
            libraries=frozenset({self.pk}) if self.pk else frozenset(),
        )

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return _or(
            Q(country__code__in=countries),
            Q(pk__in=Library.networks.through.objects.filter(network_id__in=networks).values("library_id")),
            Q(pk__in=libraries),
        )

    def changelog_country(self):
        return self.country.code


class ServicePoint(ChangeLoggedModel):
    """A place where a library (an administrative unit) serves the public: its main building, a branch, a mobile
    library, a reading point in another institution. The Library Map of the World counts these."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="service_points",
                                verbose_name=_("library"))
    kind = models.CharField(_("kind"), max_length=20, choices=ServicePointKind.choices)
    name = models.CharField(_("name"), max_length=300, validators=PLAIN)
    address = models.CharField(_("address"), max_length=300, blank=True, validators=PLAIN)
    locality = models.CharField(_("locality"), max_length=200, blank=True, validators=PLAIN)
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=[validate_latitude])
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=[validate_longitude])
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True, validators=PLAIN)
    status = models.CharField(_("status"), max_length=20, choices=LibraryStatus.choices, default=LibraryStatus.OPEN)
    is_sample = models.BooleanField(_("sample data"), default=False, help_text=_("Invented for the demonstration."))

    # A library's staff keep its service points (they cannot add or delete the library itself).
    permission_roles = {action: {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF}
                        for action in ("add", "change", "delete")}

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["library", "kind", "name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.library.get_absolute_url()

    def postal_address(self):
        """Where a parcel for this service point goes (an interlibrary loan's shipping address): the library's name
        and this point's, its address, locality and country, one per line."""
        same = fold(self.library.name) == fold(self.name)
        names = self.library.name if same else f"{self.library.name} — {self.name}"
        return "\n".join(line for line in (names, self.address, self.locality, self.library.country.name) if line)

    def scope_keys(self):
        return self.library.scope_keys()

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return Q(library__in=Library.objects.filter(Library.scope_q(countries, networks, libraries)))

    def changelog_country(self):
        return self.library.country.code


class TypologyRule(SecretariatOwned, ChangeLoggedModel):
    """One line of the typology crosswalk (registry/typology.py): libraries of this ISO 2789 type (and subtype,
    and statutory flag, where given) count as this Library Map of the World type and this SIRBI network type. The
    first matching rule in order applies. Data kept by the secretariat; names in three languages, as data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    name_es = models.CharField(_("name (Spanish)"), max_length=200, validators=PLAIN)
    name_pt = models.CharField(_("name (Portuguese)"), max_length=200, validators=PLAIN)
    name_en = models.CharField(_("name (English)"), max_length=200, validators=PLAIN)
    iso_type = models.CharField(_("ISO 2789 type"), max_length=20, choices=IsoType.choices)
    iso_subtype = models.CharField(_("ISO 2789 subtype"), max_length=30, choices=IsoSubtype.choices, blank=True,
                                   help_text=_("Empty: any subtype."))
    statutory = models.BooleanField(_("run by a public authority"), null=True, blank=True,
                                    help_text=_("Empty: either."))
    lmw_type = models.CharField(_("Library Map of the World type"), max_length=20, choices=LmwType.choices)
    sirbi_type = models.CharField(_("SIRBI network type"), max_length=20, choices=NetworkType.choices)

    class Meta:
        verbose_name = _("typology rule")
        verbose_name_plural = _("typology crosswalk")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code}: {self.name}"

    @property
    def name(self):
        language = (get_language() or "es")[:2]
        return getattr(self, f"name_{language}", None) or self.name_en


def scope_names(keys):
    """The names of a scope's countries, networks and libraries, for the reasons permissions gives
    (core.permissions.refusal): "Peru", "the network Red Nacional de Bibliotecas Públicas (Peru)" (two networks
    may share a name: the country tells them apart), a library's name."""
    names = [country.name for country in Country.objects.filter(code__in=keys.countries)]
    names += [_("the network %(name)s (%(country)s)") % {"name": network.name, "country": network.country.name}
              for network in Network.objects.filter(pk__in=keys.networks).select_related("country")]
    names += Library.objects.filter(pk__in=keys.libraries).values_list("name", flat=True)
    return names
