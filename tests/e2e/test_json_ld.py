"""The schema.org data blocks under the Content-Security-Policy, in Chromium: a data block is not a script, so
the policy (script-src 'self') neither blocks it nor reports it, and the browser reads it as JSON."""

import json

from tests.e2e.test_csp import site, strict_page, violations  # noqa: F401 (fixtures)

BLOCKS = "Array.from(document.querySelectorAll('script[type=\"application/ld+json\"]'), s => s.textContent)"


def test_the_data_blocks_are_read_and_the_policy_says_nothing(strict_page, live_server, site):  # noqa: F811
    page, base = strict_page, live_server.url
    expected = {f"/es/registry/libraries/{site['library'].pk}/": "Library",
                f"/es/catalog/clusters/{site['cluster']}/": "Book",
                "/es/registry/networks/pe-public/": "Organization",
                "/es/stats/indicators/libraries/": "Dataset",
                "/es/open-data/": "DataCatalog"}
    for path, kind in expected.items():
        response = page.goto(base + path)
        assert response.status == 200 and "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        [block] = page.evaluate(BLOCKS)
        assert json.loads(block)["@type"] == kind, path
        assert violations(page) == [], path
