"""The language of content: texts people write (a meeting's title, an action's description...) kept once per
language, read in the reader's language or, failing that, in another one that says which.

One rule, used by models, pages, forms and the API alike:
- a translated field keeps its name for the Spanish text (the workspace's base language: existing rows, the
  admin, ordering and search read it as before) and gains `<name>_pt` and `<name>_en`, optional;
- `text(obj, "title")` gives the text in the active language, else the first non-empty one of Spanish,
  Portuguese, English, as a `LocalText` that knows its language and whether it is a fallback;
- pages mark a fallback with `lang` and a visible note ("only in Spanish"), forms show the other languages as
  optional fields in a group of their own, the API gives every language and the reader's.
"""

import gettext
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

BASE_LANGUAGE = "es"
CONTENT_LANGUAGES = ("es", "pt", "en")
OTHER_LANGUAGES = tuple(code for code in CONTENT_LANGUAGES if code != BASE_LANGUAGE)

LANGUAGE_NAMES = {"es": _("Spanish"), "pt": _("Portuguese"), "en": _("English")}
# Whole phrases, not "only in" + a name: the languages inflect them differently (solo en español, só em português).
ONLY_IN = {"es": _("only in Spanish"), "pt": _("only in Portuguese"), "en": _("only in English")}
IN_LANGUAGE = {"pt": _("In Portuguese (optional)"), "en": _("In English (optional)")}


def column(name, language):
    """The model field holding `name` in `language`: the field itself for Spanish, `name_pt`, `name_en`."""
    return name if language == BASE_LANGUAGE else f"{name}_{language}"


def reader_language():
    code = (get_language() or BASE_LANGUAGE)[:2]
    return code if code in CONTENT_LANGUAGES else BASE_LANGUAGE


def translated(*names):
    """Class decorator of a model: `<name>_pt` and `<name>_en` beside each named field, optional copies of it
    (same type, length and validators), and `translated_fields` listing the names."""

    def decorate(model):
        for name in names:
            base = model._meta.get_field(name)
            _name, _path, args, kwargs = base.deconstruct()
            for language in OTHER_LANGUAGES:
                options = {**kwargs, "blank": True, "help_text": "",
                           "verbose_name": format_lazy("{} ({})", base.verbose_name, LANGUAGE_NAMES[language])}
                options.pop("default", None)
                model.add_to_class(column(name, language), type(base)(*args, **options))
        model.translated_fields = tuple(getattr(model, "translated_fields", ())) + names
        return model

    return decorate


def translated_columns(model):
    """Every column of the model's translated fields, Spanish first: ['title', 'title_pt', 'title_en', ...]."""
    return [column(name, language) for name in getattr(model, "translated_fields", ())
            for language in CONTENT_LANGUAGES]


@dataclass(frozen=True)
class LocalText:
    """A text with the language it is in and the language the reader asked for."""

    text: str
    lang: str
    wanted: str

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)

    @property
    def fallback(self):
        return bool(self.text) and self.lang != self.wanted

    @property
    def note(self):
        """'only in Spanish' in the reader's language, for a fallback; empty otherwise."""
        return ONLY_IN[self.lang] if self.fallback else ""


def texts(obj, name):
    """{language: text} of a translated field, empty texts included."""
    return {language: getattr(obj, column(name, language), "") or "" for language in CONTENT_LANGUAGES}


def text(obj, name, language=None):
    """The field in `language` (default: the active one), else in Spanish, Portuguese or English."""
    wanted = language or reader_language()
    values = texts(obj, name)
    for code in (wanted, *CONTENT_LANGUAGES):
        if values.get(code):
            return LocalText(values[code], code, wanted)
    return LocalText("", wanted, wanted)


def language_groups(form):
    """Edit-form groups for the optional languages: [('In Portuguese (optional)', ['title_pt', ...]), ...]."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    names = [name for name in getattr(model, "translated_fields", ()) if name in form.fields]
    return [(IN_LANGUAGE[language], [column(name, language) for name in names])
            for language in OTHER_LANGUAGES if names]


def label_base_language(form):
    """Labels the Spanish fields of a form that also shows the other languages: 'title (Spanish)'."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    for name in getattr(model, "translated_fields", ()):
        if name in form.fields and column(name, OTHER_LANGUAGES[0]) in form.fields:
            form.fields[name].label = format_lazy("{} ({})", form.fields[name].label, LANGUAGE_NAMES[BASE_LANGUAGE])


def with_translations(model, fields):
    """A ModelForm's field list with the other languages of its translated fields added at the end."""
    extra = [column(name, language) for language in OTHER_LANGUAGES
             for name in getattr(model, "translated_fields", ()) if name in fields]
    return [*fields, *extra]


def timezone_label(name, when=None):
    """A time zone as people read it: 'America/Bogota' → 'Bogota (UTC−5)' (the city part of the name, with
    its offset on `when`, default now)."""
    import zoneinfo
    from datetime import datetime

    try:
        offset = datetime.now(zoneinfo.ZoneInfo(name)).utcoffset() if when is None else \
            datetime.combine(when, datetime.min.time(), zoneinfo.ZoneInfo(name)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return name
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} (UTC{sign}{hours}{f':{rest:02d}' if rest else ''})"


@lru_cache(maxsize=2048)
def _iso_language_name(code, language):
    found = (pycountry.languages.get(alpha_2=code) if len(code) == 2 else
             pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code))
    if found is None:
        return code
    try:
        name = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[language]).gettext(found.name)
    except OSError:  # no catalog for that language: ISO's English name
        name = found.name
    # pycountry's catalogs capitalise most names but not all ("quíchua"): pages show them as labels, capitalised.
    return name[:1].upper() + name[1:]


def language_name(code, language=None):
    """An ISO 639 language code as its name in `language` (default: the reader's): 'spa' → 'Español',
    'por' → 'Portugués', 'eng' → 'Inglés' on /es/; the two-letter codes and MARC's bibliographic ones (fre,
    ger) too. An unknown code stays as it is; no code gives ''."""
    if not code:
        return ""
    return _iso_language_name(str(code).strip().lower(), language or reader_language())
