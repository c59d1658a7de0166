"""Content in the reader's language on pages: `{{ meeting|localized:"title" }}` for a line of text,
`{{ meeting|localized_markdown:"description" }}` for Markdown, `{% localized meeting "title" as t %}` for the
rest. A fallback carries its `lang` (screen readers, translation tools) and says so ("only in Spanish")."""

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst

from sirbi.core.languages import language_name as iso_language_name
from sirbi.core.languages import text
from sirbi.core.markup import render_markdown

register = template.Library()


@register.filter
def localized(obj, name):
    """The text in the reader's language; a fallback as <span lang> with its note."""
    value = text(obj, name)
    if not value.fallback:
        return value.text
    return format_html('<span lang="{}">{}</span> <small class="lang-note">({})</small>', value.lang, value.text,
                       value.note)


@register.filter
def localized_markdown(obj, name):
    """The Markdown text in the reader's language, as sanitised HTML; a fallback in a <div lang> after its note."""
    value = text(obj, name)
    if not value.fallback:
        return render_markdown(value.text)
    return format_html('<p class="lang-note">{}</p><div lang="{}">{}</div>', capfirst(value.note), value.lang,
                       render_markdown(value.text))


@register.simple_tag(name="localized")
def localized_tag(obj, name):
    """{% localized obj "field" as t %}: a LocalText (t.text, t.lang, t.fallback, t.note)."""
    return text(obj, name)


@register.filter
def timezone_label(name, when=None):
    """{{ meeting.timezone|timezone_label:meeting.start_date }} → 'Lima (UTC−5)'."""
    from sirbi.core.languages import timezone_label as label

    return label(name, when)


@register.filter
def language_name(code):
    """{{ record.language|language_name }}: an ISO 639 code as the language's name in the reader's language."""
    return iso_language_name(code)
