"""Copies (a request for pages or an article): the lender answers CopyCompleted with the file — its type read from
its content (PDF or an image), at most DOCUMENT_MAX_BYTES — or with a link. The file is kept ILL_COPY_KEEP_DAYS
and then deleted by `sirbi ill_tick`; only the requesting library's staff and the staff of the library that
delivered it read it (not the secretariat, nor managers or coordinators: it is a reader's copy)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sirbi.core.filetypes import DOCUMENT_TYPES, detect
from sirbi.core.outbound import validate_web_address

from . import services
from .iso18626.codes import Status
from .models import DeliveredCopy

COPY_TYPES = {media: DOCUMENT_TYPES[media] for media in ("application/pdf", "image/png", "image/jpeg")}


def deliver(loan, *, user, upload=None, link="", note="", now=None):
    """The current lender delivers the copy of `loan` (a file or a link): CopyCompleted and the copy, together."""
    now = now or timezone.now()
    if loan.lender is None or not services.acts_for(user, loan.lender):
        raise PermissionDenied(_("Only the staff of the lending library deliver the copy."))
    if not loan.is_copy:
        raise services.LoanError(_("This request is for a loan, not a copy."))
    if (upload is None) == (not link):
        raise services.LoanError(_("Give either the file of the copy or a link to it."))
    copy = DeliveredCopy(request=loan, library=loan.lender, uploaded_by=user,
                         keep_until=now + datetime.timedelta(days=settings.ILL_COPY_KEEP_DAYS))
    if upload is not None:
        detected = detect(upload, allowed=COPY_TYPES, max_bytes=settings.DOCUMENT_MAX_BYTES)
        copy.original_name, copy.media_type = upload.name[:250], detected.media_type
        copy.extension, copy.size = detected.extension, upload.size
    else:
        validate_web_address(link)
        copy.link = link
    with transaction.atomic():
        loan = services.respond(loan, Status.COPY_COMPLETED, user=user, note=note, now=now)
        if upload is not None:
            copy.file.save(copy.original_name, upload, save=False)
        copy.save()
    return copy


def can_read(user, copy):
    return any(services.is_staff_of(user, library) for library in (copy.request.borrower, copy.library))


def expire(now=None):
    """Delete the files kept past their time (the row stays, with the date it was deleted); how many."""
    now = now or timezone.now()
    done = 0
    for copy in DeliveredCopy.objects.filter(keep_until__lt=now, removed=None).exclude(file=""):
        copy.file.delete(save=False)
        copy.removed = now
        copy.save(update_fields=["file", "removed"])
        done += 1
    return done

