"""Browser journeys: Debian's Chromium driven by Playwright against a live server.

Live-server tests run in transactions that are flushed afterwards, so each journey loads the data it needs.

Set SIRBI_SHOTS=/some/dir to have the journeys save full-page screenshots of the pages they visit there.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from sirbi.core.models import Role
from sirbi.registry.countries import load_countries
from sirbi.registry.demo import load_networks
from sirbi.registry.models import Country, Library, Network, Subdivision
from tests.conftest import make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("SIRBI_SHOTS")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser, **options):
    # The journeys inject axe-core and poll with Playwright's evaluated expressions, which the pages'
    # Content-Security-Policy would refuse; test_csp.py checks the pages under the policy itself.
    context = browser.new_context(**{"locale": "es-ES", "viewport": {"width": 1280, "height": 900},
                                     "bypass_csp": True, **options})
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def open_page(browser):
    """new_page for each actor of a journey (own cookies), all closed at the end."""
    opened = []

    def make():
        opened.append(new_page(browser))
        return opened[-1]

    yield make
    for each in opened:
        each.context.close()


@pytest.fixture
def registry(transactional_db):
    load_countries()
    load_networks()


@pytest.fixture
def eager_jobs(settings, tmp_path):
    """The live server runs in this process: jobs run inside the request, uploads go to a temporary folder."""
    settings.JOBS_EAGER = True
    settings.UPLOAD_DIR = tmp_path / "uploads"


# Actors ------------------------------------------------------------------------------------------

@pytest.fixture
def rosa(registry):
    """Rosa Quispe, national coordinator of Peru."""
    user = make_user("rosa", Role.COORDINATOR, country="PE")
    user.first_name, user.last_name = "Rosa", "Quispe"
    user.save()
    return user


def password_of(user):
    return "pw-" + user.username  # as tests/conftest.py's make_user sets it


def sign_in(page, base_url, user):
    """Through the login form, as a person does; lands on the page the form was opened from."""
    if "/accounts/login/" not in page.url:
        page.goto(base_url + "/es/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password_of(user))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, "the login form refused the user"


# Data --------------------------------------------------------------------------------------------

def library(country_code, name, locality, **fields):
    networks = fields.pop("networks", [])
    if "subdivision" in fields:
        fields["subdivision"] = Subdivision.objects.get(code=fields["subdivision"])
    made = Library.objects.create(name=name, locality=locality, country=Country.objects.get(code=country_code),
                                  type=fields.pop("type", "public"), **fields)
    made.networks.set(Network.objects.filter(code__in=networks))
    return made


@pytest.fixture
def libraries(registry):
    """A few libraries of Peru (four in Lima with coordinates, one in Cusco without) and three in Buenos Aires."""
    lima = [
        library("PE", "Biblioteca Municipal de Lima", "Lima", isil="PE-LIM01", subdivision="PE-LIM",
                latitude=-12.0464, longitude=-77.0428, phone="+51 1 427 0000", networks=["pe-public"],
                address="Jirón de la Unión 300", website="https://biblioteca.munlima.gob.pe",
                email="biblioteca@munlima.gob.pe", service_internet=True, service_children=True,
                description="Biblioteca pública del centro histórico."),
        library("PE", "Biblioteca Comunal de Miraflores", "Lima", subdivision="PE-LIM",
                latitude=-12.1211, longitude=-77.0297, networks=["pe-public"]),
        library("PE", "Biblioteca Escolar Fe y Alegría 2", "Lima", type="school", latitude=-12.0275,
                longitude=-77.0563),
        library("PE", "Biblioteca Popular de Villa El Salvador", "Lima", type="popular", latitude=-12.2136,
                longitude=-76.9419),
    ]
    cusco = library("PE", "Biblioteca de Cusco", "Cusco", isil="PE-CUS01", subdivision="PE-CUS")
    buenos_aires = [
        library("AR", "Biblioteca Popular de Palermo", "Buenos Aires", type="popular", isil="AR-BAP01",
                latitude=-34.5889, longitude=-58.4306),
        library("AR", "Biblioteca Popular Alberdi", "Buenos Aires", type="popular", latitude=-34.6283,
                longitude=-58.4445),
        library("AR", "Biblioteca Pública de La Boca", "Buenos Aires", latitude=-34.6345, longitude=-58.3631),
    ]
    return {"lima": lima, "cusco": cusco, "buenos_aires": buenos_aires}


# Checks ------------------------------------------------------------------------------------------

def axe_violations(page, impacts=("serious", "critical")):
    """axe-core's violations of these impacts on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations):
    """One line per violation, and the first elements concerned with their HTML."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} element(s)] {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


def shot(page, name):
    """A full-page screenshot in $SIRBI_SHOTS, when it is set; nothing otherwise."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
