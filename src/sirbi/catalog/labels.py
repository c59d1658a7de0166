"""Names people read for the catalog's codes: material types and copies' statuses (languages are named by
core.languages.language_name)."""

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
