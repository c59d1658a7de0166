"""Text that users write: Markdown rendered through a sanitiser, and a guard against markup in plain fields.

Markdown fields (descriptions, minutes, progress reports) may hold any text; what reaches a page is the
Markdown's HTML cleaned by nh3 (the Ammonia sanitiser): no script, no event handler, no style, links
marked rel="noopener noreferrer nofollow". Plain fields (titles, names) are escaped by the templates
and refuse HTML tags outright, so that a pasted tag is noticed when it is typed, not on the page.
"""

import re

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def render_markdown(text):
    """Safe HTML for a Markdown text."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,  # noqa: S308 (cleaned)
                               url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow"))


def validate_plain_text(value):
    """Refuse HTML tags in a plain text field, naming the tag found."""
    match = TAG.search(value or "")
    if match:
        raise ValidationError(
            _("HTML is not allowed here (found %(tag)s). Write plain text."), code="markup",
            params={"tag": match.group(0)[:40]},
        )
