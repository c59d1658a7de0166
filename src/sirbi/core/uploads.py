"""Uploaded files waiting for a background job: stored under UPLOAD_DIR by a generated name."""

import uuid
from pathlib import Path

from django.conf import settings


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
    """The body size the client declares (0 if none or unreadable): checked before anything reads the body,
    so that a too large upload is refused without being received (the CSRF check would read it all)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# Room for the form's other fields around an upload in a multipart body.
FORM_SLACK = 64 * 1024


def too_large(request, limit):
    """Does the request declare a body larger than an upload of `limit` bytes and its form could be?"""
    return declared_length(request) > limit + FORM_SLACK
