"""Marta reads the registry with a screen reader: axe-core finds no serious or critical violation on the
pages she visits most, in Spanish and in English."""

import pytest

from .conftest import axe_violations, describe, shot

PAGES = {
    "home": lambda libraries: "/es/",
    "country": lambda libraries: "/es/registry/countries/PE/",
    "libraries": lambda libraries: "/es/registry/libraries/",
    "library": lambda libraries: f"/es/registry/libraries/{libraries['lima'][0].pk}/",
    "networks": lambda libraries: "/es/registry/networks/",
    "library-en": lambda libraries: f"/en/registry/libraries/{libraries['lima'][0].pk}/",
}


@pytest.mark.parametrize("name", PAGES)
def test_marta_finds_no_serious_accessibility_violation(page, live_server, libraries, name):
    path = PAGES[name](libraries)
    response = page.goto(live_server.url + path, wait_until="networkidle")  # maps loaded too
    assert response.status == 200
    assert page.get_attribute("html", "lang") == path.split("/")[1]
    shot(page, f"axe-{name}")
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"
