from django.db import models
from django.utils.translation import gettext_lazy as _


class NetworkType(models.TextChoices):
    PUBLIC = "public", _("Public libraries")
    SCHOOL = "school", _("School libraries")
    POPULAR = "popular", _("Popular and community libraries")
    OTHER = "other", _("Other")


class NetworkStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    IN_FORMATION = "in_formation", _("In formation")
    INACTIVE = "inactive", _("Inactive")


class LibraryType(models.TextChoices):
    PUBLIC = "public", _("Public")
    SCHOOL = "school", _("School")
    POPULAR = "popular", _("Popular or community")
    NATIONAL = "national", _("National")
    UNIVERSITY = "university", _("University")
    SPECIAL = "special", _("Special")
    MOBILE = "mobile", _("Mobile")


class LibraryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
    CLOSED = "closed", _("Closed")


class Confidence(models.TextChoices):
    READ_ON_PAGE = "read_on_page", _("Read on the source page")
    PUBLIC_KNOWLEDGE = "public_knowledge", _("Public knowledge, not read on a page")
    REPORTED = "reported", _("Reported by the network")
    SAMPLE = "sample", _("Sample data for the demonstration")


# Services a library offers: field name on Library -> label. The import column `services` lists the codes.
SERVICES = {
    "internet": _("Internet access"),
    "wifi": _("Wi-Fi"),
    "computers": _("Public computers"),
    "children": _("Children's area"),
    "accessible": _("Accessible building"),
    "outreach": _("Outreach and mobile service"),
    "reading_promotion": _("Reading promotion activities"),
}


class IsoType(models.TextChoices):
    """ISO 2789's library types. Community libraries (run by NGOs or community groups) have none of their own:
    they are kept as public libraries that are not statutory (see `Library.statutory` and the crosswalk)."""

    NATIONAL = "national", _("National library")
    HIGHER_EDUCATION = "higher_education", _("Higher education library")
    PUBLIC = "public", _("Public library")
    SCHOOL = "school", _("School library")
    SPECIAL = "special", _("Special library")


class IsoSubtype(models.TextChoices):
    """ISO 2789's subtypes of special (and higher education) libraries."""

    UNIVERSITY = "university", _("University library")
    OTHER_HIGHER_EDUCATION = "other_higher_education", _("Other higher education library")
    GOVERNMENT = "government", _("Government library")
    HEALTH = "health", _("Health service library")
    PROFESSIONAL = "professional", _("Library of a professional or learned institution")
    BUSINESS = "business", _("Industry and commerce library")
    MEDIA = "media", _("Media library")
    OTHER_SPECIAL = "other_special", _("Other special library")


class LmwType(models.TextChoices):
    """The IFLA Library Map of the World's types ("adapted from ISO 2789")."""

    NATIONAL = "national", _("national libraries")
    ACADEMIC = "academic", _("academic libraries")
    PUBLIC = "public", _("public libraries")
    COMMUNITY = "community", _("community libraries")
    SCHOOL = "school", _("school libraries")
    OTHER = "other", _("other libraries")


class ServicePointKind(models.TextChoices):
    MAIN = "main", _("Main building")
    BRANCH = "branch", _("Branch")
    MOBILE = "mobile", _("Mobile library (bibliobús, boat, donkey…)")
    READING_POINT = "reading_point", _("Reading point in another institution")
