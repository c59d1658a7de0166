"""Documents and files on the workspace's pages (meetings, working groups, partnerships, progress reports): the
upload of a document and sending a stored file back. (The size guard is core.uploads.upload_limit on each view.)"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from sirbi.core.views import say_errors, say_form_errors

from .forms import DocumentForm


def upload_document(request, owner, add):
    """A new document of a meeting or a working group: `add(user, title=..., upload=...)` stores it."""
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            add(request.user, title=data["title"], kind=data["kind"], visibility=data["visibility"],
                upload=data["file"], note=data["note"])
        except ValidationError as exc:
            say_errors(request, exc)
        else:
            messages.success(request, _("Document added: %(title)s.") % {"title": data["title"]})
    else:
        say_form_errors(request, form)
    return redirect(owner)


def send_file(field, media_type, name, inline):
    """A stored file (a document version, evidence, an image), inline or as an attachment, sandboxed: whatever it
    holds, it runs no script in the platform's origin."""
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=media_type, as_attachment=not inline, filename=name)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
