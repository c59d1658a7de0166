"""What an uploaded file really is, read from its content (never from its name), and the size limit.

Documents of meetings and working groups, evidence of progress reports and images of good practices
are checked here: the first bytes decide the type (filetype's signatures; office files are recognised
inside their zip container), text files must decode as UTF-8 without control bytes, and a name whose
extension contradicts the content is refused.
"""

from dataclasses import dataclass
from pathlib import Path

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Media type → (extensions the name may carry, label). SVG and HTML are not documents: they can carry script.
DOCUMENT_TYPES = {
    "application/pdf": ({"pdf"}, "PDF"),
    "image/png": ({"png"}, "PNG"),
    "image/jpeg": ({"jpg", "jpeg"}, "JPEG"),
    "image/webp": ({"webp"}, "WebP"),
    "image/gif": ({"gif"}, "GIF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ({"docx"}, "Word"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ({"xlsx"}, "Excel"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ({"pptx"}, "PowerPoint"),
    "application/vnd.oasis.opendocument.text": ({"odt"}, "OpenDocument (odt)"),
    "application/vnd.oasis.opendocument.spreadsheet": ({"ods"}, "OpenDocument (ods)"),
    "application/vnd.oasis.opendocument.presentation": ({"odp"}, "OpenDocument (odp)"),
    "text/plain": ({"txt", "md", "csv"}, "TXT/CSV"),
}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Detected:
    media_type: str
    extension: str


def _is_text(head):
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)


def detect(upload, allowed=None, max_bytes=None):
    """The type of an uploaded file (Django UploadedFile), or ValidationError naming what is wrong."""
    allowed = allowed or DOCUMENT_TYPES
    name = Path(upload.name or "").name
    if max_bytes is not None and upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s."), code="too_big",
            params={"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty."), code="empty", params={"name": name})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(_whole_if_zip(upload, head))
    media_type = kind.mime if kind else ("text/plain" if _is_text(head) else None)
    extension = Path(name).suffix.lower().lstrip(".")
    if media_type not in allowed:
        raise ValidationError(
            _("%(name)s is not an accepted type of file (its content is %(kind)s). Accepted: %(accepted)s."),
            code="type", params={"name": name, "kind": media_type or _("unknown"),
                                 "accepted": ", ".join(sorted({label for _e, label in allowed.values()}))},
        )
    extensions, _label = allowed[media_type]
    if media_type == "text/plain" and extension not in extensions:
        # Text with another name (HTML, SVG, scripts): not a document this platform serves.
        raise ValidationError(
            _("%(name)s is not an accepted type of file (.%(extension)s). Accepted: %(accepted)s."), code="type",
            params={"name": name, "extension": extension or "?",
                    "accepted": ", ".join(sorted({label for _e, label in allowed.values()}))})
    if extension not in extensions:
        raise ValidationError(
            _("The name %(name)s does not match its content (%(kind)s): rename it to .%(extension)s."),
            code="extension", params={"name": name, "kind": media_type, "extension": sorted(extensions)[0]},
        )
    return Detected(media_type, extension)


def _whole_if_zip(upload, head):
    """Office files are zip archives whose type shows in their member names, which may lie past the first
    kilobytes: read the whole (size-limited) file for them."""
    if not head.startswith(b"PK\x03\x04"):
        return head
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data
