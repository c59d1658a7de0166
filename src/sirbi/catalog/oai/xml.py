"""The OAI-PMH response envelope, written as text: the records' metadata arrives already serialised (MARCXML and
Dublin Core from catalog/records.py), and joining strings is several times faster than building a tree."""

from datetime import UTC
from xml.sax.saxutils import escape, quoteattr

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">')


def stamp(moment):
    """A datestamp at seconds granularity, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def element(name, text, **attributes):
    attrs = "".join(f" {key}={quoteattr(str(value))}" for key, value in attributes.items() if value is not None)
    return f"<{name}{attrs}>{escape(str(text))}</{name}>"


def envelope(now, base_url, request_args, body):
    """The whole response (bytes): `request_args` are echoed as the request element's attributes."""
    arguments = {name: value for name, value in request_args.items()}
    return "".join((HEAD, element("responseDate", stamp(now)), element("request", base_url, **arguments), body,
                    "</OAI-PMH>")).encode()


def error(code, message):
    return element("error", message, code=code)
