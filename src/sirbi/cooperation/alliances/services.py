"""Alliances: partnership agreements between networks or with partners (kept by the signatories, expiry
reminders) and good practices (shared by networks and libraries, published after the secretariat reads them)."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sirbi.core import permissions
from sirbi.core.changelog import save_object
from sirbi.core.filetypes import DOCUMENT_TYPES, IMAGE_TYPES, detect
from sirbi.core.text import fold

from .. import notify
from ..meetings.services import store_version
from ..models import Document, GoodPractice, PartnershipAgreement
from ..models.alliances import EXPIRY_NOTICE_DAYS

IMAGE_MAX_BYTES = 5 * 1024 * 1024


def save_partnership(agreement, user, *, networks, partners, expected_version=None, message=""):
    """Create or change an agreement; the user must answer for one of its signatory networks (or be the
    secretariat), before and after the change (core.changelog checks both)."""
    return save_object(agreement, user=user, m2m={"networks": [n.pk for n in networks],
                                                   "partners": [p.pk for p in partners]},
                       expected_version=expected_version, message=message)


def add_partnership_document(agreement, user, *, title, kind, visibility, upload, note=""):
    if not permissions.can(user, "change", agreement):
        raise PermissionDenied(_("Only the signatories keep the documents of %(agreement)s.")
                               % {"agreement": agreement})
    with transaction.atomic():
        document = Document(partnership=agreement, title=title, kind=kind, visibility=visibility)
        document.full_clean(exclude=["meeting", "working_group", "partnership"])
        document.save()
        store_version(document, upload, user, note)
    return document


def expiring(today=None):
    """Agreements whose validity ends within EXPIRY_NOTICE_DAYS (and has not ended)."""
    today = today or date.today()
    return (PartnershipAgreement.objects.filter(ends__gte=today, ends__lte=today + timedelta(days=EXPIRY_NOTICE_DAYS))
            .prefetch_related("networks__country"))


# Good practices --------------------------------------------------------------------------------------------

def visible_practices(user):
    """Published practices; the secretariat sees all, others also those of their scope waiting for moderation
    (GoodPractice.public_q and core.permissions' read scope)."""
    return permissions.restrict(GoodPractice.objects.all(), user, "view")


def search(practices, *, q="", country="", theme="", sdg=""):
    if q:
        for word in fold(q).split():
            practices = practices.filter(search_text__contains=word)
    if country:
        practices = practices.filter(country__code=country.upper())
    if theme:
        practices = practices.filter(themes__code=theme)
    if sdg.isdigit():
        practices = practices.filter(search_text__contains=f" sdg{int(sdg)} ")  # see GoodPractice.save
    return practices.distinct()


def share(practice, user, *, themes, image=None):
    """A practice enters the moderation queue; the image's type is read from its content."""
    practice.status, practice.submitted_by = GoodPractice.Status.SUBMITTED, user
    practice.full_clean(exclude=["image", "submitted_by"])
    if image is not None:
        allowed = {k: v for k, v in DOCUMENT_TYPES.items() if k in IMAGE_TYPES}
        detected = detect(image, allowed=allowed, max_bytes=IMAGE_MAX_BYTES)
        practice.image_type, practice.image_extension = detected.media_type, detected.extension
        practice.token = uuid.uuid4().hex
    with transaction.atomic():
        if image is not None:
            practice.image.save(image.name, image, save=False)
        save_object(practice, user=user, m2m={"themes": [t.pk for t in themes]}, message=_("Shared"))
    notify.send(notify.secretariat(), _("A good practice waits for moderation: %(title)s") % {"title": practice},
                settings.SITE_URL.rstrip("/") + practice.get_absolute_url())
    return practice


def moderate(practice, user, *, publish, note=""):
    permissions.require_secretariat(user, _("publish good practices"))
    if not publish and not note.strip():
        raise ValidationError(_("Say why the practice is not published: its author reads it."))
    practice.status = GoodPractice.Status.PUBLISHED if publish else GoodPractice.Status.REJECTED
    practice.moderation_note = note[:500]
    save_object(practice, user=user, message=note or _("Published"))
    if practice.submitted_by:
        notify.send([practice.submitted_by],
                    (_("Your good practice is published: %(title)s") if publish else
                     _("Your good practice was not published: %(title)s")) % {"title": practice},
                    note or settings.SITE_URL.rstrip("/") + practice.get_absolute_url())
    return practice
