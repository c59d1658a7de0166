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
