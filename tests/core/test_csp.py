"""Every HTML page carries a Content-Security-Policy without inline script; the CSRF cookie is not for scripts."""

import pytest

from sirbi.settings import _tile_source


@pytest.mark.parametrize("path", ["/es/", "/en/registry/libraries/", "/es/accounts/login/", "/es/admin/login/",
                                  "/api/v1/docs/"])
def test_html_pages_carry_the_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] + directives["style-src"]


def test_the_api_docs_start_from_a_script_file(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in page and "<style>" not in page and "?script=" in page
    assert client.get("/api/v1/docs/", {"script": ""})["Content-Type"].startswith("application/javascript")


def test_the_csrf_cookie_is_not_readable_by_scripts(client):
    response = client.get("/es/accounts/login/")
    assert response.cookies["csrftoken"]["httponly"] is True


def test_the_tile_host_joins_the_images():
    assert _tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == ["https://*.tile.example.org"]
    assert _tile_source("https://tiles.example.org/{z}/{x}/{y}.png") == ["https://tiles.example.org"]
    assert _tile_source("") == []
