"""Demo statistics: the catalogue, populations, the real LMW figures, and sample library submissions."""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.utils import translation

from sirbi.registry.models import Library

from . import checks
from .choices import Method, Source, Typology, ValueStatus
from .indicators import seed_indicators
from .loaders import load_lmw, load_population_package
from .models import Campaign, Indicator, Value

SEED = 2022
SAMPLE_YEARS = (2023, 2024)
# Typical yearly figures of a small public library: (indicator, low, high).
SAMPLE_RANGES = [("visits", 3_000, 40_000), ("loans_books", 1_000, 15_000), ("registered_users", 300, 4_000)]
DEMO_CAMPAIGN_INDICATORS = ["libraries", "libraries_internet", "staff_fte", "registered_users", "visits",
                            "loans_books"]
# Libraries whose figure is made deliberately wrong (a typo of a few zeros) to show the outlier check.
OUTLIERS = 6


def load_stats_demo():
    created = seed_indicators()
    population = load_population_package()
    lmw = load_lmw()
    samples = load_sample_submissions()
    campaign = load_demo_campaign()
    return {"indicators": created, "population": population.created, "lmw": lmw, "samples": samples,
            "campaign": campaign}


def load_demo_campaign():
    """An open campaign for the year before the demo's, so coordinators and librarians can report."""
    today = datetime.date.today()
    campaign, created = Campaign.objects.get_or_create(
        title=f"Campaña de estadísticas {today.year - 1}", year=today.year - 1,
        defaults={"typologies": [Typology.PUBLIC, Typology.SCHOOL], "languages": ["es", "pt", "en"],
                  "deadline": today + datetime.timedelta(days=60), "status": Campaign.Status.OPEN,
                  "level_country": True, "level_network": True, "level_library": True,
                  "instructions": "Cifras del año anterior, por tipo de biblioteca. Deje vacío lo que no sepa."},
    )
    if created:
        campaign.indicators.set(Indicator.objects.filter(code__in=DEMO_CAMPAIGN_INDICATORS))
    return campaign



def load_sample_submissions():
    """Published sample figures for some demo libraries (public libraries of Peru, Colombia and
    Uruguay), two years each, marked as sample; a few outliers carry the check's flag."""
    if Value.objects.filter(is_sample=True).exists():
        return 0
    rng = random.Random(SEED)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[c for c, _, _ in SAMPLE_RANGES])}
    libraries = list(Library.objects.filter(is_sample=True, type="public", country__code__in=["PE", "CO", "UY"])
                     .select_related("country").order_by("pk")[:240])
    rows = []
    for library in libraries:
        for code, low, high in SAMPLE_RANGES:
            base = rng.uniform(low, high)
            for year in SAMPLE_YEARS:
                figure = round(base * rng.uniform(0.9, 1.15))
                rows.append(Value(indicator=indicators[code], typology=Typology.PUBLIC, country=library.country,
                                  library=library, unit_key=f"library:{library.pk}", year=year, value=figure,
                                  source=Source.SURVEY, source_name="SIRBI sample survey", method=Method.COUNT,
                                  status=ValueStatus.PUBLISHED, is_sample=True,
                                  note="Sample figure invented for the demonstration."))
    for value in rng.sample([r for r in rows if r.year == SAMPLE_YEARS[-1]], OUTLIERS):
        value.value *= 100
    _flag_outliers(rows)
    with transaction.atomic():
        Value.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _flag_outliers(rows):
    peers = defaultdict(list)
    for row in rows:
        peers[(row.indicator.code, row.country.code, row.year)].append(row.value)
    with translation.override("en"):
        for row in rows:
            found = checks.check_outlier(row.value, peers[(row.indicator.code, row.country.code, row.year)],
                                         f"the public libraries of {row.country.code}")
            if found:
                row.flags = [found]
                row.justification = "Sample outlier, left in to show the check."
