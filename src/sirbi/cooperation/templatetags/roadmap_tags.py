"""The roadmap's longest part, its list of actions, written in Python: a roadmap of 1,000 actions rendered
through template nodes took most of the page's time (benchmarks/roadmap_pages.py). Every text is escaped
(html.escape with quotes) before it is marked safe."""

from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=8192)
def _short_date(day, language):
    return date_format(day, "SHORT_DATE_FORMAT")


@register.simple_tag
def action_items(rows):
    """<li> items of ActionRows: title linked to the action, lead country, end, status, progress, flags."""
    pattern = reverse("cooperation:action", args=["CODE"])
    language = get_language()
    flags = {"overdue": f' <span class="flag">{escape(_("overdue"))}</span>',
             "milestone": f' <span class="flag">{escape(_("milestone overdue"))}</span>', "": ""}
    items = []
    for row in rows:
        flag = "overdue" if row.overdue else "milestone" if row.overdue_milestones else ""
        items.append(
            f'<li><a href="{escape(pattern.replace("CODE", row.code))}">{escape(row.title)}</a> '
            f'<span class="muted">({escape(row.lead)}, {escape(_short_date(row.end, language))})</span> '
            f'<span class="badge status-{escape(row.status)}">{escape(str(row.status_label))}</span> '
            f'<span class="number">{int(row.progress)} %</span>{flags[flag]}</li>')
    return mark_safe("\n".join(items))  # noqa: S308 (every part escaped above)
