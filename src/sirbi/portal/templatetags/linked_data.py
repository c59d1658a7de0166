"""schema.org JSON-LD in the pages: `{% library_json_ld library %}` and its siblings write one
<script type="application/ld+json"> data block (portal/schema_org.py says what each holds).

A data block is never run, so the Content-Security-Policy (script-src 'self') neither blocks it nor reports
it; it is escaped as json_script escapes: <, > and & as JSON escapes, so no text in the data (a library's
name, a book's title) can close the element or open another.
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max, Min
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from sirbi.stats.models import Value

from .. import datasets, schema_org

register = template.Library()

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def _absolute(context):
    return context["request"].build_absolute_uri


@register.simple_tag(takes_context=True)
def library_json_ld(context, library):
    return json_ld(schema_org.library(library, _absolute(context)))


@register.simple_tag(takes_context=True)
def network_json_ld(context, network):
    return json_ld(schema_org.network(network, _absolute(context)))


@register.simple_tag(takes_context=True)
def book_json_ld(context, cluster, record, holdings):
    return json_ld(schema_org.book(cluster, record, holdings, _absolute(context)))


@register.simple_tag(takes_context=True)
def indicator_json_ld(context, indicator, rows):
    """An indicator page: the countries are those the page shows a figure for; the years, the published ones."""
    years = Value.objects.published().filter(indicator=datasets.base_indicator(indicator)).aggregate(
        first=Min("year"), last=Max("year"))
    item = datasets.indicator_dataset(indicator, [row.country for row in rows if row.figure],
                                      years=(years["first"], years["last"]) if years["first"] else None)
    return json_ld(schema_org.dataset(item, _absolute(context)))


@register.simple_tag(takes_context=True)
def data_catalog_json_ld(context):
    return json_ld(schema_org.data_catalog(datasets.catalogue(), _absolute(context)))
