from django import template

from sirbi.core.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """{{ text|markdown }}: the Markdown as sanitised HTML."""
    return render_markdown(text)
