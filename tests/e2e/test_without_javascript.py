"""Pedro's browser runs no JavaScript: the library list and its filters still work, as plain forms and links."""

import re

import pytest

from .conftest import new_page, shot


@pytest.fixture
def page_without_js(browser):
    page = new_page(browser, java_script_enabled=False)
    yield page
    page.context.close()


def choose(page, name, value):
    """Pick a filter's value, whether the filter is a list or a text box."""
    field = page.locator(f'main form.filters [name="{name}"]')
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def names(page):
    return page.locator("main table.list tbody tr td:first-child a").all_inner_texts()


def test_pedro_filters_the_library_list_without_javascript(page_without_js, live_server, libraries):
    page = page_without_js
    page.goto(live_server.url + "/es/registry/libraries/")
    assert len(names(page)) == 8

    choose(page, "country", "PE")
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").click()
    assert "country=PE" in page.url
    peru = sorted(library.name for library in libraries["lima"] + [libraries["cusco"]])
    assert sorted(names(page)) == peru
    shot(page, "es-libraries-nojs")

    # The form kept the country; a search narrows the list further.
    choose(page, "q", "villa salvador")
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").click()
    assert "country=PE" in page.url and "q=villa+salvador" in page.url
    assert names(page) == ["Biblioteca Popular de Villa El Salvador"]
    choose(page, "q", "palermo")  # in Argentina, so not in Peru's list
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").click()
    assert names(page) == []
    assert page.locator("main table.list tbody tr td[colspan]").count() == 1  # "no library matches"

    # The library's page reads fine too.
    page.goto(live_server.url + "/es/registry/libraries/?country=PE&type=school")
    assert names(page) == ["Biblioteca Escolar Fe y Alegría 2"]
    page.locator("main table.list tbody a").click()
    page.wait_for_url("**/es/registry/libraries/*/")
    assert page.locator("h1").inner_text() == "Biblioteca Escolar Fe y Alegría 2"
    facts = page.locator("main dl.facts").first.inner_text()  # the second list says how it is counted
    assert re.search(r"-12[.,]02750\b.*-77[.,]05630", facts), facts

    # The map says it needs JavaScript and links to the same selection as a list.
    page.goto(live_server.url + "/es/registry/map/?country=PE")
    assert page.locator("main noscript p").is_visible()  # shown only where scripts do not run
    page.locator('main a[href="/es/registry/libraries/?country=PE"]').click()
    page.wait_for_url("**/es/registry/libraries/?country=PE")
    assert sorted(names(page)) == peru
