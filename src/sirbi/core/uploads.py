"""Uploads: the one size guard of every view that accepts a file, and the files waiting for a background job
(stored under UPLOAD_DIR by a generated name)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def store_upload(upload):
    """Save an uploaded file; its generated name (the only thing a job's parameters hold)."""
    directory = Path(settings.UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:6]}"
    with open(directory / name, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name


def upload_path(name):
    """The path of a stored upload; a job parameter never holds a user's path."""
    path = (Path(settings.UPLOAD_DIR) / name).resolve()
    if path.parent != Path(settings.UPLOAD_DIR).resolve():
        raise ValueError("bad upload name")
    return path


def declared_length(request):
    """The body size the client declares (0 if none or unreadable)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# Room for the form's other fields around an upload in a multipart body.
FORM_SLACK = 64 * 1024


def upload_limit(limit):
    """Mark a view (or an API view class) as accepting a file of at most `limit` bytes: an int, or the name of a
    setting, read at each request so that tests and deployments may change it.

    The mark is read by `UploadLimitMiddleware`, which refuses a larger body before anything reads it. Every view
    that reads request.FILES carries one (tests/core/test_upload_limit.py checks the URL map for it)."""
    def mark(view):
        view.upload_limit = limit
        return view
    return mark


def limit_of(view):
    """The upload limit of a resolved view in bytes, or None for a view that takes no file."""
    limit = getattr(view, "upload_limit", None)
    if limit is None:
        # REST framework: the mark is on the view class (`as_view()` keeps it as `view.cls`).
        limit = getattr(getattr(view, "cls", None), "upload_limit", None)
    if isinstance(limit, str):
        limit = getattr(settings, limit)
    return limit


def refusal(limit):
    return _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}


class UploadLimitMiddleware:
    """The one upload-size guard. Placed before the CSRF middleware: its check reads the whole body (to find the
    token in a multipart form), so a too large upload is refused here, from the declared length, before it is
    received. CSRF protection itself is untouched: no upload view is csrf_exempt."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        # A view that takes no file still has its body parsed (by the CSRF check, before the view runs), and Django
        # spools a multipart body's files to disk whatever their size: such views get the largest limit of a form
        # with a file the admin may show (a meeting document).
        limit = limit_of(view) or settings.DOCUMENT_MAX_BYTES
        if declared_length(request) <= limit + FORM_SLACK:
            return None
        message = refusal(limit)
        if getattr(view, "cls", None) is not None:  # the API answers in JSON
            return JsonResponse({"detail": message}, status=413)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = ""
        return render(request, "core/upload_refused.html", {"message": message, "back": back}, status=413)
