"""Names people read for the catalog's codes: material types, copies' statuses, and languages (ISO 639-2/3
codes named in the page's language from pycountry's translations)."""

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MATERIALS = {"book": _("Book"), "serial": _("Serial"), "music": _("Music"), "map": _("Map"), "video": _("Video"),
             "sound": _("Sound recording"), "image": _("Image"), "electronic": _("Electronic resource"),
             "kit": _("Kit"), "mixed": _("Mixed materials"), "object": _("Object"), "other": _("Other")}


STATUSES = {"available": _("available"), "on_loan": _("on loan"), "reference": _("reference only"),
            "missing": _("missing")}


def status_name(code):
    """A copy's status (normalise.status_code) in the page's language; '' when unknown."""
    return str(STATUSES.get(code, ""))


def material_name(code):
    return str(MATERIALS.get(code, code))


@lru_cache(maxsize=2048)
def _language_name(code, language):
    found = pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
    if found is None:
        return code
    try:
        translation = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[language])
        return translation.gettext(found.name)
    except OSError:
        return found.name


def language_name(code):
    return _language_name(code, (get_language() or "es")[:2]) if code else ""
