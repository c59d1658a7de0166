"""ISO 3166 countries and subdivisions, from the pycountry package and its translations."""

import gettext
from functools import cache

import pycountry
from django.db import transaction

from .models import CERLALC_MEMBERS, Country, Subdivision

# Rough centres for the members, used to place a country's marker when it has no libraries yet.
MEMBER_CENTRES = {
    "AR": (-34.6, -64.0), "BO": (-16.5, -64.7), "BR": (-14.2, -51.9), "CL": (-33.4, -70.6),
    "CO": (4.6, -74.1), "CR": (9.9, -84.1), "CU": (22.0, -79.5), "DO": (18.7, -70.2),
    "EC": (-1.8, -78.2), "SV": (13.7, -88.9), "ES": (40.4, -3.7), "GT": (15.5, -90.3),
    "HN": (14.8, -86.6), "MX": (23.6, -102.6), "NI": (12.9, -85.2), "PA": (8.5, -80.8),
    "PY": (-23.4, -58.4), "PE": (-9.2, -75.0), "PT": (39.4, -8.2), "UY": (-32.5, -55.8),
    "VE": (6.4, -66.6),
}


@cache
def _translation(language):
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_names(record):
    name = getattr(record, "common_name", None) or record.name
    return {"en": name, "es": _translation("es").gettext(name), "pt": _translation("pt").gettext(name)}


@transaction.atomic
def load_countries():
    """Create or refresh every ISO 3166-1 country and the members' ISO 3166-2 subdivisions (idempotent)."""
    existing = {c.code: c for c in Country.objects.all()}
    for record in pycountry.countries:
        names = country_names(record)
        values = {
            "alpha3": record.alpha_3,
            "numeric": record.numeric,
            "name_en": names["en"],
            "name_es": names["es"],
            "name_pt": names["pt"],
            "is_member": record.alpha_2 in CERLALC_MEMBERS,
        }
        centre = MEMBER_CENTRES.get(record.alpha_2)
        country = existing.get(record.alpha_2)
        if country is None:
            country = Country(code=record.alpha_2, **values)
            if centre:
                country.latitude, country.longitude = centre
            country.save()
            existing[country.code] = country
        elif any(getattr(country, key) != value for key, value in values.items()):
            Country.objects.filter(pk=country.pk).update(**values)
    known = set(Subdivision.objects.values_list("code", flat=True))
    new = [
        Subdivision(
            country=existing[sub.country_code],
            code=sub.code,
            name=sub.name,
            type=sub.type,
            parent_code=sub.parent_code or "",
        )
        for code in CERLALC_MEMBERS
        for sub in pycountry.subdivisions.get(country_code=code) or ()
        if sub.code not in known
    ]
    Subdivision.objects.bulk_create(new)
    return len(existing), len(new)
