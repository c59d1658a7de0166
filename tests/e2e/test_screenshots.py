"""Full-page screenshots of the main pages in Spanish and English, for a person to look at.

Runs only with SIRBI_SHOTS=/some/dir (the pictures go there); the other journeys check the behaviour.
"""

import re

import pytest

from .conftest import SHOTS, shot, sign_in
from .test_import import BAD_ROW, GOOD_ROW, csv_file

pytestmark = pytest.mark.skipif(not SHOTS, reason="set SIRBI_SHOTS=dir to take screenshots")


@pytest.mark.parametrize("language", ["es", "en"])
def test_screenshots_of_the_main_pages(page, live_server, libraries, rosa, eager_jobs, language):
    base = live_server.url
    lima = libraries["lima"][0]
    for name, path in [("home", "/"), ("country", "/registry/countries/PE/"), ("libraries", "/registry/libraries/"),
                       ("library", f"/registry/libraries/{lima.pk}/"), ("map", "/registry/map/"),
                       ("networks", "/registry/networks/")]:
        page.goto(f"{base}/{language}{path}", wait_until="networkidle")
        page.wait_for_timeout(800)  # the maps' animations
        shot(page, f"{language}-{name}")
    page.goto(f"{base}/{language}/accounts/login/")
    sign_in(page, base, rosa)
    page.goto(f"{base}/{language}/registry/libraries/{lima.pk}/edit/")
    shot(page, f"{language}-library-form")
    page.goto(f"{base}/{language}/registry/import/")
    shot(page, f"{language}-import")
    page.set_input_files("#id_file", csv_file(GOOD_ROW, BAD_ROW))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/registry/import/\d+/$"))
    shot(page, f"{language}-import-preview")
