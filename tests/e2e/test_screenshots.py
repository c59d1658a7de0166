"""Full-page screenshots of the page set a reviewer looks at, in Spanish and English, at desktop and phone width.

Runs only with SIRBI_SHOTS=/some/dir (the pictures go there, named language-width-page.png); the other journeys
check the behaviour. The command (README, "Tests"):

    SIRBI_SHOTS=/tmp/shots DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -m e2e tests/e2e/test_screenshots.py

(`SIRBI_SHOTS=dir make test` takes them as well, with the rest of the suite.)
"""

import re

import pytest

from sirbi.registry.models import Library

from .conftest import SHOTS, new_page, shot, sign_in
from .test_import import BAD_ROW, GOOD_ROW, csv_file
from .test_page_weight import demo_site, public_pages  # noqa: F401 (demo_site is a fixture)

pytestmark = pytest.mark.skipif(not SHOTS, reason="set SIRBI_SHOTS=dir to take screenshots")
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["es", "en"])
def test_screenshots_of_the_main_pages(browser, live_server, demo_site, rosa, eager_jobs, language, width):  # noqa: F811
    base = live_server.url
    page = new_page(browser, viewport=WIDTHS[width], is_mobile=width == "phone")
    try:
        for name, path in public_pages(demo_site).items():
            page.goto(f"{base}/{language}{path}", wait_until="networkidle")
            page.wait_for_timeout(500)  # the maps' animations
            shot(page, f"{language}-{width}-{name}")
        # A member's pages: a library's edit form, the import and its preview.
        lima = Library.objects.filter(country__code="PE", is_sample=True).first()
        page.goto(f"{base}/{language}/accounts/login/")
        sign_in(page, base, rosa)
        page.goto(f"{base}/{language}/registry/libraries/{lima.pk}/edit/")
        shot(page, f"{language}-{width}-library-form")
        page.goto(f"{base}/{language}/registry/import/")
        shot(page, f"{language}-{width}-import")
        page.set_input_files("#id_file", csv_file(GOOD_ROW, BAD_ROW))
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/registry/import/\d+/$"))
        shot(page, f"{language}-{width}-import-preview")
    finally:
        page.context.close()
