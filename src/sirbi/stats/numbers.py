"""Numbers as people type them: "1.234,5" in Spanish and Portuguese, "1,234.5" in English.

A number that could be read two ways in the active language (or that follows another language's
convention) is refused, never guessed: "1.5" typed on a Spanish form is not silently read as 15.
"""

import functools
import re

from django.utils.translation import gettext as _

SEPARATORS = {"es": (".", ","), "pt": (".", ","), "en": (",", ".")}  # (thousands, decimal)
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"-?[0-9.,]+")


class NumberError(ValueError):
    pass


def parse_number(text, language):
    """The float written in `text` in `language`'s convention; NumberError with the reason otherwise."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    return _parse_text(str(text).strip(), (language or "es")[:2])


# A file's figures repeat (0, 1, the same counts over many libraries): each text is read once per language.
# Refusals are not kept (an exception leaves the cache alone) and are worded in the language active at the time.
@functools.lru_cache(maxsize=16384)
def _parse_text(original, language):
    if original.isascii() and original.isdigit():
        return float(original)
    if not original:
        raise NumberError(_("empty"))
    thousands, decimal = SEPARATORS.get((language or "es")[:2], SEPARATORS["es"])
    compact = _SPACES.sub("", original)  # a space groups thousands in every language
    if not _NUMBER.fullmatch(compact):
        raise NumberError(_("“%(text)s” is not a number.") % {"text": original})
    if compact.count(decimal) > 1:
        raise NumberError(_("“%(text)s” has more than one decimal mark (“%(mark)s”).")
                          % {"text": original, "mark": decimal})
    whole, _mark, fraction = compact.partition(decimal)
    if thousands in fraction:
        raise NumberError(_("“%(text)s” mixes the separators; in this language write it like %(example)s.")
                          % {"text": original, "example": _example(language)})
    if thousands in whole:
        groups = whole.lstrip("-").split(thousands)
        if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
            raise NumberError(_("“%(text)s” is ambiguous; in this language write it like %(example)s.")
                              % {"text": original, "example": _example(language)})
        whole = whole.replace(thousands, "")
    try:
        return float(f"{whole}.{fraction}" if fraction else whole)
    except ValueError:
        raise NumberError(_("“%(text)s” is not a number.") % {"text": original}) from None


def _example(language):
    thousands, decimal = SEPARATORS.get((language or "es")[:2], SEPARATORS["es"])
    return f"1{thousands}234{decimal}5"
