from django.conf import settings
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.translation import get_language_info

from . import permissions


def platform(request):
    """Language links for the switcher, the user's roles, and the map configuration."""
    path = request.get_full_path()
    languages = [
        {"code": code, "name": get_language_info(code)["name_local"], "url": translate_url(path, code)}
        for code, _name in settings.LANGUAGES
    ]
    user = request.user
    return {
        "language_links": languages,
        "is_member": permissions.is_member(user),
        "is_secretariat": permissions.is_secretariat(user),
        # Read by maps.js from a json_script block (registry/_map_scripts.html); never written into script.
        "map_config": {
            "countries": static("vendor/world-atlas/countries-110m.json"),
            "members": static("sirbi/maps/members-50m.json"),
            "tiles": settings.TILE_URL,
            "attribution": settings.TILE_ATTRIBUTION,
        },
    }
