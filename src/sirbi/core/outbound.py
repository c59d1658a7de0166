"""Requests the server makes to addresses its users give (a catalog source's OAI-PMH endpoint): http and https
to public addresses only, so that nobody makes the server fetch 127.0.0.1, the cloud's metadata address
(169.254.169.254) or an intranet host and read the answer (server-side request forgery).

Checked twice: when an address is saved (`url_problem`, a message for the form) and on every connection the
harvester opens (`session()`), redirects included. The connection check resolves the name, refuses the whole
name if any of its addresses is not allowed, then connects to the very address it checked, so a name that
resolves differently the second time (DNS rebinding) cannot slip through. Intranet endpoints are allowed by
name or by network in the HARVEST_ALLOWED_HOSTS setting."""

import ipaddress
import logging
import socket
from socket import getaddrinfo  # a module attribute, so that a test can resolve a made-up name
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
# IPv6 prefixes that carry an IPv4 address a gateway may forward to: NAT64 (RFC 6052) and 6to4 (RFC 3056).
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(Exception):
    """A request to an address that is not allowed. `str()` is the detail for the log (host and address);
    `message` is what a user may read (no address, no port)."""

    def __init__(self, detail, message=None):
        super().__init__(detail)
        self.message = message or _("the endpoint (or an address it redirected to) is not a public address, and "
                                    "the platform harvests public addresses only.")


def _embedded_ipv4(address):
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address):
    """Whether an IP address (text or ipaddress object) is a public unicast one: not loopback, private, shared
    (100.64/10), link-local, multicast, reserved, unspecified or documentation, in IPv4 or IPv6, nor an IPv6
    address that carries such an IPv4 address (mapped, 6to4, NAT64)."""
    address = ipaddress.ip_address(address)
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return is_public(embedded)
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_link_local
                                      or address.is_loopback or address.is_unspecified
                                      or getattr(address, "is_site_local", False))


def _allowed_entries():
    """(host names, networks) of HARVEST_ALLOWED_HOSTS: "oai.intranet.example", "10.1.2.3", "10.1.0.0/16"."""
    names, networks = set(), []
    for entry in settings.HARVEST_ALLOWED_HOSTS:
        entry = entry.strip().strip("[]")
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _allowed(host, address, entries):
    names, networks = entries
    if host.lower().rstrip(".").strip("[]") in names:
        return True
    address = ipaddress.ip_address(address)
    return is_public(address) or any(address in network for network in networks if network.version == address.version)


def resolve(host, port):
    """[(family, type, proto, socket address)] of `host`, each one allowed; RefusedAddress naming (for the log)
    the first that is not. socket.gaierror when the name is not found."""
    entries = _allowed_entries()
    found = [(family, kind, proto, sockaddr) for family, kind, proto, _name, sockaddr
             in getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)]
    for *_rest, sockaddr in found:
        if not _allowed(host, sockaddr[0], entries):
            raise RefusedAddress(f"{host}:{port} resolves to {sockaddr[0]}, which is not public and not in "
                                 "HARVEST_ALLOWED_HOSTS")
    return found


def validate_web_address(value):
    """A form field's validator: an http or https address (a clearer message than "Enter a valid URL" for
    file://, gopher:// or ftp://)."""
    if urlsplit(value).scheme.lower() not in SCHEMES:
        raise ValidationError(_("Only web addresses (http:// or https://) can be harvested."), code="scheme")
    URLValidator(schemes=SCHEMES)(value)


def url_problem(url):
    """What is wrong with `url` as an address to harvest (a message for the form), or None. A name that cannot
    be resolved now is accepted (its DNS may not be set up yet): the harvest checks again."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        return _("Only web addresses (http:// or https://) can be harvested.")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return _("The port of this address is not a number between 0 and 65535.")
    try:
        resolve(parts.hostname, port)
    except RefusedAddress as refused:
        logger.info("source address refused: %s", refused)
        return _("%(host)s is not a public address (loopback, private, link-local or reserved): the platform "
                 "harvests public addresses only. An intranet endpoint must be allowed by the administrator "
                 "(HARVEST_ALLOWED_HOSTS).") % {"host": parts.hostname}
    except (OSError, UnicodeError):
        return None
    return None


def _connect(connection):
    """The socket of a new connection of urllib3, to an address that `resolve` allowed (and nothing else)."""
    try:
        found = resolve(connection._dns_host, connection.port)
    except socket.gaierror as error:
        raise NameResolutionError(connection.host, connection, error) from error
    last = None
    for family, kind, proto, sockaddr in found:
        sock = socket.socket(family, kind, proto)
        try:
            for option in connection.socket_options or ():
                sock.setsockopt(*option)
            if connection.timeout is None or isinstance(connection.timeout, int | float):  # else urllib3's default
                sock.settimeout(connection.timeout)
            if connection.source_address:
                sock.bind(connection.source_address)
            sock.connect(sockaddr)
        except TimeoutError as error:
            sock.close()
            raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out") from error
        except OSError as error:
            sock.close()
            last = error
            continue
        peer = sock.getpeername()[0]
        if peer != sockaddr[0]:  # cannot happen without a proxy in the way; never talk to what was not checked
            sock.close()
            raise RefusedAddress(f"{connection.host} connected to {peer}, not to the checked {sockaddr[0]}")
        return sock
    raise NewConnectionError(connection, f"Failed to establish a new connection: {last}")


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        return _connect(self)


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):  # TLS is set up over this socket afterwards, with the URL's host name (SNI, certificate)
        return _connect(self)


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


def session():
    """A requests session whose every connection (the first request and each redirect) goes to an allowed
    address only. Proxies from the environment are not used: through a proxy the check would see the proxy."""
    checked = requests.Session()
    checked.trust_env = False
    checked.max_redirects = MAX_REDIRECTS
    checked.mount("http://", _CheckedAdapter())
    checked.mount("https://", _CheckedAdapter())
    return checked
