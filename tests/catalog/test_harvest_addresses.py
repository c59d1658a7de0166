"""The server fetches only public addresses for a harvest (issue 12, item 7): a librarian cannot make it request
127.0.0.1, the cloud metadata address or any intranet host, neither by the source's base URL (refused when the
source is saved, and again when it is harvested: the address a name resolves to can change) nor by a redirect
from an endpoint that is allowed. Intranet endpoints are allowed by name or network in HARVEST_ALLOWED_HOSTS."""

import gzip
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from sirbi.catalog.harvest import HarvestError, harvest
from sirbi.catalog.models import Record, Source
from sirbi.core import outbound

from .test_harvest import oai  # noqa: F401 (the OAI-PMH server fixture)


def form(url):
    return {"code": "intranet", "name": "Intranet", "kind": "oai", "library": "PE-LIM01", "base_url": url,
            "metadata_prefix": "marc21"}


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8800/oai", "http://169.254.169.254/latest/meta-data/", "http://[::1]/oai",
    "http://10.0.0.5/oai", "http://localhost:8000/oai", "http://[::ffff:127.0.0.1]/oai", "http://0.0.0.0/oai",
    "http://224.0.0.1/oai", "http://[fe80::1]/oai", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO",
    "ftp://ftp.example.org/oai",
])
def test_a_librarian_cannot_point_a_source_at_an_internal_or_non_web_address(url, librarian_lima, as_user, settings):
    settings.HARVEST_ALLOWED_HOSTS = []
    with translation.override("en"):
        page = as_user(librarian_lima).post(reverse("catalog:source-new"), form(url))
    assert page.status_code == 200 and not Source.objects.filter(code="intranet").exists()
    errors = page.context["form"].errors
    assert list(errors) == ["base_url"], errors
    message = errors["base_url"][0]
    assert "http" in message or "public" in message, message
    assert "127.0.0.1" not in message.replace(urlsplit(url).hostname or "", "")  # nor what a name resolves to


def test_the_admin_refuses_them_too(coordinator_pe, as_user, lima_library, settings):
    settings.HARVEST_ALLOWED_HOSTS = []
    coordinator_pe.is_staff = True
    coordinator_pe.save()
    with translation.override("en"):
        url = reverse("admin:catalog_source_add")
    response = as_user(coordinator_pe).post(url, {
        "code": "meta", "name": "Meta", "kind": "oai", "library": lima_library.pk, "base_url": "http://169.254.169.254/",
        "metadata_prefix": "marc21"})
    assert response.status_code == 200 and not Source.objects.filter(code="meta").exists()
    assert "base_url" in response.context["adminform"].form.errors


def test_an_allowed_intranet_endpoint_is_accepted_and_harvested(oai, librarian_lima, as_user, settings):  # noqa: F811
    server, _source = oai
    settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.1"]
    with translation.override("en"):
        response = as_user(librarian_lima).post(reverse("catalog:source-new"), form(server.url))
    assert response.status_code == 302
    assert harvest(Source.objects.get(code="intranet")).added == 20
    settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.0/8"]  # a network allows every address in it
    assert harvest(Source.objects.get(code="intranet"), full=True).unchanged == 20


def test_a_source_saved_before_is_refused_when_harvested(oai, settings):  # noqa: F811
    """The allow-list changed (or the name now resolves elsewhere): the harvest refuses before any request."""
    server, source = oai
    settings.HARVEST_ALLOWED_HOSTS = []
    with pytest.raises(HarvestError) as refused:
        harvest(source)
    assert "not a public address" in str(refused.value) and str(server.httpd.server_port) not in str(refused.value)
    assert "127.0.0.1" not in str(refused.value) and server.requests == []


class Redirect(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(302)
        query = self.path.partition("?")[2]
        self.send_header("Location", self.target + ("?" + query if query else ""))
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def redirecting(oai):  # noqa: F811
    """A server at 127.0.0.1 that answers every request with a redirect to the OAI-PMH server's URL."""
    server, _source = oai
    handler = type("ToOai", (Redirect,), {"target": server.url})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield server, httpd.server_port
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_to_an_internal_address_is_refused(redirecting, lima_library, settings, monkeypatch, caplog):
    """A public-looking, allowed host (here resolved to the redirecting server) sends the harvester on to
    127.0.0.1, which is not allowed: no request reaches it, and the message does not tell the address."""
    server, port = redirecting
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if host == "oai.example.org" else host, *args, **kwargs)

    monkeypatch.setattr(outbound, "getaddrinfo", resolve)
    settings.HARVEST_ALLOWED_HOSTS = ["oai.example.org"]
    source = Source.objects.create(code="moved", name="Moved", kind="oai", library=lima_library,
                                   base_url=f"http://oai.example.org:{port}/oai")
    with pytest.raises(HarvestError) as refused:
        harvest(source)
    message = str(refused.value)
    assert "not a public address" in message and "127.0.0.1" not in message and str(server.httpd.server_port) \
        not in message
    assert server.requests == [] and not Record.objects.filter(source=source).exists()
    assert "127.0.0.1" in caplog.text  # the detail is in the server's log
    # Allowed, the same redirect is followed.
    settings.HARVEST_ALLOWED_HOSTS = ["oai.example.org", "127.0.0.1"]
    assert harvest(source).added == 20


@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("10.1.2.3", False),
    ("172.16.0.1", False), ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("224.0.0.1", False), ("240.0.0.1", False), ("255.255.255.255", False), ("::", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("ff02::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:8.8.8.8", True), ("64:ff9b::a00:1", False), ("2002:7f00:1::", False), ("fec0::1", False),
])
def test_public_addresses(address, public):
    assert outbound.is_public(address) is public


class GzipBomb(BaseHTTPRequestHandler):
    """Answers with a small gzip body that unpacks to 2 MB."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = gzip.compress(b" " * (2 * 1024 * 1024))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_an_answer_that_unpacks_past_the_limit_stops_the_harvest(lima_library, settings):
    httpd = HTTPServer(("127.0.0.1", 0), GzipBomb)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    settings.HARVEST_MAX_RESPONSE_BYTES = 100_000
    source = Source.objects.create(code="bomb", name="Bomb", kind="oai", library=lima_library,
                                   base_url=f"http://127.0.0.1:{httpd.server_port}/oai")
    try:
        with translation.override("en"), pytest.raises(HarvestError) as stopped:
            harvest(source)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert re.fullmatch(r"the endpoint's answer is larger than 97.7\sKB once unpacked; the harvest was stopped\.",
                        str(stopped.value))
    assert not Record.objects.filter(source=source).exists()
