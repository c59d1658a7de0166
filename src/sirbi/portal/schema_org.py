"""schema.org descriptions of the public pages, for search engines and other readers of JSON-LD: a library
(Library), a network (Organization), a cluster of the union catalog (Book, its holdings as offers to lend, the
W3C Schema Bib Extend group's "holdings via Offer"), an indicator's figures (Dataset) and the open data page
(DataCatalog). Texts are in the page's language; `absolute` makes a site path an absolute address.

They reach the page through portal/templatetags/linked_data.py, as a data block escaped like json_script.
"""

from functools import lru_cache

import pycountry
from django.utils.translation import get_language

from . import datasets as described

CONTEXT = "https://schema.org"
LEND = "http://purl.org/goodrelations/v1#LeaseOut"


def _clean(data):
    """Leave out what is empty, so a reader never sees a name without a value."""
    if isinstance(data, dict):
        return {key: _clean(value) for key, value in data.items() if value not in (None, "", [], {})}
    if isinstance(data, list):
        return [_clean(value) for value in data]
    return data


def _isil(isil):
    return {"@type": "PropertyValue", "propertyID": "ISIL", "value": isil} if isil else None


def _network(network, absolute):
    return {"@type": "Organization", "@id": absolute(network.get_absolute_url()), "name": network.name,
            "url": absolute(network.get_absolute_url())}


def library(library, absolute):
    url = absolute(library.get_absolute_url())
    geo = None
    if library.latitude is not None and library.longitude is not None:
        geo = {"@type": "GeoCoordinates", "latitude": library.latitude, "longitude": library.longitude}
    return _clean({
        "@context": CONTEXT, "@type": "Library", "@id": url, "url": url, "name": library.name,
        "identifier": _isil(library.isil),
        "address": {"@type": "PostalAddress", "streetAddress": library.address, "addressLocality": library.locality,
                    "addressRegion": library.subdivision.name if library.subdivision_id else "",
                    "postalCode": library.postal_code, "addressCountry": library.country.code},
        "geo": geo, "sameAs": library.website, "email": library.email, "telephone": library.phone,
        "description": library.description,
        "parentOrganization": [_network(network, absolute) for network in library.networks.all()],
    })


def network(network, absolute):
    url = absolute(network.get_absolute_url())
    return _clean({
        "@context": CONTEXT, "@type": "Organization", "@id": url, "url": url, "name": network.name,
        "alternateName": network.acronym, "sameAs": network.website, "description": network.description,
        "areaServed": {"@type": "Country", "name": network.country.name, "identifier": network.country.code},
    })


@lru_cache(maxsize=512)
def language_tag(code):
    """A MARC language code (ISO 639-2/B) as BCP 47 asks: the two-letter code where there is one."""
    found = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    if found is None:
        return code
    return getattr(found, "alpha_2", None) or found.alpha_3


def book(cluster, record, holdings, absolute):
    """A cluster's representative description, and each copy as an offer to lend by the library holding it."""
    url = absolute(cluster.get_absolute_url())
    offers = []
    for holding in holdings:
        if holding.library:
            lender = {"@type": "Library", "@id": absolute(holding.library.get_absolute_url()),
                      "name": holding.library.name, "identifier": _isil(holding.library.isil)}
        else:
            lender = {"@type": "Library", "name": holding.library_code}
        offers.append({"@type": "Offer", "businessFunction": LEND, "offeredBy": lender,
                       "sku": holding.call_number})
    return _clean({
        "@context": CONTEXT, "@type": "Book", "@id": url, "url": url, "name": record.title,
        "author": [{"@type": "Person", "name": name} for name in record.authors],
        "isbn": record.isbns, "inLanguage": language_tag(record.language) if record.language else "",
        "bookEdition": record.edition, "datePublished": str(record.year) if record.year else "",
        "publisher": {"@type": "Organization", "name": record.publisher} if record.publisher else None,
        "about": record.subjects, "offers": offers,
    })


def _text(texts):
    return texts.get((get_language() or "es")[:2]) or next(iter(texts.values()))


def _publisher():
    publisher = described.publisher()
    return {"@type": "Organization", "name": _text(publisher["name"]), "url": publisher["homepage"]}


def dataset(item, absolute, with_context=True):
    """One described dataset (portal.datasets.Dataset) as a schema.org Dataset in the page's language."""
    data = {
        "@type": "Dataset", "@id": absolute(described.CATALOGUE_PATH) + "#" + item.key,
        "name": _text(item.title), "description": _text(item.description), "url": absolute(item.page),
        "license": described.LICENCE_URL, "isAccessibleForFree": True, "publisher": _publisher(),
        "keywords": [_text(item.keywords)] if item.keywords else [],
        "spatialCoverage": [{"@type": "Country", "name": country.name, "identifier": country.code}
                            for country in item.countries],
        "temporalCoverage": f"{item.years[0]}/{item.years[1]}" if item.years else "",
        "dateModified": item.modified.isoformat() if item.modified else "",
        "distribution": [{"@type": "DataDownload", "encodingFormat": d.media_type, "contentUrl": absolute(d.url)}
                         for d in item.distributions if not d.service],
    }
    if with_context:
        data = {"@context": CONTEXT, **data}
    return _clean(data)


def data_catalog(catalogue, absolute):
    """The open data page: the whole catalogue (portal.datasets.catalogue()) as a DataCatalog."""
    return _clean({
        "@context": CONTEXT, "@type": "DataCatalog", "@id": absolute(described.CATALOGUE_PATH),
        "url": absolute(catalogue["homepage"]), "name": _text(catalogue["title"]),
        "description": _text(catalogue["description"]), "license": described.LICENCE_URL,
        "publisher": _publisher(),
        "dataset": [dataset(item, absolute, with_context=False) for item in catalogue["datasets"]],
    })
