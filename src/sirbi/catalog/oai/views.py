"""/oai: the OAI-PMH endpoint (GET, or POST with form-encoded arguments, as the protocol allows)."""

import re
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .repository import CatalogRepository
from .verbs import respond

EMAIL = re.compile(r"\S+@(\S+\.)+\S+")  # OAI-PMH.xsd's emailType


def repository():
    """The catalog's repository: identifiers under SITE_URL's host name (stable, whatever address a harvester
    uses), the contact address of OAI_ADMIN_EMAIL or else DEFAULT_FROM_EMAIL."""
    email = settings.OAI_ADMIN_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if not EMAIL.fullmatch(email):
        email += ".invalid"  # a host without a dot (no-reply@localhost) is refused by the schema: say it is no address
    return CatalogRepository("SIRBI union catalog", urlsplit(settings.SITE_URL).hostname or "localhost", [email])


@csrf_exempt  # harvesters POST form-encoded arguments without a session; the endpoint changes nothing
def endpoint(request):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    params = (request.POST if request.method == "POST" else request.GET).lists()
    body = respond(repository(), params, request.build_absolute_uri(request.path), timezone.now())
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
