"""The door at /sru (outside the language prefixes: a protocol, not a page)."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .server import answer


# SRU 1.2 and 2.0 allow a request's parameters in a form-encoded POST (yaz-client's `sru post`); the endpoint only
# reads, with no session, so there is no cross-site request to forge.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    params = (request.POST if request.method == "POST" else request.GET).dict()
    body = answer(params, request.build_absolute_uri(request.path))
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
