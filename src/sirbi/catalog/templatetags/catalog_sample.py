"""The catalog's sample markers, one line in each template: `{% sample_notice %}` under a page's heading (on
the search page when a result — or, before a search, anything in the catalog — is sample data; on a cluster's
page when the cluster is) and `{% sample_mark row.cluster %}` beside each result. See catalog/samples.py."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from sirbi.catalog.samples import catalog_has_samples, sample_clusters

register = template.Library()


def _sample_ids(context):
    """The sample clusters among the page's (its results, or its cluster), computed once per page."""
    cache = context.render_context
    if "catalog_sample_ids" not in cache:
        rows = context.get("rows")
        ids = [row["cluster"].pk for row in rows] if rows else []
        cluster = context.get("cluster")
        if cluster is not None and getattr(cluster, "pk", None):
            ids.append(cluster.pk)
        cache["catalog_sample_ids"] = sample_clusters(ids) if ids else set()
    return cache["catalog_sample_ids"]


@register.simple_tag(takes_context=True)
def sample_notice(context):
    cluster = context.get("cluster")
    if cluster is not None:
        shown = cluster.pk in _sample_ids(context)
    elif context.get("rows"):
        shown = bool(_sample_ids(context))
    else:
        shown = catalog_has_samples()
    if not shown:
        return ""
    return format_html('<p class="sample-notice"><span class="sample">{}</span> {}</p>', _("Sample data"), _(
        "The descriptions are real Library of Congress records; the libraries holding them, their call numbers "
        "and statuses are invented for the demonstration."))


@register.simple_tag(takes_context=True)
def sample_mark(context, cluster):
    if cluster is None or cluster.pk not in _sample_ids(context):
        return ""
    return format_html(' <span class="sample">{}</span>', _("sample"))
