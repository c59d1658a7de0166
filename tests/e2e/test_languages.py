"""A visitor switches language and the page, its URL and <html lang> follow."""


def test_a_visitor_switches_language(page, live_server, registry):
    page.goto(live_server.url + "/", wait_until="domcontentloaded")
    assert page.url.endswith("/es/")
    assert page.get_attribute("html", "lang") == "es"
    page.get_by_role("navigation", name="Idiomas").get_by_role("link", name="English").click()
    page.wait_for_url("**/en/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Library networks of the SIRBI member countries"
    page.get_by_role("navigation", name="Languages").get_by_role("link", name="português").click()
    page.wait_for_url("**/pt/")
    assert page.get_attribute("html", "lang") == "pt"
