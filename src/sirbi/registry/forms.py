"""Edit forms of the registry. The API validates through the same forms, so both apply one set of rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sirbi.core import permissions
from sirbi.core.forms import CodeChoiceField, VersionedForm, https_urls

from . import rules
from .choices import SERVICES
from .models import Country, Library, Network, ServicePoint, Subdivision, TypologyRule
from .services import isil_holder

COORDINATES_HELP = _("Decimal degrees (-12.0464, -77.0428); both or neither.")
WEB_HELP = _("A full address; typed without https://, it is added.")


class CountryForm(VersionedForm):
    class Meta:
        model = Country
        formfield_callback = https_urls
        fields = ["focal_point_entity", "focal_point_name", "focal_point_role", "focal_point_email",
                  "focal_point_phone", "latitude", "longitude"]

    groups = (
        (_("Focal point"), ["focal_point_entity", "focal_point_name", "focal_point_role", "focal_point_email",
                            "focal_point_phone"]),
        (_("Place on the map"), ["latitude", "longitude"]),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for axis in ("latitude", "longitude"):
            self.fields[axis].help_text = COORDINATES_HELP


class NetworkForm(VersionedForm):
    country = CodeChoiceField(Country.objects.filter(is_member=True), label=_("country"))

    class Meta:
        model = Network
        formfield_callback = https_urls
        fields = ["country", "code", "name", "acronym", "type", "status", "governing_entity", "legal_framework",
                  "legal_framework_url", "website", "description", "contact_name", "contact_role",
                  "contact_email", "contact_phone", "libraries_declared", "libraries_declared_is_minimum",
                  "libraries_declared_year", "libraries_declared_source", "source_url", "confidence"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    groups = (
        (_("Identity"), ["country", "code", "name", "acronym", "type", "status", "description"]),
        (_("Governance"), ["governing_entity", "legal_framework", "legal_framework_url", "website"]),
        (_("Contact"), ["contact_name", "contact_role", "contact_email", "contact_phone"]),
        (_("Libraries declared"), ["libraries_declared", "libraries_declared_is_minimum", "libraries_declared_year",
                                   "libraries_declared_source"]),
        (_("Provenance"), ["source_url", "confidence"]),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["country"].queryset = countries_for(self.user, Network, self.instance)
        self.fields["country"].help_text = _("Only the countries your role covers.")
        self.fields["website"].help_text = WEB_HELP


class LibraryForm(VersionedForm):
    country = CodeChoiceField(Country.objects.filter(is_member=True), label=_("country"))
    subdivision = CodeChoiceField(
        Subdivision.objects.select_related("country"), label=_("subdivision"), required=False
    )
    networks = forms.ModelMultipleChoiceField(
        Network.objects.select_related("country"), to_field_name="code", required=False, label=_("networks"),
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.MultipleChoiceField(
        choices=list(SERVICES.items()), required=False, label=_("services"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Library
        formfield_callback = https_urls
        fields = ["name", "isil", "country", "subdivision", "networks", "type", "status", "iso_type", "iso_subtype",
                  "statutory", "locality", "address", "postal_code", "latitude", "longitude", "website", "email",
                  "phone", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    field_order = [*Meta.fields, "services", "message"]
    groups = (
        (_("Identity"), ["name", "isil", "type", "status", "description"]),
        (_("Place"), ["country", "subdivision", "locality", "address", "postal_code", "latitude", "longitude"]),
        (_("Contact"), ["website", "email", "phone"]),
        (_("Networks and services"), ["networks", "services"]),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["services"] = self.instance.services
        if self.user is not None:
            self.fields["country"].queryset = countries_for(self.user, Library, self.instance)
        self.fields["isil"].validators = []  # checked with the country in clean()
        self.fields["isil"].help_text = _("ISO 15511: the country's code, a hyphen, then letters, digits or / - : "
                                          "(PE-BNP), 16 characters at most; no other library may have it.")
        self.fields["country"].help_text = _("Only the countries your role covers.")
        self.fields["subdivision"].help_text = _("One of the chosen country's.")
        self.fields["networks"].help_text = _("Networks of the library's country. Only a network's managers and "
                                              "its country's coordinators add libraries to it or take them out.")
        for axis in ("latitude", "longitude"):
            self.fields[axis].help_text = COORDINATES_HELP
        self.fields["website"].help_text = WEB_HELP
        # The rules' own words for what the fields check themselves, so that the importer says the same.
        self.fields["website"].error_messages["invalid"] = rules.NOT_A_WEB_ADDRESS
        self.fields["email"].error_messages["invalid"] = rules.NOT_AN_EMAIL
        self.fields["type"].error_messages["invalid_choice"] = rules.unknown_type("%(value)s")
        self.fields["status"].error_messages["invalid_choice"] = rules.unknown_status("%(value)s")

    def limit_choices_to_country(self, code):
        """Show only the subdivisions and networks of one country (the lists are long otherwise)."""
        if code:
            self.fields["subdivision"].queryset = self.fields["subdivision"].queryset.filter(country__code=code)
            self.fields["networks"].queryset = self.fields["networks"].queryset.filter(country__code=code)

    def clean_isil(self):
        return rules.normalise_isil(self.cleaned_data.get("isil"))

    def clean(self):
        data = super().clean()
        isil = data.get("isil")
        errors = rules.place_errors(
            country=data.get("country"),
            subdivision=data.get("subdivision"),
            networks=data.get("networks") or (),
            isil=isil,
            isil_holder=isil_holder(isil, self.instance.pk) if isil else None,
        )
        for axis in ("latitude", "longitude"):
            if data.get(axis) is not None and (message := rules.coordinate_error(axis, data[axis])):
                errors[axis] = message
        if "latitude" in data and "longitude" in data and not errors.keys() & {"latitude", "longitude"}:
            message = rules.coordinates_error(data["latitude"], data["longitude"])
            if message:
                errors["latitude"] = message
        if self.user is not None and "networks" in data and "networks" not in errors:
            before = list(self.instance.networks.select_related("country")) if self.instance.pk else []
            refusal = rules.membership_refusal(self.user, before, data["networks"])
            if refusal:
                errors["networks"] = refusal
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def _post_clean(self):
        super()._post_clean()
        for code in SERVICES:
            setattr(self.instance, f"service_{code}", code in (self.cleaned_data.get("services") or ()))

    def validate_unique(self):
        # ISIL uniqueness (case-insensitive) is checked in clean(); the rest has no unique fields.
        pass


def countries_for(user, model, instance):
    """The member countries where `user` may add (or move) an object of `model`: those of their scope, the
    countries of the networks they manage (for libraries), and the object's own."""
    members = Country.objects.filter(is_member=True)
    reach = permissions.scope(user, "add", model)
    if reach.everywhere:
        return members
    codes = set(reach.countries)
    if model is Library:
        codes |= set(Network.objects.filter(pk__in=reach.networks).values_list("country__code", flat=True))
    if instance.pk:
        codes.add(instance.country.code)
    return members.filter(code__in=codes)



class ServicePointForm(VersionedForm):
    """A library's service point (the library is set by the page or, in the API, given by its id)."""

    class Meta:
        model = ServicePoint
        fields = ["library", "kind", "name", "address", "locality", "latitude", "longitude", "opening_hours",
                  "status"]
        widgets = {"library": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].disabled = bool(self.instance.pk)  # a point stays with its library

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("latitude", rules.coordinates_error(data.get("latitude"), data.get("longitude")))
        return data


class TypologyRuleForm(VersionedForm):
    """One line of the typology crosswalk (registry/typology.py), kept by the secretariat in the admin."""

    class Meta:
        model = TypologyRule
        fields = ["code", "order", "name_es", "name_pt", "name_en", "iso_type", "iso_subtype", "statutory",
                  "lmw_type", "sirbi_type"]
