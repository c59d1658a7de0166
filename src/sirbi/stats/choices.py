"""Closed vocabularies of the statistics part."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    COUNT = "count", _("count")
    FTE = "fte", _("full-time equivalents")
    PERCENT = "percent", _("per cent")
    PER_100K = "per_100k", _("per 100,000 inhabitants")
    PER_10K = "per_10k", _("per 10,000 inhabitants")
    PER_CAPITA = "per_capita", _("per inhabitant")
    RATIO = "ratio", _("ratio")


class Aggregation(models.TextChoices):
    SUM = "sum", _("sum")
    MEAN = "mean", _("mean")
    RATIO = "ratio", _("ratio of sums")


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")
    NEUTRAL = "neutral", _("neither")


class Typology(models.TextChoices):
    """The library types figures are reported for (the Library Map of the World's, plus the popular
    libraries some countries count apart). Figures of different typologies are never added together."""

    ALL = "all", _("all libraries")
    NATIONAL = "national", _("national libraries")
    ACADEMIC = "academic", _("academic libraries")
    PUBLIC = "public", _("public libraries")
    COMMUNITY = "community", _("community libraries")
    POPULAR = "popular", _("popular libraries")
    SCHOOL = "school", _("school libraries")
    OTHER = "other", _("other libraries")


class Source(models.TextChoices):
    NETWORK = "network", _("national network")
    LMW = "lmw", _("IFLA Library Map of the World")
    SURVEY = "survey", _("survey")
    ESTIMATE = "estimate", _("estimate")
    # Counted by the platform from the interlibrary loan requests (loans/statistics.py), never typed by a reporter.
    ILL = "ill", _("ILL transactions")


# The sources a reporter may give a figure (campaign forms, the API, spreadsheets): not the platform's own counts.
REPORTED_SOURCES = [Source.NETWORK, Source.LMW, Source.SURVEY, Source.ESTIMATE]

# When several sources give the same figure, the first of these is shown; the others are listed beside it.
SOURCE_PRIORITY = [Source.NETWORK, Source.SURVEY, Source.LMW, Source.ILL, Source.ESTIMATE]


class Method(models.TextChoices):
    COUNT = "count", _("count")
    SAMPLE = "sample", _("sample estimate")
    ESTIMATE = "estimate", _("estimate")


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned with comments")
    ACCEPTED = "accepted", _("accepted")
    PUBLISHED = "published", _("published")


class Counted(models.TextChoices):
    """What an indicator that counts libraries counts (ISO 2789 and the Library Map of the World count service
    points: a central library, its branches and its mobile libraries each count)."""

    NOT_LIBRARIES = "", _("not a count of libraries")
    SERVICE_POINTS = "service_points", _("service points")
    UNITS = "units", _("libraries as administrative units")
